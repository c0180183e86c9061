"""Sessions and Users: who is signed in, with how many open WebSockets, and the built-in user store.

Sessions: every live session with its open WebSockets (counted from this process's connection
registry), revoke one session or all of a user's (their sockets close at once, on every instance).
Users: add, disable or enable, reset 2FA, change roles. A change that alters what a user may do
also ends their sessions, so it takes effect now rather than when their token expires.
"""

from __future__ import annotations

from collections import Counter
from string import Template

from aiohttp import web

from gateway.admin.console import templates as t
from gateway.admin.console.bans import when
from gateway.admin.console.frame import ROOT, Action, Console, Done, Operator, Refused
from gateway.auth.users import UserExists, check_username
from gateway.keys import WS_CONNECTIONS

MIN_PASSWORD = 12
MAX_ROLES = 16

BUTTON = Template("""<form method="post" action="$root/$area/$verb" class="inline">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="$field" value="$value">
<button type="submit" class="$style" aria-label="$label">$text</button></form>""")
ROLES_FORM = Template("""<form method="post" action="$root/users/roles" class="inline">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="username" value="$user">
<label class="sr" for="roles-$n">Roles of $user</label>
<input id="roles-$n" name="roles" value="$roles" size="18" autocomplete="off">
<button type="submit" class="secondary">Set roles</button></form>""")
ADD_USER = Template("""<h2 id="add-user">Add a user</h2>
<form method="post" action="$root/users/add" class="stack" aria-labelledby="add-user">
<input type="hidden" name="csrf" value="$csrf">
<div class="field"><label for="new-username">Username</label>
<input id="new-username" name="username" required maxlength="64" autocomplete="off"></div>
<div class="field"><label for="new-password">Initial password (12+ characters)</label>
<input id="new-password" name="password" type="password" required minlength="12" maxlength="1024"
 autocomplete="new-password"></div>
<div class="field"><label for="new-roles">Roles (comma-separated)</label>
<input id="new-roles" name="roles" required maxlength="300" autocomplete="off"></div>
<button type="submit">Add user</button>
</form>
""")
USER_FILTER = Template("""<form class="filters" method="get" action="$root/sessions" role="search" aria-label="Filter sessions">
<div class="field"><label for="f-user">User</label><input id="f-user" name="user" value="$user" maxlength="64"></div>
<button type="submit">Filter</button></form>
""")


def _button(operator: Operator, area: str, verb: str, field: str, value: str, text: str, label: str,
            style: str = "secondary") -> t.Safe:
    return t.render(BUTTON, root=ROOT, area=area, verb=verb, csrf=operator.csrf, field=field, value=value,
                    text=text, label=label, style=style)


def _roles(text: str) -> frozenset[str]:
    roles = frozenset(r.strip() for r in text.split(",") if r.strip())
    if not roles or len(roles) > MAX_ROLES or any(len(r) > 64 or ":" in r or not r.isprintable() for r in roles):
        raise Refused(400, "Roles: a comma-separated list of role names (not permissions).")
    return roles


