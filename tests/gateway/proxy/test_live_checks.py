"""Open WebSockets follow bans and ended sessions made after their upgrade: unit rules on stand-in
connections, then real sockets through one gateway and through two gateways sharing Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Collection
from contextlib import AsyncExitStack

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from gateway.access.shield import ban_keys
from gateway.keys import STATE
from gateway.proxy.connections import Connections
from gateway.proxy.live_checks import LiveChecks
from gateway.proxy.websocket import connections
from gateway.state import MemoryStore
from gateway.state.events import StateEvent
from tests.gateway.state._redis import REDIS_URL, raw_redis, unique_prefix
from tests.helpers import RunningGateway, gateway_config, route, run_gateway, serve_app, until


class Socket:
    """A stand-in for one bridged connection: records how it was ended."""

    def __init__(self, client: str, subject: str = "anonymous", session: str | None = None,
                 expires: float | None = None) -> None:
        self.client, self.subject = client, subject
        self.session = (session, expires)
        self.ended: str | None = None

    async def shutdown(self) -> None:
        self.ended = "shutdown"

    async def end_session(self) -> None:
        self.ended = "session"

    async def end_banned(self) -> None:
        self.ended = "banned"


class Oracle:
    def __init__(self, ended: set[str]) -> None:
        self.ended = ended
        self.asked: list[set[str]] = []

    async def revoked_among(self, sessions: Collection[str]) -> set[str]:
        self.asked.append(set(sessions))
        return self.ended & set(sessions)


def registry_of(*sockets: Socket) -> Connections:
    registry = Connections()
    for socket in sockets:
        subject = None if socket.subject == "anonymous" else socket.subject
        registry.track(socket, ban_keys(socket.client, subject))
    return registry


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


@pytest.mark.parametrize(("key", "ended"), [
    ("ip:192.0.2.1", {"anon-1", "ann-1"}),      # the address: everyone behind it
    ("subject:ann", {"ann-1", "ann-2"}),        # the subject: wherever she is
    ("pair:ann|192.0.2.1", {"ann-1"}),          # the pair: only that combination
    ("ip:192.0.2.99", set()),
])
async def test_a_ban_event_ends_exactly_the_sockets_it_covers(key: str, ended: set[str]) -> None:
    sockets = {"anon-1": Socket("192.0.2.1"), "ann-1": Socket("192.0.2.1", "ann", "s1"),
               "ann-2": Socket("192.0.2.2", "ann", "s2"), "bob": Socket("192.0.2.3", "bob", "s3")}
    checks = LiveChecks(registry_of(*sockets.values()), MemoryStore(), None)
    checks.on_event(StateEvent("ban", key, time.time() + 60))
    await settle()
    assert {name for name, s in sockets.items() if s.ended == "banned"} == ended
    assert all(s.ended in (None, "banned") for s in sockets.values())


async def test_revocations_end_the_session_or_every_gateway_session_of_the_user() -> None:
    one, two, external = Socket("a", "ann", "s1"), Socket("b", "ann", "s2"), Socket("c", "ann", None)
    checks = LiveChecks(registry_of(one, two, external), MemoryStore(), None)
    checks.on_event(StateEvent("revoke_session", "s1"))
    await settle()
    assert (one.ended, two.ended) == ("session", None)
    checks.on_event(StateEvent("revoke_subject", "ann"))
    await settle()
    assert two.ended == "session" and external.ended is None  # an IdP's token has no gateway session


async def test_one_sweep_asks_once_for_all_sessions_and_ends_expired_credentials() -> None:
    now = time.time()
    expired, revoked, fine = Socket("a", "ann", "s1", now - 1), Socket("b", "bob", "s2"), Socket("c", "cy", "s3")
    oracle = Oracle({"s2"})
    checks = LiveChecks(registry_of(expired, revoked, fine), MemoryStore(), oracle)
    await checks.sweep()
    await settle()
    assert oracle.asked == [{"s2", "s3"}]  # one batched question, not one per socket
    assert (expired.ended, revoked.ended, fine.ended) == ("session", "session", None)


async def test_after_a_gap_open_sockets_are_checked_against_the_bans_in_force() -> None:
    store = MemoryStore()
    banned, fine = Socket("192.0.2.1"), Socket("192.0.2.2")
    checks = LiveChecks(registry_of(banned, fine), store, None)
    await store.ban("ip:192.0.2.1", 60)  # nobody listened: as if the event was lost
    await checks.resync()
    await settle()
    assert (banned.ended, fine.ended) == ("banned", None)


# -- real sockets ------------------------------------------------------------------------------------


class Upstream:
    def __init__(self) -> None:
        self.closes: list[int | None] = []
        self.app = web.Application()
        self.app.router.add_get("/ws", self.echo)

    async def echo(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(message.data)
        self.closes.append(ws.close_code)
        return ws


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    made = Upstream()
    async with serve_app(made.app) as url:
        yield made, url


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> tuple[int | None, str]:
    message = await ws.receive(timeout=10)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    return ws.close_code, str(message.extra or "")


async def test_a_ban_closes_an_open_websocket_through_the_gateway(upstream: tuple[Upstream, str]) -> None:
    up, url = upstream
    config = gateway_config(url, [route("/ws", websocket=True)], shield={"enabled": False})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws") as ws:
        await ws.send_str("hi")
        assert await ws.receive_str() == "hi"
        await gw.app[STATE].ban("ip:127.0.0.1", 60, "test")
        assert await closed_with(ws) == (1008, "banned")
        await until(lambda: up.closes == [1001], "the upstream to be told")


async def test_a_ban_through_one_gateway_closes_sockets_open_on_another(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    prefix = unique_prefix()
    config = gateway_config(url, [route("/ws", websocket=True)], shield={"enabled": False},
                            state={"backend": "redis", "url": REDIS_URL, "prefix": prefix})
    async with raw_redis(prefix), AsyncExitStack() as stack:
        one: RunningGateway = await stack.enter_async_context(run_gateway(config))
        two: RunningGateway = await stack.enter_async_context(run_gateway(config))
        client = await stack.enter_async_context(aiohttp.ClientSession())
        ws = await stack.enter_async_context(client.ws_connect(f"{two.url}/ws"))
        await ws.send_str("hi")
        assert await ws.receive_str() == "hi"
        await until(lambda: len(connections(two.app).live) == 1, "the socket to be tracked")
        await one.app[STATE].ban("ip:127.0.0.1", 60, "raised on the other instance")
        assert await closed_with(ws) == (1008, "banned")
