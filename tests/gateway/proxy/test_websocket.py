"""WebSocket forwarding through the real gateway to a real upstream WebSocket app on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from gateway.keys import METRICS
from tests.helpers import (
    RawWebSocket,
    RunningGateway,
    WsUpstream,
    gateway_config,
    route,
    run_gateway,
    serve_app,
    serve_ws_upstream,
)
from tests.ports import closed_port

OP_TEXT, OP_CONTINUATION, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x0, 0x8, 0x9, 0xA


def ws_route(path: str = "/ws/{tail:path}", **settings: Any) -> dict[str, Any]:
    """A public WebSocket route; `settings` become the route's `websocket:` block."""
    built = route(path, websocket=True)
    if settings:
        built["websocket"] = settings
    return built


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[WsUpstream, str]]:
    async with serve_ws_upstream() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def gateway_for(upstream_url: str, routes: list[dict[str, Any]] | None = None,
                **top: Any) -> AbstractAsyncContextManager[RunningGateway]:
    return run_gateway(gateway_config(upstream_url, routes or [ws_route()], **top))


async def test_text_and_binary_are_relayed_both_ways(upstream: tuple[WsUpstream, str],
                                                     session: aiohttp.ClientSession) -> None:
    _, url = upstream
    async with gateway_for(url) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str("héllo")
        assert await ws.receive_str() == "héllo"
        await ws.send_bytes(b"\x00\xff" * 1000)
        assert await ws.receive_bytes() == b"\x00\xff" * 1000
        assert ws.protocol is None


async def test_handshake_headers_cross_and_hop_headers_do_not(upstream: tuple[WsUpstream, str],
                                                             session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with gateway_for(url) as gw, session.ws_connect(
            f"{gw.url}/ws/echo?room=1", headers={"Cookie": "sid=abc", "X-App": "7", "X-Request-Id": "req-42",
                                                 "X-Forwarded-For": "6.6.6.6"}) as ws:
        await ws.send_str("ping")
        await ws.receive_str()
        assert ws._response.headers["X-Request-Id"] == "req-42"
    seen = up.handshakes[0]
    assert seen.query_string == "room=1"
    assert seen.headers["Cookie"] == "sid=abc" and seen.headers["X-App"] == "7"
    assert seen.headers["X-Request-Id"] == "req-42"
    assert seen.headers["X-Forwarded-For"] == "127.0.0.1"  # the client's claim is not believed
    assert "Sec-WebSocket-Extensions" not in seen.headers  # no compression on either hop


@pytest.mark.parametrize(("offered", "chosen"), [
    (("xmpp",), "xmpp"),
    (("chat.v2", "mqtt"), "mqtt"),
    (("mqtt", "xmpp"), "mqtt"),
    (("chat.v2",), None),
])
async def test_the_upstreams_subprotocol_choice_reaches_the_client(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession,
        offered: tuple[str, ...], chosen: str | None) -> None:
    _, url = upstream
    async with gateway_for(url) as gw, session.ws_connect(f"{gw.url}/ws/echo", protocols=offered) as ws:
        assert ws.protocol == chosen


@pytest.mark.parametrize(("origins", "origin", "status"), [
    ((), None, 101),
    ((), "SAME", 101),
    ((), "http://evil.example", 403),
    (("https://app.example",), "https://app.example", 101),
    (("https://app.example",), "https://evil.example", 403),
    (("https://app.example",), None, 403),
    (("*",), "https://anything.example", 101),
])
async def test_origin_allow_list(upstream: tuple[WsUpstream, str], origins: tuple[str, ...],
                                 origin: str | None, status: int) -> None:
    up, url = upstream
    async with gateway_for(url, [ws_route(origins=list(origins))]) as gw:
        host = gw.url.removeprefix("http://")
        headers = {} if origin is None else {"Origin": f"http://{host}" if origin == "SAME" else origin}
        raw = await RawWebSocket.connect(gw.url, "/ws/echo", headers)
        raw.close()
    assert raw.status == status
    assert len(up.handshakes) == (1 if status == 101 else 0)  # refused before the upstream is dialled


async def test_per_client_limit_answers_429_and_frees_the_slot(upstream: tuple[WsUpstream, str],
                                                              session: aiohttp.ClientSession) -> None:
    _, url = upstream
    async with gateway_for(url, websocket={"max_connections_per_ip": 1}) as gw:
        async with session.ws_connect(f"{gw.url}/ws/echo"):
            async with session.get(f"{gw.url}/ws/echo", headers=upgrade_headers()) as refused:
                assert refused.status == 429
                assert (await refused.json())["error"] == "too many websocket connections from this client"
        async with session.ws_connect(f"{gw.url}/ws/echo") as again:
            await again.send_str("back")
            assert await again.receive_str() == "back"


async def test_total_limit_answers_503(upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession) -> None:
    _, url = upstream
    async with gateway_for(url, websocket={"max_connections": 1}) as gw:
        async with session.ws_connect(f"{gw.url}/ws/echo"):
            async with session.get(f"{gw.url}/ws/echo", headers=upgrade_headers()) as refused:
                assert refused.status == 503


def upgrade_headers() -> dict[str, str]:
    return {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


async def test_an_invalid_upgrade_is_refused_before_dialling(upstream: tuple[WsUpstream, str],
                                                            session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with gateway_for(url) as gw:
        async with session.get(f"{gw.url}/ws/echo", headers={**upgrade_headers(), "Sec-WebSocket-Key": "x"}) as bad:
            assert bad.status == 400
    assert up.handshakes == []


async def test_fragmented_messages_are_reassembled_and_pings_answered_per_hop(
        upstream: tuple[WsUpstream, str]) -> None:
    _, url = upstream
    async with gateway_for(url) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/echo")
        assert raw.status == 101
        raw.send_frame(OP_TEXT, b"frag", fin=False)
        raw.send_frame(OP_PING, b"are you there", fin=True)  # control frames may sit between fragments
        raw.send_frame(OP_CONTINUATION, b"men", fin=False)
        raw.send_frame(OP_CONTINUATION, "ted ✓".encode(), fin=True)
        assert await raw.read_frame() == (True, OP_PONG, b"are you there")
        assert await raw.read_frame() == (True, OP_TEXT, "fragmented ✓".encode())
        raw.close()


@pytest.mark.parametrize("limit_at", ["route", "global"])
async def test_a_client_message_over_max_frame_closes_1009_and_the_upstream_too(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession, limit_at: str) -> None:
    up, url = upstream
    routes = [ws_route(max_frame="1KiB")] if limit_at == "route" else [ws_route()]
    top = {"websocket": {"max_frame": "1KiB"}} if limit_at == "global" else {}
    async with gateway_for(url, routes, **top) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str("fits")
        assert await ws.receive_str() == "fits"
        await ws.send_bytes(b"y" * 1025)
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSE and msg.data == 1009
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(1001, "client went away")]


async def test_an_upstream_message_over_max_frame_closes_both_sides(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with gateway_for(url, [ws_route(max_frame="1KiB")]) as gw, \
            session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str("big:2048")
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1011, "upstream went away")
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(1009, "")]


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (1001, "leaving"), (4000, "bye"), (3999, "ünï")])
async def test_client_close_code_and_reason_reach_the_upstream(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession, code: int, reason: str) -> None:
    up, url = upstream
    async with gateway_for(url) as gw:
        ws = await session.ws_connect(f"{gw.url}/ws/echo")
        await ws.close(code=code, message=reason.encode())
        assert ws.close_code == code  # the gateway answered with the same code
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(code, reason)]


