"""Slow and greedy clients over real sockets: every deadline cuts them off, every cap holds.

Deadlines are short (fractions of a second) so the tests are quick; each asserts that the cut
came no earlier than the deadline and that the connection really ended (EOF or reset).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from gateway.codec.shapes import Shapes
from gateway.keys import GUARD, METRICS
from tests.helpers import RunningGateway, gateway_config, route, run_gateway, serve_app, wait_until

DEADLINE = 0.4
PATIENCE = 10.0  # how long a test waits for the cut before it calls the deadline broken


async def upstream_handler(request: web.Request) -> web.StreamResponse:
    if request.path == "/big":  # far more than any socket buffer: a client that does not read stalls it
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b"x" * 65536
        for _ in range(512):
            await response.write(chunk)
        await response.write_eof()
        return response
    body = await request.read()
    return web.json_response({"received": len(body)})


@asynccontextmanager
async def guarded_gateway(top: dict[str, Any] | None = None, **limits: Any) -> AsyncIterator[RunningGateway]:
    """The gateway (deadlines of DEADLINE unless `limits` says otherwise) in front of `upstream_handler`."""
    upstream_app = web.Application()
    upstream_app.router.add_route("*", "/{tail:.*}", upstream_handler)
    async with serve_app(upstream_app) as url:
        config = gateway_config(url, [
            route("/chat", methods=["POST"], messages={"inbound": {"json": ["/text"]}}),
            route("/{rest:path}"),
        ], limits={"header_timeout": DEADLINE, "body_timeout": DEADLINE, "idle_timeout": DEADLINE,
                   "send_timeout": DEADLINE, **limits}, **(top or {}))
        async with run_gateway(config) as running:
            yield running


@pytest.fixture
async def gateway() -> AsyncIterator[RunningGateway]:
    async with guarded_gateway() as running:
        yield running


async def connect(gateway: RunningGateway) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = gateway.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the gateway sends until it ends the connection (EOF or reset)."""
    received = b""
    async with asyncio.timeout(PATIENCE):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk


async def trickle(writer: asyncio.StreamWriter, data: bytes, stop: asyncio.Event) -> None:
    """Send `data` a byte at a time, far slower than any deadline allows, until the peer hangs up."""
    for byte in data:
        if stop.is_set() or writer.is_closing():
            return
        try:
            writer.write(bytes([byte]))
            await writer.drain()
        except (ConnectionError, OSError):
            return
        await asyncio.sleep(DEADLINE / 8)


def timeouts(gateway: RunningGateway, phase: str) -> float:
    value = gateway.app[METRICS].registry.get_sample_value("chatguard_connection_timeouts_total",
                                                           {"phase": phase})
    return value or 0.0


async def test_a_connection_that_sends_nothing_is_closed_at_the_header_deadline(gateway: RunningGateway) -> None:
    reader, writer = await connect(gateway)
    started = time.monotonic()
    assert await read_until_closed(reader) == b""  # no request, no answer: just closed
    assert time.monotonic() - started >= DEADLINE * 0.9
    assert timeouts(gateway, "header") == 1
    writer.close()


async def test_a_head_sent_a_byte_at_a_time_is_cut_off_with_408(gateway: RunningGateway) -> None:
    reader, writer = await connect(gateway)
    stop = asyncio.Event()
    head = b"GET /chat HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4000 + b"\r\n\r\n"
    sender = asyncio.create_task(trickle(writer, head, stop), name="trickle-head")
    started = time.monotonic()
    answer = await read_until_closed(reader)
    stop.set()
    await sender
    assert time.monotonic() - started >= DEADLINE * 0.9
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"request head not received in time" in answer
    writer.close()


@pytest.mark.parametrize(("path", "framing"), [
    ("/chat", b"Content-Length: 1000"),         # inspected: read whole, then filtered
    ("/other", b"Content-Length: 1000"),        # not inspected, small: read whole
    ("/other", b"Transfer-Encoding: chunked"),  # not inspected, unknown length: streamed upstream
], ids=["inspected", "small", "streamed"])
async def test_a_trickled_body_is_cut_off_with_408(gateway: RunningGateway, path: str, framing: bytes) -> None:
    reader, writer = await connect(gateway)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
                 + framing + b"\r\n\r\n")
    if b"chunked" in framing:
        writer.write(b"3e8\r\n")
    stop = asyncio.Event()
    sender = asyncio.create_task(trickle(writer, b'{"text": "' + b"a" * 990, stop), name="trickle-body")
    started = time.monotonic()
    answer = await read_until_closed(reader)
    stop.set()
    await sender
    assert time.monotonic() - started >= DEADLINE * 0.9
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"request body not received in time" in answer
    assert b"Connection: close" in answer
    assert timeouts(gateway, "body") == 1
    writer.close()


