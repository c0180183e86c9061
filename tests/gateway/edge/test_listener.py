"""The listener of one process over TLS (no `--workers`): a connection counts against the caps from its
accept, so clients that open TLS connections and never finish the handshake are capped like any other,
and their slots come back once they go or their handshake times out. Real sockets, real TLS."""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from gateway.config.settings import LimitSettings
from gateway.edge.guard import ConnectionGuard
from gateway.edge.listener import REFUSING, GuardedSite
from tests.gateway.silent_clients import sockets_held, tls_contexts
from tests.helpers import wait_until


@dataclass
class Listening:
    guard: ConnectionGuard
    port: int
    client: ssl.SSLContext


@asynccontextmanager
async def listening(directory: Path, **limits: object) -> AsyncIterator[Listening]:
    """A guarded TLS listener on 127.0.0.1 in front of an app answering 200 to anything."""
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ok)
    guard = ConnectionGuard(LimitSettings(**limits))  # type: ignore[arg-type]
    app.middlewares.append(guard.middleware)
    server, client = tls_contexts(directory)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = GuardedSite(runner, guard, "127.0.0.1", 0, ssl_context=server)
    await site.start()
    try:
        yield Listening(guard, runner.addresses[0][1], client)
    finally:
        await runner.cleanup()


@pytest.fixture
def silent() -> Iterator[list[socket.socket]]:
    """Clients that connect and never send a byte (no TLS ClientHello); closed at the end of the test."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def connect_silently(port: int, source: str, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), source_address=(source, 0)) for _ in range(count)]


def closed_by_the_server(clients: list[socket.socket]) -> int:
    """How many of `clients` the server closed (they read an end or a reset)."""
    closed = 0
    for sock in select.select(clients, [], [], 0)[0]:
        try:
            closed += sock.recv(1, socket.MSG_PEEK) == b""
        except ConnectionResetError:
            closed += 1
    return closed


async def ask(at: Listening, source: str) -> bytes:
    """A whole TLS request from `source`; what the gateway answered, up to its close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", at.port, ssl=at.client, local_addr=(source, 0),
                                                   server_hostname="127.0.0.1")
    writer.write(b"GET /x HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return answer


async def test_silent_tls_handshakes_from_one_address_are_capped_and_their_slots_come_back(
        tmp_path: Path, silent: list[socket.socket]) -> None:
    async with listening(tmp_path, max_connections=20, max_connections_per_ip=5, header_timeout=30) as at:
        silent += await asyncio.to_thread(connect_silently, at.port, "127.0.0.1", 5)
        await wait_until(lambda: at.guard.count.total == 5)
        answer = await ask(at, "127.0.0.1")
        assert answer.startswith(b"HTTP/1.1 503 ") and b"too many connections from this address" in answer
        assert (await ask(at, "127.0.0.2")).startswith(b"HTTP/1.1 200 ")  # another address is not held up
        for sock in silent:
            sock.close()
        await wait_until(lambda: at.guard.count.total == 0)
        assert (await ask(at, "127.0.0.1")).startswith(b"HTTP/1.1 200 ")


async def test_silent_tls_handshakes_fill_the_total_cap(tmp_path: Path, silent: list[socket.socket]) -> None:
    async with listening(tmp_path, max_connections=6, max_connections_per_ip=3, header_timeout=30) as at:
        for source in ("127.0.0.1", "127.0.0.2"):
            silent += await asyncio.to_thread(connect_silently, at.port, source, 3)
        await wait_until(lambda: at.guard.count.total == 6)
        answer = await ask(at, "127.0.0.3")
        assert answer.startswith(b"HTTP/1.1 503 ") and b'"too many connections"' in answer


async def test_a_handshake_that_times_out_or_fails_gives_its_slot_back(
        tmp_path: Path, silent: list[socket.socket]) -> None:
    async with listening(tmp_path, max_connections=20, max_connections_per_ip=4, header_timeout=0.5) as at:
        silent += await asyncio.to_thread(connect_silently, at.port, "127.0.0.1", 2)
        broken = await asyncio.to_thread(connect_silently, at.port, "127.0.0.1", 2)
        silent += broken
        for sock in broken:  # not TLS at all: the handshake fails at once
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await wait_until(lambda: at.guard.count.total == 0)  # the failed ones at once, the silent at 0.5 s
        assert (await ask(at, "127.0.0.1")).startswith(b"HTTP/1.1 200 ")


async def test_a_flood_of_silent_handshakes_holds_the_cap_and_a_bounded_number_of_descriptors(
        tmp_path: Path, silent: list[socket.socket]) -> None:
    """Refused TLS connections wait for their handshake to be answered 503: at most REFUSING at once, the
    rest closed at once."""
    async with listening(tmp_path, max_connections=100, max_connections_per_ip=10, header_timeout=30) as at:
        base = sockets_held()
        over = REFUSING + 200
        silent += await asyncio.to_thread(connect_silently, at.port, "127.0.0.1", 10 + over)
        # Every one was accepted: all but REFUSING of those over the cap were closed at once.
        await wait_until(lambda: closed_by_the_server(silent) >= over - REFUSING)
        assert at.guard.count.total == 10
        assert sockets_held() - base - len(silent) <= 10 + REFUSING + 2