@pytest.mark.parametrize(("code", "reason"), [(1000, "done"), (4001, "later"), (1011, "oops")])
async def test_upstream_close_code_and_reason_reach_the_client(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession, code: int, reason: str) -> None:
    up, url = upstream
    async with gateway_for(url) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(f"close:{code}:{reason}")
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, code, reason)
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(code, "reply")]


def inspected_route() -> dict[str, Any]:
    """The WebSocket route with JSON text read both ways (and no filter: only the relay's own rules apply)."""
    return {**ws_route(), "messages": {"inbound": {"text": True}, "outbound": {"text": True}}}


async def test_close_reasons_carry_no_text_the_route_would_read(upstream: tuple[WsUpstream, str]) -> None:
    """A close frame's reason is text (up to 123 bytes) a peer may show or log, and no filter reads it: where a
    direction is inspected, its close code is passed on without the reason."""
    up, url = upstream
    async with gateway_for(url, [inspected_route()]) as gw, aiohttp.ClientSession() as client:
        ws = await client.ws_connect(f"{gw.url}/ws/echo")
        await ws.close(code=4000, message=b"card 4111 1111 1111 1111")
        assert ws.close_code == 4000
        await asyncio.wait_for(up.closed.wait(), 5)
        assert up.closes == [(4000, "")]
        async with client.ws_connect(f"{gw.url}/ws/echo") as ws:
            await ws.send_str("close:4001:card 4111 1111 1111 1111")
            msg = await ws.receive()
            assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4001, "")


async def test_a_client_that_vanishes_is_reported_to_the_upstream_as_1001(
        upstream: tuple[WsUpstream, str]) -> None:
    up, url = upstream
    async with gateway_for(url) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/echo")
        raw.send_frame(OP_TEXT, b"hi")
        assert await raw.read_frame() == (True, OP_TEXT, b"hi")
        raw.writer.transport.abort()  # no close frame, just gone
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(1001, "client went away")]




async def test_upstream_down_answers_502(session: aiohttp.ClientSession) -> None:
    async with gateway_for(f"http://127.0.0.1:{closed_port()}") as gw:
        async with session.get(f"{gw.url}/ws/echo", headers=upgrade_headers()) as answer:
            assert answer.status == 502
            body = await answer.json()
    assert body["error"] == "upstream unavailable" and body["request_id"]