async def test_a_kept_alive_connection_is_closed_when_idle(gateway: RunningGateway) -> None:
    reader, writer = await connect(gateway)
    # The idle deadline runs from the gateway's end of the answer, which this client only learns of
    # later (under load, much later). Its own request went out before that end for sure: timed from
    # there, the close can never look early, whatever the scheduler did to this test in between.
    started = time.monotonic()
    writer.write(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
    status = await reader.readline()
    assert status.startswith(b"HTTP/1.1 200 ")
    while (await reader.readline()) != b"\r\n":
        pass
    await read_until_closed(reader)  # the JSON body, then the close
    assert time.monotonic() - started >= DEADLINE * 0.9
    assert timeouts(gateway, "idle") == 1
    writer.close()


async def test_an_idle_timeout_shorter_than_the_header_timeout_still_holds() -> None:
    # The connection's timer was armed a header timeout ahead when the request began; the idle deadline
    # comes long before that, so the end of the answer must bring the timer forward.
    async with guarded_gateway(header_timeout=60, idle_timeout=DEADLINE) as running:
        reader, writer = await connect(running)
        writer.write(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200 ")
        await read_until_closed(reader)  # within PATIENCE, far less than the header timeout
        assert timeouts(running, "idle") == 1
        writer.close()


async def test_a_client_that_does_not_read_its_answer_is_dropped(gateway: RunningGateway) -> None:
    reader, writer = await connect(gateway)
    writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
    await wait_until(lambda: timeouts(gateway, "send") == 1)
    await read_until_closed(reader)  # what was in flight, then the end: not a stalled connection
    writer.close()


async def test_connections_per_address_are_capped_and_slots_come_back() -> None:
    async with guarded_gateway(max_connections_per_ip=3, header_timeout=30) as gateway:
        held = [await connect(gateway) for _ in range(3)]
        reader, writer = await connect(gateway)
        answer = await read_until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert b"too many connections from this address" in answer
        writer.close()
        held[0][1].close()
        await wait_until(lambda: gateway.app[GUARD].count.total == 2)
        reader, writer = await connect(gateway)
        writer.write(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await read_until_closed(reader)).startswith(b"HTTP/1.1 200 ")
        for _, held_writer in held:
            held_writer.close()


async def test_trusted_proxies_count_only_towards_the_total() -> None:
    top = {"trusted_proxies": ["127.0.0.0/8"]}  # a load balancer in front carries many clients
    async with guarded_gateway(top, max_connections=2, max_connections_per_ip=1, header_timeout=30) as gateway:
        held = [await connect(gateway) for _ in range(2)]  # over the per-address cap: not applied
        reader, writer = await connect(gateway)
        answer = await read_until_closed(reader)
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert b'"too many connections"' in answer
        writer.close()
        for _, held_writer in held:
            held_writer.close()


async def _post_chat(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, text: str) -> None:
    body = json.dumps({"text": text}).encode()
    writer.write(b"POST /chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body), body))
    assert (await reader.readline()).startswith(b"HTTP/1.1 200 ")
    length = 0
    while (line := await reader.readline()) != b"\r\n":
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)


async def test_each_connection_keeps_its_own_body_shapes(gateway: RunningGateway) -> None:
    """The shapes of a client's bodies are its connection's: learnt from its second body, read through from
    its third, never seen by another connection (`ConnectionGuard.shapes`)."""
    guard = gateway.app[GUARD]
    first, other = await connect(gateway), await connect(gateway)
    for text in ("one", "two", "three"):
        await _post_chat(*first, text)
    await _post_chat(*other, "alone")
    kept = {id(connection): [s for s in connection.shapes._by_codec.values() if isinstance(s, Shapes)]  # noqa: SLF001
            for connection in guard._live.values()}  # noqa: SLF001
    assert sorted(len(shapes) for shapes in kept.values()) == [0, 1]  # the connection of one body learnt nothing
    [learnt] = [shapes for found in kept.values() for shapes in found]
    assert learnt._hits == 1  # noqa: SLF001  # the third body was read through its shape
    for _, writer in (first, other):
        writer.close()
