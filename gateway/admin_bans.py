"""Admin endpoints for bans and quarantine, mounted on the admin listener (auth is added there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

from filters import Principal
from gateway import responses
from gateway.state import StateStore, StateUnavailable

STORE: web.AppKey[StateStore] = web.AppKey("chatguard.admin_bans.store")


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
    return _json({"held": await responses.held(request.app[STORE])})


async def release_quarantined(request: web.Request) -> web.Response:
    record = await responses.release(request.app[STORE], request.match_info["id"])
    if record is None:
        return _json({"error": "no such message"}, 404)
    return _json(record)


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


# For `gateway.admin_api.mount`, which puts each behind the admin role and 2FA. The admin app must
# hold the store under STORE (see `bind_store`).
ADMIN_ROUTES = (
    ("GET", "/admin/bans", _with_principal(list_bans), "bans.list"),
    ("DELETE", "/admin/bans/{key}", _with_principal(lift_ban), "bans.lift"),
    ("GET", "/admin/quarantine", _with_principal(list_quarantine), "quarantine.list"),
    ("POST", "/admin/quarantine/{id}/release", _with_principal(release_quarantined), "quarantine.release"),
)


def bind_store(app: web.Application, store: StateStore) -> None:
    app[STORE] = store
