"""The console's frame: who the operator is, what they may open, CSRF on every form, the page shell.

Every console request is identified from the built-in sign-in's session cookie (or bearer token) and
needs a gateway session, the `admin` role, 2FA and the area's permission (`gateway.admin.permissions`).
Forms are POSTed with a token bound to the operator's session (an HMAC of its id under a key derived
like the sign-in pages' one) and must not come from another site. Each POST is an action: it runs,
its outcome is written to the audit trail naming the operator, and the page is shown again with a
notice. Refusals are audited too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote

from aiohttp import web

from filters import Principal
from gateway.access.rbac import RoleMap
from gateway.admin.caller import role_map
from gateway.admin.console import templates as t
from gateway.admin.permissions import ADMIN_ROLE, AREAS, fine_grained, holds
from gateway.auth import AuthError, AuthService, Identifier
from gateway.auth.pages import csrf_key, same_site
from gateway.proxy.bodies import BodyTooLarge, read_limited
from gateway.state import StateUnavailable
from gateway.tls.security_headers import PAGE_HEADERS

audit = logging.getLogger("chatguard.audit")
log = logging.getLogger("chatguard.admin")

ROOT = "/admin/ui"
STATIC = f"{ROOT}/static"
LOGIN = "/auth/page/login"
MAX_FORM = 16 * 1024
MAX_FIELD = 2048
NO_NOTICE = t.Safe("")

# Areas in the order the navigation shows them, with their titles.
TITLES = {"live": "Live", "bans": "Bans and throttles", "quarantine": "Quarantine", "sessions": "Sessions",
          "users": "Users", "policy": "Policy", "audit": "Audit", "transcripts": "Transcripts",
          "reports": "Reports"}


class Refused(Exception):
    """A request the console answers with a plain page and this status (bad form, CSRF, permission)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Operator:
    """A signed-in administrator, with the console areas they may open."""

    principal: Principal
    session_id: str
    csrf: str
    areas: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.principal.subject

    def may(self, area: str) -> bool:
        return area in self.areas


@dataclass(frozen=True)
class Done:
    """What an action did: a notice for the operator, the HTTP status and the audit entry's fields."""

    message: str
    status: int = 200
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


View = Callable[[web.Request, Operator], Awaitable[t.Safe]]
Action = Callable[[web.Request, Operator, dict[str, str]], Awaitable[Done]]