def install(console: Console) -> None:
    service = console.service

    def sockets() -> tuple[Counter[str], Counter[str]]:
        """Open WebSockets of this process: per subject and per session id."""
        per_user: Counter[str] = Counter()
        per_session: Counter[str] = Counter()
        registry = console.gateway_app.get(WS_CONNECTIONS)
        for connection in (registry.live if registry is not None else ()):
            per_user[connection.subject] += 1
            session_id = connection.session[0]
            if session_id:
                per_session[session_id] += 1
        return per_user, per_session

    async def sessions_view(request: web.Request, operator: Operator) -> t.Safe:
        user = request.query.get("user", "")[:64]
        listed = await service.store.list_sessions(user or None)
        per_user, per_session = sockets()
        rows = [(s.user, s.session_id[:8] + "...", when(s.created), when(s.last_used), when(s.expires),
                 "yes" if s.mfa else "no", per_session.get(s.session_id, 0),
                 t.Safe(_button(operator, "sessions", "revoke", "session", s.session_id, "Revoke",
                                f"Revoke session {s.session_id[:8]} of {s.user}", "danger")))
                for s in listed]
        users = sorted({s.user for s in listed} | set(per_user))
        socket_rows = [(u, per_user.get(u, 0), sum(1 for s in listed if s.user == u),
                        _button(operator, "sessions", "revoke-user", "username", u, "End all sessions",
                                f"End every session of {u}", "danger"))
                       for u in users]
        return t.Safe(t.render(USER_FILTER, root=ROOT, user=user)
                      + t.table("Open WebSockets and sessions per user",
                                ("User", "Open WebSockets", "Sessions", "Actions"), socket_rows, "per-user",
                                "Nobody is connected.")
                      + t.table("Active sessions", ("User", "Session", "Started (UTC)", "Last used (UTC)",
                                                    "Expires (UTC)", "2FA", "WebSockets", "Actions"),
                                rows, "sessions", "No active sessions."))

    async def revoke(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        session_id = form.get("session", "")
        if not session_id or len(session_id) > 128:
            raise Refused(400, "Say which session.")
        await service.sessions.revoke(session_id)
        note = " That was your own session: sign in again." if session_id == operator.session_id else ""
        return Done(f"Revoked session {session_id[:8]}...{note}", fields={"target": session_id})

    async def revoke_user(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        user = await service.store.get_user(form.get("username", "")[:64])
        if user is None:
            return Done("No such user in the built-in store.", 404, {"target": form.get("username", "")[:64]})
        await service.revoke_user(user)
        return Done(f"Ended every session of {user.username}.", fields={"target": user.username})

    async def users_view(request: web.Request, operator: Operator) -> t.Safe:
        users = await service.store.list_users()
        rows = []
        for n, u in enumerate(users):
            toggle = ("enable", "Enable") if u.disabled else ("disable", "Disable")
            controls = t.Safe(
                _button(operator, "users", toggle[0], "username", u.username, toggle[1], f"{toggle[1]} {u.username}",
                        "secondary" if u.disabled else "danger")
                + _button(operator, "users", "reset-2fa", "username", u.username, "Reset 2FA",
                          f"Reset two-factor sign-in of {u.username}")
                + t.render(ROLES_FORM, root=ROOT, csrf=operator.csrf, user=u.username, n=n,
                           roles=", ".join(sorted(u.roles))))
            rows.append((u.username, ", ".join(sorted(u.roles)) or "-", "disabled" if u.disabled else "active",
                         "on" if u.totp_enrolled else "off", controls))
        return t.Safe(t.table("Users of the built-in store", ("User", "Roles", "State", "2FA", "Actions"), rows,
                              "users", "No users yet.")
                      + t.render(ADD_USER, root=ROOT, csrf=operator.csrf))

    async def add(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        try:
            username = check_username(form.get("username", ""))
        except ValueError as bad:
            raise Refused(400, f"Username: {bad}") from None
        password = form.get("password", "")
        if len(password) < MIN_PASSWORD or len(password) > 1024:
            raise Refused(400, f"The initial password needs at least {MIN_PASSWORD} characters.")
        roles = _roles(form.get("roles", ""))
        try:
            await service.store.add_user(username, await service.passwords.hash(password), roles)
        except UserExists:
            return Done(f"{username} already exists.", 409, {"target": username})
        return Done(f"Added {username} with roles {', '.join(sorted(roles))}.",
                    fields={"target": username, "roles": sorted(roles)})

    def change(verb: str) -> Action:
        async def act(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
            username = form.get("username", "")[:64]
            user = await service.store.get_user(username)
            if user is None:
                return Done("No such user in the built-in store.", 404, {"target": username})
            if verb in ("disable", "reset-2fa", "roles") and user.username == operator.name:
                raise Refused(409, "Ask another administrator to change your own account.")
            fields: dict[str, object] = {"target": user.username}
            if verb in ("disable", "enable"):
                await service.store.set_disabled(user.username, verb == "disable")
                message = f"{verb.capitalize()}d {user.username}."
            elif verb == "reset-2fa":
                await service.store.reset_totp(user.username)
                message = f"Reset two-factor sign-in of {user.username}; they enrol again at their next sign-in."
            else:
                roles = _roles(form.get("roles", ""))
                await service.store.set_roles(user.username, roles)
                fields["roles"] = sorted(roles)
                message = f"{user.username} now has roles {', '.join(sorted(roles))}."
            if verb != "enable":
                await service.revoke_user(user)  # takes effect now, not when their token expires
            return Done(message, fields=fields)

        return act

    console.view("sessions", sessions_view)
    console.action("sessions", "revoke", revoke)
    console.action("sessions", "revoke-user", revoke_user)
    console.view("users", users_view)
    console.action("users", "add", add)
    for verb in ("disable", "enable", "reset-2fa", "roles"):
        console.action("users", verb, change(verb))
