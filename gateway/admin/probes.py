"""Liveness, readiness and metrics: the endpoints kubelet and Prometheus need, and nothing else.

They are served on the admin listener and, when `probes:` is enabled, on a listener of their own that
can face the pod network while the admin API stays on loopback.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from gateway.edge.framing import framing_middleware
from gateway.keys import AUDIT, CONFIG_STATUS, METRICS, RUNTIME

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


def _json(body: dict[str, object], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: orjson.dumps(o).decode())


def add_probe_routes(app: web.Application, gateway_app: web.Application, *, metrics: bool = True,
                     draining: asyncio.Event | None = None) -> None:
    """/healthz, /readyz and (unless `metrics` is false) /metrics, reading the gateway app's state.

    Once `draining` is set (SIGTERM), /readyz answers 503 so load balancers stop sending new work while
    in-flight requests finish; /healthz stays 200 so the instance is not killed mid-drain."""
    readiness = Readiness()

    async def healthz(_: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        if draining is not None and draining.is_set():
            return _json({"status": "draining"}, status=503)
        upstreams = await readiness.check(gateway_app)
        audit = gateway_app[AUDIT]
        ready = all(upstreams.values()) and (audit is None or audit.healthy)
        # The config in service; after a rejected reload, what was rejected (the running config still serves).
        body: dict[str, object] = {"status": "ready" if ready else "not ready",
                                   "config": gateway_app[CONFIG_STATUS].report(), "upstreams": upstreams}
        if audit is not None:
            body["audit"] = audit.status()
        return _json(body, status=200 if ready else 503)

    async def render_metrics(_: web.Request) -> web.Response:
        response = web.Response(body=gateway_app[METRICS].render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if metrics:
        app.router.add_get("/metrics", render_metrics)


def build_probe_app(gateway_app: web.Application, *, metrics: bool = True,
                    draining: asyncio.Event | None = None) -> web.Application:
    """The probe listener's app: probes and metrics only; every other path is a 404."""
    app = web.Application(middlewares=[framing_middleware])
    add_probe_routes(app, gateway_app, metrics=metrics, draining=draining)
    return app