async def read_form(request: web.Request) -> dict[str, str]:
    """A small urlencoded form; repeated, oversized or unreadable fields are refused."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise Refused(415, "This form must be sent by the page.")
    try:
        raw = await read_limited(request.content, request.content_length, MAX_FORM)
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=32, errors="strict")
    except (BodyTooLarge, UnicodeDecodeError, ValueError):
        raise Refused(400, "The form could not be read.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form or len(value) > MAX_FIELD:
            raise Refused(400, "The form could not be read.")
        form[name] = value
    return form


class Console:
    """Routes, guards and the page shell; the area modules register their views and actions here."""

    def __init__(self, admin_app: web.Application, gateway_app: web.Application, service: AuthService,
                 identifier: Identifier) -> None:
        self.admin_app = admin_app
        self.gateway_app = gateway_app
        self.service = service
        self.identifier = identifier
        self._key = hashlib.sha256(b"chatguard console csrf v1" + csrf_key(service)).digest()
        self._views: dict[str, View] = {}
        self.routes: list[web.RouteDef] = [
            web.get(ROOT, self._home), web.get(ROOT + "/", self._home),
            web.post(ROOT + "/logout", self._logout),
            web.get(STATIC + "/console.css", _static("console.css", "text/css")),
            web.get(STATIC + "/console.js", _static("console.js", "text/javascript")),
        ]

    # -- who is asking ------------------------------------------------------------------------------

    def roles(self) -> RoleMap:
        return role_map(self.gateway_app)

    def token(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode(), hashlib.sha256).hexdigest()

    async def operator(self, request: web.Request) -> Operator | None:
        """The operator, None when nobody is signed in; `Refused` when they may not use the console."""
        try:
            identity = await self.identifier.identify(request)
        except AuthError:
            return None  # expired or revoked: sign in again
        if identity is None:
            return None
        roles = self.roles()
        principal = roles.principal(identity.principal)
        if ADMIN_ROLE not in principal.roles:
            raise Refused(403, "Your account may not use the console (it needs the admin role).")
        if identity.session_id is None:
            raise Refused(403, "Sign in with the gateway's own sign-in to use the console.")
        if not principal.mfa:
            raise Refused(403, "The console needs two-factor sign-in. Sign out, then sign in with your code.")
        split = fine_grained(roles)
        areas = tuple(a for a in TITLES if a in self._views and holds(principal.roles, AREAS[a], split))
        return Operator(principal, identity.session_id, self.token(identity.session_id), areas)

    # -- registration -------------------------------------------------------------------------------

    def view(self, area: str, handler: View, sub: str = "") -> None:
        """`GET /admin/ui/<area>` (the area's page, shown again after its actions) or `.../<area>/<sub>`."""
        if not sub:
            self._views[area] = handler
        self.routes.append(web.get(f"{ROOT}/{area}" + (f"/{sub}" if sub else ""), self._page(area, handler)))

    def action(self, area: str, name: str, handler: Action) -> None:
        """`POST /admin/ui/<area>/<name>`: an audited action; the area's page is shown after it."""
        self.routes.append(web.post(f"{ROOT}/{area}/{name}", self._act(area, name, handler)))

    def add_route(self, route: web.RouteDef) -> None:
        self.routes.append(route)

    # -- handlers -----------------------------------------------------------------------------------

    async def allowed(self, request: web.Request, area: str,
                      who: list[str] | None = None) -> Operator | web.StreamResponse:
        """The operator if they may open `area`, else the answer to send (sign-in redirect or refusal);
        a signed-in operator refused for want of the permission is named in `who`."""
        try:
            operator = await self.operator(request)
        except Refused as refused:
            return self.refusal(refused)
        if operator is None:
            return _redirect(f"{LOGIN}?next={quote(request.path_qs, safe='/')}")
        if not operator.may(area):
            if who is not None:
                who.append(operator.name)
            audit.warning("console access denied", extra={
                "event": "authz.deny", "rule": "admin_console", "subject": operator.name, "route": "admin",
                "method": request.method, "path": request.path, "client": request.remote or "",
                "permission": AREAS[area]})
            return self.refusal(Refused(403, f"You may not open this page (it needs {AREAS[area]})."), operator)
        return operator

    def _page(self, area: str, handler: View) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            operator = await self.allowed(request, area)
            if not isinstance(operator, Operator):
                return operator
            return await self.show(request, operator, area, handler=handler)

        return handle

    async def show(self, request: web.Request, operator: Operator, area: str, notice: t.Safe = NO_NOTICE,
                   status: int = 200, handler: View | None = None) -> web.Response:
        try:
            content = await (handler or self._views[area])(request, operator)
        except Refused as refused:
            return self.refusal(refused, operator)
        except StateUnavailable:
            content, notice, status = t.Safe(""), t.render(t.NOTICE_BAD, message="The state store is unavailable; "
                                                           "try again in a moment."), 503
        return self.page(TITLES[area], content, operator, area, notice, status)

    def _act(self, area: str, name: str, handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        action = f"console.{area}.{name}"

        async def handle(request: web.Request) -> web.StreamResponse:
            who: list[str] = []
            operator = await self.allowed(request, area, who)
            if not isinstance(operator, Operator):
                _record(action, request, who[0] if who else None, Done("refused", operator.status))
                return operator
            try:
                form = await read_form(request)
                if not same_site(request) or not hmac.compare_digest(form.get("csrf", ""), operator.csrf):
                    raise Refused(403, "This form has expired or did not come from this console. "
                                       "Reload the page and try again.")
                done = await handler(request, operator, form)
            except Refused as refused:
                _record(action, request, operator, Done(refused.message, refused.status))
                return self.refusal(refused, operator)
            except StateUnavailable:
                done = Done("The state store is unavailable; nothing was changed.", 503)
            _record(action, request, operator, done)
            notice = t.render(t.NOTICE_OK if done.ok else t.NOTICE_BAD, message=done.message)
            return await self.show(request, operator, area, notice, done.status)

        return handle

    async def _home(self, request: web.Request) -> web.StreamResponse:
        try:
            operator = await self.operator(request)
        except Refused as refused:
            return self.refusal(refused)
        if operator is None:
            return _redirect(f"{LOGIN}?next={ROOT}/")
        if not operator.areas:
            return self.refusal(Refused(403, "Your roles grant no console page (admin:... permissions)."), operator)
        return _redirect(f"{ROOT}/{operator.areas[0]}")

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        try:
            operator = await self.operator(request)
            form = await read_form(request)
        except Refused as refused:
            return self.refusal(refused)
        if operator is None or not same_site(request) or not hmac.compare_digest(form.get("csrf", ""),
                                                                                    operator.csrf):
            return self.refusal(Refused(403, "This form has expired. Reload the page and try again."))
        await self.service.logout(operator.session_id, operator.name)
        response = _redirect(f"{LOGIN}?out=1&next={ROOT}/")
        response.del_cookie(self.service.settings.cookie_name, path="/")
        return response

    # -- rendering ----------------------------------------------------------------------------------

    def page(self, title: str, content: t.Safe, operator: Operator | None, current: str = "",
             notice: t.Safe = NO_NOTICE, status: int = 200) -> web.Response:
        nav = t.Safe("".join(
            t.render(t.NAV_ITEM, href=f"{ROOT}/{a}", label=TITLES[a],
                     current=t.Safe(' aria-current="page"' if a == current else ""))
            for a in (operator.areas if operator else ())))
        body = t.render(t.LAYOUT, title=title, static=STATIC, root=ROOT, nav=nav, notice=notice,
                        content=content, operator=operator.name if operator else "",
                        csrf=operator.csrf if operator else "")
        return page_response(body, status)

    def refusal(self, refused: Refused, operator: Operator | None = None) -> web.Response:
        notice = t.render(t.NOTICE_BAD, message=refused.message)
        link = t.Safe(f'<p><a href="{LOGIN}?next={ROOT}/">Sign in</a></p>') if operator is None else t.Safe("")
        return self.page("Not allowed" if refused.status == 403 else "Request refused", link, operator,
                         notice=notice, status=refused.status)


def page_response(body: str, status: int = 200) -> web.Response:
    """An HTML answer with the strict page headers; `same-origin` referrers keep the Origin check working."""
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store", **PAGE_HEADERS,
                                     "Referrer-Policy": "same-origin"})
    return response


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store", **PAGE_HEADERS})


def _static(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    body = resources.files("gateway.admin.console").joinpath(f"static/{name}").read_bytes()

    async def serve(_: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type=content_type, charset="utf-8",
                            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    return serve


def _record(action: str, request: web.Request, operator: Operator | str | None, done: Done) -> None:
    """The audit entry of a console action: who, what, on what, and how it ended."""
    outcome = "ok" if done.ok else "refused"
    (audit.info if done.ok else audit.warning)("admin action", extra={
        "event": "admin.action", "action": action, "outcome": outcome,
        "subject": operator.name if isinstance(operator, Operator) else operator, "client": request.remote or "",
        "method": request.method, "path": request.path, "status": done.status, **done.fields})
