"""A lean HTTP/1.1 client for relaying buffered requests to plain-HTTP backends, with a keep-alive pool.

Why not aiohttp's client here: per relayed request it builds a request object, a response
object, timers, a connection wrapper and several header copies; on a 300-byte chat message
that was about half of the gateway's CPU per request (see benchmarks/README.md). This client
writes the request head and body in one write and frames the answer with llhttp (`h1parse`) into an
`aiohttp.StreamReader`, so everything downstream (streaming, SSE, bounded reads) is unchanged.

Used for requests whose body is already in memory (or absent) on `http://` upstreams; request
bodies that stream and TLS upstreams use aiohttp's client. A connection returns to the pool only
after its response was framed completely and allowed keep-alive; anything odd closes it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping

from aiohttp import ClientConnectionError, ServerDisconnectedError, ServerTimeoutError, StreamReader
from multidict import CIMultiDictProxy

from gateway.proxy.h1parse import Head, ResponseParser, UpstreamProtocolError

__all__ = ["ConnectFailed", "Pool", "UpstreamResponse"]

_READ_LIMIT = 2**16  # StreamReader low-water mark, as aiohttp's read_bufsize
_RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})  # idempotent (RFC 9110 9.2.2)
_BODY_EXPECTED = frozenset({"POST", "PUT", "PATCH"})


class ConnectFailed(ClientConnectionError):
    """The backend could not be connected to (refused, unreachable, connect timeout)."""


class _Connection(asyncio.Protocol):
    """One kept-alive connection; one request at a time. Framing is `h1parse.ResponseParser`'s."""

    def __init__(self, pool: Pool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = ResponseParser(self)
        self.head: asyncio.Future[tuple[Head, StreamReader]] | None = None
        self.pending: Head | None = None  # parsed, not yet handed to the caller
        self.generation = 0  # counts requests: an old answer's release() must not touch a newer one
        self.reader: StreamReader | None = None
        self.framing = "none"
        self.keep_alive = False
        self.received = False  # any byte of the current answer arrived
        self.done = True  # the current answer is complete (or there is none)
        self.ended = False  # the parser saw the answer's end during this feed
        self.lost = False
        self.idle_since = 0.0
        self.timeout: float | None = None
        self.last_read = 0.0
        self.timer: asyncio.TimerHandle | None = None
        self._reading_paused = False

    # -- what aiohttp's StreamReader expects of its protocol ---------------------------------------
    @property
    def connected(self) -> bool:
        return not self.lost

    def pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self, resume_parser: bool = True) -> None:
        if self._reading_paused and self.transport is not None and not self.lost:
            self._reading_paused = False
            self.transport.resume_reading()

    # -- asyncio.Protocol --------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports do not subclass it

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._stop_timer()
        if self.head is not None and not self.head.done():
            self.head.set_exception(ServerDisconnectedError())
        elif self.reader is not None and not self.done:
            if self.framing == "close":
                self.reader.feed_eof()
            else:
                self.reader.set_exception(UpstreamProtocolError("the backend closed before the body ended"))
        self.done = True
        self.pool.forget(self)

    def data_received(self, data: bytes) -> None:
        self.last_read = self.loop.time()
        if self.done:  # nothing was asked: a backend talking out of turn is not trusted again
            self.close()
            return
        self.received = True
        self.ended = False
        try:
            self.parser.feed(data)
        except UpstreamProtocolError as exc:
            self._fail(exc)
            return
        self._deliver()
        if self.ended:
            self._finish()

    # -- the parser's sink -----------------------------------------------------------------------------
    def on_head(self, head: Head) -> None:
        assert self.head is not None
        self.keep_alive = head.keep_alive
        self.framing = head.framing
        self.reader = StreamReader(self, _READ_LIMIT, loop=self.loop)  # type: ignore[arg-type]
        # Handed over once the bytes that came with the head parsed cleanly: a bad first chunk in
        # the same read fails the head (502) rather than a body already being relayed.
        self.pending = head

    def _deliver(self) -> None:
        """The reader travels with the head: once this answer is complete the connection may carry
        the next request before the caller of this one resumes."""
        if self.pending is not None:
            assert self.head is not None and self.reader is not None
            self.head.set_result((self.pending, self.reader))
            self.pending = None

    def on_data(self, data: bytes) -> None:
        assert self.reader is not None
        self.reader.feed_data(data)

    def on_end(self) -> None:
        self.ended = True

    def _finish(self) -> None:
        """The answer is complete: hand the connection back, unless it cannot carry another one."""
        assert self.reader is not None
        self.done = True
        self._stop_timer()
        self.reader.feed_eof()
        if not self.keep_alive or self._reading_paused:
            self.close()
        else:
            self.pool.put_back(self)

    def _fail(self, exc: Exception) -> None:
        if self.ended:  # the answer was whole; what followed it was not asked for
            self._deliver()
            self.keep_alive = False
            self._finish()
            return
        self.pending = None
        if self.head is not None and not self.head.done():
            self.head.set_exception(exc)
        elif self.reader is not None and not self.done:
            self.reader.set_exception(exc)
        self.done = True
        self._stop_timer()
        self.close()

    # -- requests ------------------------------------------------------------------------------------
    def send(self, method: str, data: bytes, timeout: float | None) -> asyncio.Future[tuple[Head, StreamReader]]:
        assert self.transport is not None
        self.generation += 1
        self.parser.expect(method)
        self.head = self.loop.create_future()
        self.reader = None
        self.pending = None
        self.received = False
        self.done = False
        self.timeout = timeout
        self.last_read = self.loop.time()
        if self.lost:  # closed by the backend between checkout and now
            self.head.set_exception(ServerDisconnectedError())
            return self.head
        if timeout:
            self.timer = self.loop.call_at(self.last_read + timeout, self._check_timeout)
        self.transport.write(data)
        return self.head

    def _check_timeout(self) -> None:
        """No byte for `timeout` seconds while an answer is due: as aiohttp's sock_read timeout."""
        self.timer = None
        if self.done or self.timeout is None:
            return
        due = self.last_read + self.timeout
        if self.loop.time() < due:
            self.timer = self.loop.call_at(due, self._check_timeout)
            return
        error = ServerTimeoutError("timeout reading from the backend")
        if self.head is not None and not self.head.done():
            self.head.set_exception(error)
        elif self.reader is not None:
            self.reader.set_exception(error)
        self.done = True
        self.close()

    def _stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def close(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.close()
        self.pool.forget(self)


class UpstreamResponse:
    """The part of aiohttp's ClientResponse the proxy uses: status, reason, headers, content, release()."""

    __slots__ = ("_connection", "_generation", "content", "headers", "reason", "status")

    def __init__(self, connection: _Connection, generation: int, head: Head, content: StreamReader) -> None:
        self._connection = connection
        self._generation = generation
        self.status = head.status
        self.reason: str | None = head.reason
        self.headers: CIMultiDictProxy[str] = head.headers
        self.content = content

    def release(self) -> None:
        """Done with the answer: a connection whose body was not read to the end is closed."""
        connection = self._connection
        if connection.generation == self._generation and not connection.done:
            connection.done = True
            connection.close()


class Pool:
    """Kept-alive connections to one backend, at most `limit` open (further requests wait)."""

    def __init__(self, host: str, port: int, *, limit: int, keepalive: float, connect_timeout: float | None) -> None:
        self.host = host
        self.port = port
        self.host_header = host if port == 80 else f"{host}:{port}"
        if ":" in host:  # an IPv6 literal
            self.host_header = f"[{host}]" if port == 80 else f"[{host}]:{port}"
        self.limit = limit
        self.keepalive = keepalive
        self.connect_timeout = connect_timeout
        self._idle: deque[_Connection] = deque()
        self._open: set[_Connection] = set()
        self._connecting = 0  # connects under way hold a slot too
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    def put_back(self, connection: _Connection) -> None:
        if self._closed:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.append(connection)
        self._wake()

    def forget(self, connection: _Connection) -> None:
        if connection in self._open:
            self._open.discard(connection)
            try:
                self._idle.remove(connection)
            except ValueError:
                pass
            self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _checkout(self) -> tuple[_Connection, bool]:
        """A connection to use now, and whether it was kept alive from an earlier request."""
        while True:
            now = time.monotonic()
            while self._idle:
                connection = self._idle.pop()
                if connection.lost or now - connection.idle_since > self.keepalive:
                    connection.close()
                    continue
                return connection, True
            if len(self._open) + self._connecting < self.limit:
                return await self._connect(), False
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # the slot this waiter was given goes to the next one
                raise

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        self._connecting += 1
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(lambda: _Connection(self, loop), self.host, self.port)
        except (OSError, TimeoutError) as exc:
            raise ConnectFailed(f"cannot connect to the backend ({type(exc).__name__})") from exc
        finally:
            self._connecting -= 1
            self._wake()  # a failed connect frees its slot
        self._open.add(connection)
        return connection

    def head_bytes(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
        """The request head; Host and the body framing are the pool's own, never a client's."""
        parts = [f"{method} {target} HTTP/1.1\r\nHost: {self.host_header}\r\n"]
        for name, value in headers.items():
            lower = name.lower()
            if lower in ("host", "content-length", "transfer-encoding"):
                continue
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ValueError("line break in a header")
            parts.append(f"{name}: {value}\r\n")
        if body is not None or method in _BODY_EXPECTED:
            parts.append(f"Content-Length: {len(body) if body else 0}\r\n")
        parts.append("\r\n")
        return "".join(parts).encode("utf-8", "surrogateescape")

    async def request(self, method: str, target: str, headers: Mapping[str, str], body: bytes | None,
                      read_timeout: float | None) -> UpstreamResponse:
        """Send one request; the answer's head is read, its body streams from `content`."""
        if self._closed:
            raise ClientConnectionError("pool closed")
        data = self.head_bytes(method, target, headers, body)
        if body:
            data += body
        for attempt in (0, 1):
            connection, reused = await self._checkout()
            answer = connection.send(method, data, read_timeout)
            generation = connection.generation
            try:
                head, content = await answer
            except ServerDisconnectedError:
                # A kept-alive connection the backend closed meanwhile: safe to resend only when
                # nothing of an answer came back and the method is idempotent.
                if attempt == 0 and reused and not connection.received and method in _RETRYABLE:
                    continue
                raise
            except asyncio.CancelledError:
                if connection.generation == generation:  # not already carrying someone else's request
                    connection.done = True
                    connection.close()
                raise
            return UpstreamResponse(connection, generation, head, content)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        self._closed = True
        for connection in list(self._open):
            connection.close()
        self._idle.clear()
