"""The lean upstream client against a raw socket backend that answers whatever bytes a test scripts.

A backend that frames a response ambiguously must never get its bytes read as the next answer
on a kept-alive connection: every such case is an error and the connection is not reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import ClientPayloadError, ServerDisconnectedError, ServerTimeoutError

from gateway.proxy.h1client import ConnectFailed, Pool
from gateway.proxy.h1parse import UpstreamProtocolError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

type Script = Callable[[int], bytes | None]  # index of the request (over all connections) -> answer


class Backend:
    """Counts connections; each request gets the scripted answer (None: close without one)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                request = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(request)
                answer = self.script(len(self.requests) - 1)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if answer.startswith(b"HTTP/1.0"):
                    break  # an HTTP/1.0 answer without a length ends with the connection
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@pytest.fixture
async def backend() -> AsyncIterator[Callable[[Script], tuple[Backend, Pool]]]:
    servers: list[asyncio.Server] = []
    pools: list[Pool] = []

    async def make(script: Script) -> tuple[Backend, Pool]:
        found = Backend(script)
        server = await asyncio.start_server(found.serve, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        pool = Pool("127.0.0.1", port, limit=4, keepalive=30.0, connect_timeout=2.0)
        pools.append(pool)
        return found, pool

    yield make  # type: ignore[misc]
    for pool in pools:
        await pool.aclose()
    for server in servers:
        server.close()


async def body(pool: Pool, method: str = "GET", data: bytes | None = None, read_timeout: float = 5.0) -> bytes:
    response = await pool.request(method, "/x", {"X-Test": "1"}, data, read_timeout)
    try:
        return await response.content.read()
    finally:
        response.release()


async def test_keeps_the_connection_alive_and_frames_every_kind_of_body(backend) -> None:  # type: ignore[no-untyped-def]
    answers = [OK, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nab\r\n1\r\nc\r\n0\r\nX-T: 1\r\n\r\n",
               b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", OK]
    found, pool = await backend(lambda i: answers[i])
    assert await body(pool, "POST", b'{"a":1}') == b"ok"
    assert await body(pool) == b"abc"
    assert await body(pool) == b""
    assert await body(pool, "HEAD") == b""  # Content-Length of a HEAD answer announces no body
    assert found.connections == 1
    first = found.requests[0]
    assert first.startswith(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1:") and first.endswith(b'Content-Length: 7\r\n\r\n{"a":1}')


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!",
    b"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"200 OK\r\n\r\n",
    # response splitting and smuggling shapes
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
    b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    b"HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A: 1\rContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A:\x01\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 300 + b"Content-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nok\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000002\r\nok\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: " + b"t" * 200_000 + b"\r\n\r\n",
])
async def test_ambiguous_heads_are_refused(backend, answer: bytes) -> None:  # type: ignore[no-untyped-def]
    """Refused before any of it is relayed (bad chunks in the head's read fail the head too)."""
    found, pool = await backend(lambda i: answer if i == 0 else OK)
    with pytest.raises(UpstreamProtocolError):
        await body(pool)
    assert await body(pool) == b"ok" and found.connections == 2  # never reused


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
])
async def test_bad_chunks_fail_the_body(backend, answer: bytes) -> None:  # type: ignore[no-untyped-def]
    found, pool = await backend(lambda i: answer if i == 0 else OK)
    with pytest.raises(ClientPayloadError):
        await body(pool)
    assert await body(pool) == b"ok" and found.connections == 2


async def test_bytes_after_the_body_or_close_end_the_connection(backend) -> None:  # type: ignore[no-untyped-def]
    answers = [OK + b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged", OK,
               b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", OK]
    found, pool = await backend(lambda i: answers[i])
    assert [await body(pool) for _ in answers] == [b"ok"] * 4  # never the smuggled answer
    assert found.connections == 3


async def test_close_delimited_and_truncated_bodies(backend) -> None:  # type: ignore[no-untyped-def]
    _, pool = await backend(lambda i: None)
    with pytest.raises(ServerDisconnectedError):
        await body(pool, "POST", b"x")
    found, pool = await backend(lambda i: b"HTTP/1.0 200 OK\r\n\r\nuntil close" if i == 0 else None)
    assert await body(pool) == b"until close"
    truncating, pool = await backend(lambda i: b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort")
    response = await pool.request("GET", "/", {}, None, 5.0)
    for writer in truncating.writers:
        writer.close()  # before the announced length arrived
    with pytest.raises(ClientPayloadError):
        await asyncio.wait_for(response.content.read(), 2.0)
    response.release()


async def test_stale_kept_alive_connection_is_retried_for_idempotent_methods_only(backend) -> None:  # type: ignore[no-untyped-def]
    found, pool = await backend(lambda i: OK)
    assert await body(pool) == b"ok"
    for writer in found.writers:
        writer.close()  # the backend drops its idle connection
    await asyncio.sleep(0.1)
    assert await body(pool) == b"ok"  # the dead connection was noticed and replaced
    assert found.connections == 2


async def test_read_timeout_and_refused_connections(backend) -> None:  # type: ignore[no-untyped-def]
    _, pool = await backend(lambda i: b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok")
    with pytest.raises(ServerTimeoutError):
        await body(pool, read_timeout=0.2)
    refused = Pool("127.0.0.1", 9, limit=1, keepalive=1.0, connect_timeout=1.0)
    with pytest.raises(ConnectFailed):
        await body(refused)


async def test_header_values_never_inject_lines(backend) -> None:  # type: ignore[no-untyped-def]
    _, pool = await backend(lambda i: OK)
    with pytest.raises(ValueError, match="line break"):
        await pool.request("GET", "/", {"X-A": "1\r\nX-Injected: 1"}, None, 1.0)


async def test_concurrent_requests_on_one_connection_each_get_their_own_answer(backend) -> None:  # type: ignore[no-untyped-def]
    """A connection goes back to the pool as soon as an answer is complete, before its caller resumes:
    the next request on it must not take over the first one's body or be closed by its release()."""
    found, pool = await backend(lambda i: b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%d" % (len(str(i)), i))
    pool.limit = 1

    async def one(n: int) -> bytes:
        response = await pool.request("POST", "/", {}, str(n).encode(), 5.0)
        try:
            data: bytes = await response.content.read()
            return data
        finally:
            response.release()

    answers = await asyncio.gather(*(one(n) for n in range(30)))
    assert sorted(int(a) for a in answers) == list(range(30)) and found.connections == 1
