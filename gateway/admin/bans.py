"""Admin endpoints for bans and quarantine, mounted on the admin listener (auth is added there).

Releasing a held message delivers it at most once: it is taken out of quarantine first, then an
inbound HTTP message is sent to its route's current upstream with the original method, path and
content type and `X-Chatguard-Released-By`. The sender's credentials were never kept, so the
backend sees the gateway, not the sender, and must accept released messages on that header (or
treat them as such). WebSocket frames and backend answers are not delivered: the connection or
request they belonged to is gone; the answer hands the text back to the reviewer instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
import orjson
from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from filters import Principal
from gateway.edge.request_id import REQUEST_ID
from gateway.enforce import countermeasures
from gateway.keys import RUNTIME
from gateway.runtime.canonical_path import without_prefix
from gateway.state import StateStore, StateUnavailable

STORE: web.AppKey[StateStore] = web.AppKey("chatguard.admin_bans.store")
GATEWAY: web.AppKey[web.Application] = web.AppKey("chatguard.admin_bans.gateway")
RELEASED_BY = "X-Chatguard-Released-By"
audit = logging.getLogger("chatguard.audit")


def _json(data: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(data), content_type="application/json",
                        headers={"Cache-Control": "no-store"})


async def list_bans(request: web.Request) -> web.Response:
    bans = await request.app[STORE].bans()
    return _json({"bans": [{"key": b.key, "reason": b.reason, "since": b.since, "until": b.until} for b in bans]})


async def lift_ban(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if not await request.app[STORE].unban(key):
        return _json({"error": "no such ban"}, 404)
    return _json({"lifted": key})


async def list_quarantine(request: web.Request) -> web.Response:
    return _json({"held": await countermeasures.held(request.app[STORE])})


async def deliver(gateway_app: web.Application | None, record: dict[str, object],
                  by: str) -> dict[str, object]:
    """Send a released inbound HTTP message on to its route's upstream; says what happened."""
    if record.get("channel") != "http" or record.get("direction") != "inbound":
        return {"delivered": False, "reason": "only inbound HTTP messages can be delivered later: "
                "the WebSocket connection or the request this message belonged to is gone"}
    if gateway_app is None:
        return {"delivered": False, "reason": "this listener is not bound to a gateway (bind_gateway)"}
    runtime = gateway_app[RUNTIME].current
    plan = runtime.plans.get(str(record.get("route")))
    if plan is None:
        return {"delivered": False, "reason": "its route is no longer configured"}
    target = str(record.get("target") or "/")
    prefix = plan.settings.strip_prefix
    if prefix:
        target = without_prefix(target, prefix)  # as the request itself would have gone
    headers = {RELEASED_BY: by, REQUEST_ID: str(record.get("request_id", ""))}
    if record.get("content_type"):
        headers["Content-Type"] = str(record["content_type"])
    url = URL(str(runtime.upstreams.origin(plan.upstream)) + target, encoded=True)
    try:
        async with runtime.upstreams.session(plan.upstream).request(
                str(record.get("method") or "POST"), url, data=str(record.get("payload", "")).encode(),
                headers=headers, allow_redirects=False, timeout=plan.timeout,
                server_hostname=runtime.upstreams.server_name(plan.upstream)) as answer:
            await answer.read()
            return {"delivered": True, "upstream_status": answer.status}
    except (TimeoutError, aiohttp.ClientError) as exc:
        return {"delivered": False, "reason": f"upstream unreachable ({type(exc).__name__})"}


async def _release(request: web.Request, by: str) -> web.Response:
    record = await countermeasures.release(request.app[STORE], request.match_info["id"])
    if record is None:
        return _json({"error": "no such message"}, 404)
    outcome = await deliver(request.config_dict.get(GATEWAY), record, by)
    audit.info("quarantine.release", extra={"fields": {
        "event": "quarantine.release", "id": record.get("id"), "route": record.get("route"), "by": by,
        **{k: v for k, v in outcome.items() if k != "reason"}}})
    return _json({**record, **outcome})


async def release_quarantined(request: web.Request) -> web.Response:
    return await _release(request, "admin")


@web.middleware
async def _store_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except StateUnavailable:
        return _json({"error": "state store unavailable"}, 503)


def add_routes(app: web.Application, store: StateStore) -> None:
    """`GET /admin/bans`, `DELETE /admin/bans/{key}`, `GET /admin/quarantine`, `POST /admin/quarantine/{id}/release`."""
    bind_store(app, store)
    app.middlewares.append(_store_errors)
    app.router.add_get("/admin/bans", list_bans)
    app.router.add_delete("/admin/bans/{key}", lift_ban)
    app.router.add_get("/admin/quarantine", list_quarantine)
    app.router.add_post("/admin/quarantine/{id}/release", release_quarantined)


def _with_principal(handler: Handler) -> Callable[[web.Request, Principal], Awaitable[web.StreamResponse]]:
    async def call(request: web.Request, principal: Principal) -> web.StreamResponse:
        try:
            return await handler(request)
        except StateUnavailable:
            return _json({"error": "state store unavailable"}, 503)

    return call


async def _release_by_admin(request: web.Request, principal: Principal) -> web.StreamResponse:
    try:
        return await _release(request, principal.subject)
    except StateUnavailable:
        return _json({"error": "state store unavailable"}, 503)


# For `gateway.admin_api.mount`, which puts each behind the admin role and 2FA. The admin app must
# hold the store under STORE (see `bind_store`).
ADMIN_ROUTES = (
    ("GET", "/admin/bans", _with_principal(list_bans), "bans.list"),
    ("DELETE", "/admin/bans/{key}", _with_principal(lift_ban), "bans.lift"),
    ("GET", "/admin/quarantine", _with_principal(list_quarantine), "quarantine.list"),
    ("POST", "/admin/quarantine/{id}/release", _release_by_admin, "quarantine.release"),
)


def bind_store(app: web.Application, store: StateStore) -> None:
    app[STORE] = store


def bind_gateway(app: web.Application, gateway_app: web.Application) -> None:
    """Lets release deliver through the gateway's current routes and upstream pools."""
    app[GATEWAY] = gateway_app