@pytest.mark.parametrize(("status", "answered"), [(403, 403), (404, 404), (500, 502), (200, 502)])
async def test_an_upstream_refusing_the_upgrade(upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession,
                                               status: int, answered: int) -> None:
    _, url = upstream
    async with gateway_for(url) as gw:
        async with session.get(f"{gw.url}/ws/refuse/{status}", headers=upgrade_headers()) as answer:
            assert answer.status == answered
            assert (await answer.json())["error"] == "upstream refused the websocket upgrade"


async def test_an_upstream_that_never_answers_the_upgrade_times_out_504(session: aiohttp.ClientSession) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with gateway_for(f"http://127.0.0.1:{port}", [{**ws_route(), "timeout": "200ms"}]) as gw:
            async with session.get(f"{gw.url}/ws/echo", headers=upgrade_headers()) as answer:
                assert answer.status == 504
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_shutdown_closes_both_sides_with_1001(upstream: tuple[WsUpstream, str],
                                                    session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with gateway_for(url) as gw:
        ws = await session.ws_connect(f"{gw.url}/ws/echo")
        await ws.send_str("hello")
        await ws.receive_str()
    msg = await ws.receive()
    assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1001, "server shutting down")
    await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(1001, "server shutting down")]
    await ws.close()


async def test_open_connections_messages_and_bytes_are_counted(upstream: tuple[WsUpstream, str],
                                                               session: aiohttp.ClientSession) -> None:
    _, url = upstream
    async with gateway_for(url) as gw:
        registry = gw.app[METRICS].registry
        async with session.ws_connect(f"{gw.url}/ws/echo") as ws:
            for _ in range(3):
                await ws.send_str("abcd")
                await ws.receive_str()
            assert registry.get_sample_value("chatguard_websockets_open") == 1
        await wait_for_value(gw, "chatguard_websockets_open", {}, 0)
        assert registry.get_sample_value("chatguard_websocket_messages_total", {"direction": "inbound"}) == 3
        assert registry.get_sample_value("chatguard_websocket_messages_total", {"direction": "outbound"}) == 3
        assert registry.get_sample_value("chatguard_bytes_total", {"direction": "inbound"}) == 12


async def wait_for_value(gw: RunningGateway, name: str, labels: dict[str, str], value: float) -> None:
    registry = gw.app[METRICS].registry
    for _ in range(500):
        if registry.get_sample_value(name, labels) == value:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name}{labels} never reached {value}")


async def test_a_client_that_stops_answering_pings_is_dropped_and_the_upstream_told(
        upstream: tuple[WsUpstream, str]) -> None:
    up, url = upstream
    async with gateway_for(url, websocket={"heartbeat": "100ms"}) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/echo")
        frames = []
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # the gateway pings this hop itself; this client never answers
                frames.append((await asyncio.wait_for(raw.read_frame(), 5))[1])
        raw.close()
        await asyncio.wait_for(up.closed.wait(), 5)
    assert frames[0] == OP_PING
    assert up.closes == [(1001, "client went away")]


async def test_data_keeps_a_hop_alive_and_a_silent_one_that_never_answers_is_dropped(
        upstream: tuple[WsUpstream, str]) -> None:
    """A client that never answers pings but keeps sending stays connected (each message pushes the ping
    back, or answers one already sent); once it stops, it is pinged and dropped, and the upstream told."""
    up, url = upstream
    async with gateway_for(url, websocket={"heartbeat": "400ms"}) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/echo")
        for _ in range(30):  # 1.5 s of traffic, more than three heartbeats
            raw.send_frame(OP_TEXT, b"still here")
            await raw.writer.drain()
            while (frame := await asyncio.wait_for(raw.read_frame(), 5))[1] != OP_TEXT:
                assert frame[1] == OP_PING  # a ping sent during a stall of this machine: never answered
            await asyncio.sleep(0.05)
        frames = []
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # silent now, and never answering
                frames.append((await asyncio.wait_for(raw.read_frame(), 5))[1])
        raw.close()
        await asyncio.wait_for(up.closed.wait(), 5)
    assert OP_PING in frames
    assert up.closes == [(1001, "client went away")]


async def test_a_client_gone_before_the_upgrade_is_answered_is_not_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    """The client hangs up while the upstream is still dialled: the upstream is told 1001, nothing is logged
    as an error (a vanished client is routine, not a fault of the gateway)."""
    reached, go, closed = asyncio.Event(), asyncio.Event(), asyncio.Event()
    closes: list[int | None] = []

    async def slow(request: web.Request) -> web.WebSocketResponse:
        reached.set()
        await go.wait()
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:
            pass
        closes.append(ws.close_code)
        closed.set()
        return ws

    app = web.Application()
    app.router.add_get("/ws/slow", slow)
    async with serve_app(app) as url, gateway_for(url) as gw:
        host, port = gw.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /ws/slow HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        await writer.drain()
        await asyncio.wait_for(reached.wait(), 10)
        with caplog.at_level(logging.DEBUG):
            writer.transport.abort()
            await asyncio.sleep(0.2)  # the gateway notices the hang-up before the upstream answers
            go.set()
            await asyncio.wait_for(closed.wait(), 10)
    assert closes == [1001]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
