"""The admin listener: liveness, readiness and metrics on a separate (by default loopback) port."""

from __future__ import annotations

import asyncio
import time

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.admin import api, bans
from gateway.keys import AUDIT, METRICS, RUNTIME, STATE

_READY_CACHE = 2.0  # seconds: probes may come often; do not open sockets for each one


async def _reachable(host: str, port: int, limit: float) -> bool:
    try:
        async with asyncio.timeout(limit):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


class Readiness:
    """Config loaded and every upstream accepts TCP connections (cached for a moment)."""

    def __init__(self) -> None:
        self._checked_at = 0.0
        self._result: dict[str, bool] = {}

    async def check(self, app: web.Application) -> dict[str, bool]:
        now = time.monotonic()
        if now - self._checked_at < _READY_CACHE and self._result:
            return self._result
        runtime = app[RUNTIME].current
        names = list(runtime.settings.upstreams)
        origins = [runtime.upstreams.origin(name) for name in names]
        results = await asyncio.gather(*(
            _reachable(origin.host or "", origin.port or 80,
                       min(runtime.settings.upstreams[name].connect_timeout, 2.0))
            for name, origin in zip(names, origins, strict=True)
        ))
        self._result = dict(zip(names, results, strict=True))
        self._checked_at = now
        return self._result


def build_admin_app(gateway_app: web.Application) -> web.Application:
    """Admin endpoints read the gateway app's runtime and metrics; they never proxy anything."""
    admin = web.Application()
    readiness = Readiness()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, dumps=lambda o: orjson.dumps(o).decode())

    async def readyz(_: web.Request) -> web.Response:
        upstreams = await readiness.check(gateway_app)
        audit = gateway_app[AUDIT]
        ready = all(upstreams.values()) and (audit is None or audit.healthy)
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "config": True,
                                   "upstreams": upstreams}
        if audit is not None:
            body["audit"] = audit.status()
        return web.json_response(body, status=200 if ready else 503, dumps=lambda o: orjson.dumps(o).decode())

    async def metrics(_: web.Request) -> web.Response:
        body = gateway_app[METRICS].render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    admin.router.add_get("/healthz", healthz)
    admin.router.add_get("/readyz", readyz)
    admin.router.add_get("/metrics", metrics)
    bans.bind_store(admin, gateway_app[STATE])
    bans.bind_gateway(admin, gateway_app)  # released quarantined messages go to their route's upstream
    api.mount(admin, gateway_app)  # /admin/*: behind the admin role and 2FA
    return admin
