"""Upstream sessions through the real gateway: WebSockets kept out of the HTTP pool, a bounded wait for a
pooled connection, and closed WebSockets that leave nothing behind."""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.proxy.websocket import connections
from gateway.proxy.ws_bridge import Bridge
from tests.helpers import RunningGateway, gateway_config, route, run_gateway, serve_app, until


class Backend:
    """An echo WebSocket and a slow HTTP endpoint that holds its pooled connection until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.slow_started = 0
        self.app = web.Application()
        self.app.router.add_get("/ws", self.echo)
        self.app.router.add_get("/slow", self.slow)
        self.app.router.add_post("/post", self.post)

    async def echo(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(message.data)
        return ws

    async def slow(self, request: web.Request) -> web.Response:
        self.slow_started += 1
        await self.release.wait()
        return web.Response(text="slow")

    async def post(self, request: web.Request) -> web.Response:
        return web.Response(text=f"got {len(await request.read())}")


@pytest.fixture
async def backend() -> AsyncIterator[tuple[Backend, str]]:
    made = Backend()
    async with serve_app(made.app) as url:
        yield made, url
    made.release.set()


def gateway(url: str, upstream: dict[str, Any] | None = None, **top: Any) -> Any:
    cfg = gateway_config(url, [route("/ws", websocket=True), route("/slow"), route("/post", methods=["POST"])],
                         shield={"enabled": False}, **top)
    cfg["upstreams"]["up"].update(upstream or {})
    return run_gateway(cfg)


async def test_open_websockets_leave_the_http_pool_free(backend: tuple[Backend, str]) -> None:
    _, url = backend
    async with gateway(url, {"pool_size": 2}) as gw, aiohttp.ClientSession() as client:
        sockets = [await client.ws_connect(f"{gw.url}/ws") for _ in range(5)]  # more than the pool holds
        try:
            for ws in sockets:
                await ws.send_str("hi")
                assert await ws.receive_str() == "hi"
            async with client.post(f"{gw.url}/post", data=b"x" * 10) as resp:
                assert resp.status == 200 and await resp.text() == "got 10"
        finally:
            for ws in sockets:
                await ws.close()


async def test_waiting_for_a_pooled_connection_ends_with_503_and_retry_after(backend: tuple[Backend, str]) -> None:
    made, url = backend
    async with gateway(url, {"pool_size": 1, "pool_timeout": "200ms"}) as gw, aiohttp.ClientSession() as client:
        holder = asyncio.ensure_future(client.get(f"{gw.url}/slow"))
        await until(lambda: made.slow_started > 0, "the only pooled connection to be taken")
        async with client.post(f"{gw.url}/post", data=b"x") as resp:
            assert resp.status == 503 and resp.headers["Retry-After"] == "1"
            assert (await resp.json())["error"] == "upstream busy"
        made.release.set()
        async with await holder as slow:
            assert slow.status == 200
        async with client.post(f"{gw.url}/post", data=b"x") as resp:  # the slot came back
            assert resp.status == 200


async def test_upstream_websocket_cap_answers_503(backend: tuple[Backend, str]) -> None:
    _, url = backend
    async with gateway(url, websocket={"max_upstream_connections": 2}) as gw, \
            aiohttp.ClientSession() as client:
        first, second = await client.ws_connect(f"{gw.url}/ws"), await client.ws_connect(f"{gw.url}/ws")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{gw.url}/ws")
        assert refused.value.status == 503 and refused.value.headers is not None
        assert refused.value.headers["Retry-After"] == "5"
        await first.close()
        await wait_until_closed(gw, 1)
        third = await client.ws_connect(f"{gw.url}/ws")  # a closed socket gives its slot back
        for ws in (second, third):
            await ws.close()


async def wait_until_closed(gw: RunningGateway, still_open: int = 0) -> None:
    registry = connections(gw.app)
    await until(lambda: len(registry.live) <= still_open and registry.total <= still_open,
                f"{still_open} open websockets")


# What one bridged WebSocket is made of on the gateway: none of it may outlive the socket.
_PARTS = (aiohttp.ClientWebSocketResponse, aiohttp.ClientResponse, aiohttp.connector.Connection,
          web.WebSocketResponse, Bridge, asyncio.TimerHandle)


def census() -> Counter[str]:
    gc.collect()
    return Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, _PARTS))


def holders(name: str) -> str:
    """Who keeps a survivor of type `name` alive: the referrers of one, for the failure message."""
    gc.collect()
    survivor = next((o for o in gc.get_objects() if type(o).__name__ == name), None)
    if survivor is None:
        return "none left"
    return "; ".join(f"{type(r).__name__}: {str(r)[:120]}" for r in gc.get_referrers(survivor)[:5])


async def test_closed_websockets_leave_nothing_behind_with_heartbeat_on(backend: tuple[Backend, str]) -> None:
    """500 sockets opened and closed through the gateway (heartbeat 30 s, the default): the objects that
    made them up are gone right after, not when their heartbeat timer would have fired."""
    _, url = backend
    async with gateway(url) as gw, aiohttp.ClientSession() as client:
        assert gw.settings.websocket.heartbeat > 0

        async def one() -> None:
            async with client.ws_connect(f"{gw.url}/ws") as ws:
                await ws.send_str("x")
                assert await ws.receive_str() == "x"

        async def cycle(count: int, at_once: int = 25) -> None:
            for _ in range(count // at_once):
                await asyncio.gather(*(one() for _ in range(at_once)))
            await wait_until_closed(gw)

        await cycle(25)  # warm-up: pools, caches and lazily built objects
        before = census()
        await cycle(500)
        after = census()
        grown = {name: after[name] - before[name] for name in after if after[name] - before[name] > 5}
        assert not grown, f"objects left behind: {grown}; one is held by: {holders(next(iter(grown)))}"
