"""Admin endpoints on the admin listener: sessions and the audit log, behind `admin` and 2FA.

Callers authenticate with the same tokens as the gateway (`Identifier`); their roles are
expanded with the configured inheritance, so a role inheriting `admin` qualifies. Without
credentials: 401; signed in without the `admin` role: 403; admin without 2FA: 401
`step-up required`; without the area's permission, when the config splits them
(`gateway.admin.permissions`): 403. Every admin call, refused or not, is written to the `chatguard.audit`
logger (`admin.action`) with its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from filters import Principal
from gateway.access.rbac import STEP_UP
from gateway.admin import bans
from gateway.admin.caller import Refused, admin_caller, role_map
from gateway.admin.permissions import ADMIN_ROLE, api_permission, fine_grained, holds
from gateway.audit import reader
from gateway.audit.entry import iso
from gateway.auth import AUTH
from gateway.auth.users import SessionInfo
from gateway.keys import RUNTIME

audit = logging.getLogger("chatguard.audit")

MAX_AUDIT_LINES = 1000
Handler = Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: orjson.dumps(o).decode())


def _guarded(gateway_app: web.Application, handler: Handler, action: str) -> Callable[[web.Request],
                                                                                      Awaitable[web.StreamResponse]]:
    async def answer(request: web.Request, who: list[str]) -> web.StreamResponse:
        principal = await admin_caller(gateway_app, request)
        if isinstance(principal, Refused):
            return _json({"error": principal.error}, principal.status)
        who.append(principal.subject)
        if ADMIN_ROLE not in principal.roles:
            audit.warning("admin access denied", extra={"event": "authz.deny", "rule": "admin_api",
                                                        "subject": principal.subject, "route": "admin",
                                                        "method": request.method, "client": request.remote or "",
                                                        "roles": sorted(principal.roles)})
            return _json({"error": "forbidden"}, 403)
        if not principal.mfa:
            return _json({"error": STEP_UP}, 401)
        permission = api_permission(action)
        if not holds(principal.roles, permission, fine_grained(role_map(gateway_app))):
            return _json({"error": f"forbidden: needs {permission}"}, 403)
        return await handler(request, principal)

    async def guarded(request: web.Request) -> web.StreamResponse:
        who: list[str] = []
        response = await answer(request, who)
        outcome = "ok" if response.status < 400 else "refused"
        log = audit.info if outcome == "ok" else audit.warning
        log("admin action", extra={"event": "admin.action", "action": action, "outcome": outcome,
                                   "subject": who[0] if who else None, "client": request.remote or "",
                                   "method": request.method, "path": request.path,
                                   "target": dict(request.match_info), "query": _query_fields(request),
                                   "status": response.status})
        return response

    return guarded


def _query_fields(request: web.Request) -> dict[str, str]:
    """The query parameters an admin call was filtered by (names the API knows, nothing else)."""
    return {k: request.query[k] for k in ("user", "event", "subject", "limit") if k in request.query}


async def _revoke_session(request: web.Request, _: Principal) -> web.Response:
    service = request.config_dict[_SERVICE]
    session_id = request.match_info["session_id"]
    await service.sessions.revoke(session_id)
    return _json({"revoked": session_id})


async def _revoke_user(request: web.Request, _: Principal) -> web.Response:
    service = request.config_dict[_SERVICE]
    user = await service.store.get_user(request.match_info["username"])
    if user is None:
        return _json({"error": "no such user"}, 404)
    await service.revoke_user(user)
    return _json({"revoked_user": user.username})


def _when(epoch: float) -> str | None:
    return iso(datetime.fromtimestamp(epoch, UTC)) if epoch > 0 else None  # 0: stored before times were kept


def session_view(session: SessionInfo) -> dict[str, Any]:
    """One session as the API shows it: ids, times and 2FA state, never a token."""
    return {"id": session.session_id, "user": session.user, "created": _when(session.created),
            "last_used": _when(session.last_used), "expires": _when(session.expires), "mfa": session.mfa}


async def _list_sessions(request: web.Request, _: Principal) -> web.Response:
    service = request.config_dict[_SERVICE]
    if service is None:
        return _json({"error": "sign-in is not configured"}, 404)
    sessions = await service.store.list_sessions(request.query.get("user") or None)
    return _json({"sessions": [session_view(s) for s in sessions]})


def read_audit(path: str, event: str | None, subject: str | None, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` entries matching `event` (prefix) and `subject`, across rotated files, oldest first."""
    return reader.query(Path(path), event, subject, limit)


async def _query_audit(request: web.Request, _: Principal) -> web.Response:
    settings = request.config_dict[_GATEWAY][RUNTIME].current.settings
    audit_settings = getattr(settings, "audit", None)
    path = getattr(audit_settings, "path", "")
    if not path:
        return _json({"error": "audit log is not configured"}, 404)
    try:
        limit = min(max(int(request.query.get("limit", "100")), 1), MAX_AUDIT_LINES)
    except ValueError:
        return _json({"error": "limit must be an integer"}, 400)
    entries = read_audit(path, request.query.get("event"), request.query.get("subject"), limit)
    return _json({"entries": entries})


_SERVICE: web.AppKey[Any] = web.AppKey("chatguard.admin_api.auth")
_GATEWAY: web.AppKey[web.Application] = web.AppKey("chatguard.admin_api.gateway")


def mount(admin: web.Application, gateway_app: web.Application) -> None:
    """Add `/admin/*` to the admin listener's app (call before it starts)."""
    admin[_GATEWAY] = gateway_app
    admin[_SERVICE] = gateway_app.get(AUTH)

    def add(method: str, path: str, handler: Handler, action: str) -> None:
        admin.router.add_route(method, path, _guarded(gateway_app, handler, action))

    add("GET", "/admin/sessions", _list_sessions, "sessions.list")
    add("POST", "/admin/sessions/{session_id}/revoke", _revoke_session, "sessions.revoke")
    add("POST", "/admin/users/{username}/revoke", _revoke_user, "users.revoke_sessions")
    add("GET", "/admin/audit", _query_audit, "audit.query")
    for method, path, handler, action in bans.ADMIN_ROUTES:
        add(method, path, handler, action)
