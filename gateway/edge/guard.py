"""Deadlines and caps for every client connection, so slow or greedy clients cannot hold a worker.

aiohttp parses HTTP; this module watches each connection around its parser and cuts it off
when a client is too slow or holds too many sockets. One `ConnectionGuard` per listener:

- `header_timeout`: a new connection, and a kept-alive one once its next request starts, must
  deliver the whole request head in time (slowloris: heads sent a byte at a time). 408, close.
- `body_timeout`: the whole request body must arrive within this time of its head (slow POST:
  bodies trickled a byte at a time). Readers of the body get `BodyTimeout`; 408, close.
- `idle_timeout`: a kept-alive connection without a request is closed (sockets hoarded idle).
- `send_timeout`: a client that leaves the gateway's output unread this long (send buffer full)
  is dropped (slow readers holding a response and its upstream connection).
- `max_connections`, `max_connections_per_ip`: accepted connections above the cap are answered
  503 and closed at once, before any parsing (`refuse`). Peers listed in `trusted_proxies` carry
  many clients and count only towards the total. A TLS connection counts from its accept, handshake
  included (`gateway.edge.listener`). Under `--workers N` the supervisor holds these caps for all workers
  (`gateway.dealer`); each worker's guard still counts its own share.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import orjson
from aiohttp import web

from gateway.codec.shapes import ConnectionShapes
from gateway.config.settings import LimitSettings
from gateway.edge.client_address import IPNetwork
from gateway.edge.connection_count import TOTAL, ConnectionCount
from gateway.edge.errors import error_response
from gateway.edge.framing import framed, plainly_framed
from gateway.edge.request_id import request_id_from
from gateway.metrics import Metrics
from gateway.proxy.bodies import BodyTimeout

__all__ = ["ConnectionGuard"]

log = logging.getLogger("chatguard.guard")

_HEAD, _REQUEST, _IDLE = "header", "request", "idle"
LINGER = 1.0  # seconds a refused connection is read and dropped from before it is cut (`refuse`)
# Refused connections lingering at once per process, past which one is closed at once (its 503 may be lost
# to a reset): refused connections count under no cap, so without it a client over the caps could make the
# gateway hold as many descriptors as it opens connections in LINGER seconds.
LINGERING = 256


def _canned(status: str, error: str) -> bytes:
    """A whole HTTP/1.1 answer written straight to the socket (no request was parsed)."""
    body = orjson.dumps({"error": error})
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n").encode() + body


_BUSY = _canned("503 Service Unavailable", "too many connections")
_BUSY_CLIENT = _canned("503 Service Unavailable", "too many connections from this address")
_HEAD_TIMEOUT = _canned("408 Request Timeout", "request head not received in time")


class ConnectionGuard:
    """Counts open connections (per client address and in total) and owns their deadlines."""

    def __init__(self, limits: LimitSettings, trusted: tuple[IPNetwork, ...] = (),
                 metrics: Metrics | None = None, client_key: Callable[[str], str] = str) -> None:
        self.header_timeout = float(limits.header_timeout)
        self.body_timeout = float(limits.body_timeout)
        self.idle_timeout = float(limits.idle_timeout)
        self.send_timeout = float(limits.send_timeout)
        # The caps; a client is `client_key(address)`: the address, or its IPv6 /64.
        self.count = ConnectionCount(limits.max_connections, limits.max_connections_per_ip, trusted, client_key)
        self.metrics = metrics
        self._live: dict[object, _Connection] = {}  # aiohttp's protocol -> our watcher
        self.lingering = 0  # refused connections within their LINGER seconds (`refuse`)

    def apply(self, limits: LimitSettings, trusted: tuple[IPNetwork, ...], client_key: Callable[[str], str]) -> None:
        """The caps of a reloaded config, for connections from now on (`ConnectionCount.apply`). The deadlines
        stay those of the start: aiohttp's own backstops were set from them."""
        self.count.apply(limits.max_connections, limits.max_connections_per_ip, trusted, client_key)

    def protocol_factory(self, server: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """Wrap aiohttp's protocol factory (`runner.server`) for `loop.create_server`."""
        return lambda: _Connection(self, server())

    def dealt_factory(self, server: Callable[[], asyncio.Protocol]) -> Callable[[Callable[[], None]], asyncio.Protocol]:
        """Like `protocol_factory`, for a connection the supervisor dealt (`gateway.edge.listener`): the
        protocol also calls `on_lost` once the connection is gone, which tells the supervisor."""
        return lambda on_lost: _Connection(self, server(), on_lost)

    def admitted_factory(self, server: Callable[[], asyncio.Protocol]) -> Callable[[str], asyncio.Protocol]:
        """Like `protocol_factory`, for a connection already counted (`take`) under the client key it is
        given: its protocol gives the slot back once the connection is gone (`abandoned` if it never came)."""
        return lambda key: _Connection(self, server(), key=key)

    def abandoned(self, protocol: asyncio.Protocol) -> None:
        """A connection made by `admitted_factory` that never reached its protocol (a TLS handshake that
        failed or timed out): its slot is given back, once."""
        assert isinstance(protocol, _Connection)
        protocol.abandon()

    def refused(self, cap: str, on_lost: Callable[[], None] | None = None) -> asyncio.Protocol:
        """A protocol that answers 503 and closes: the supervisor found the connection over `cap`. It calls
        `on_lost` once the connection is gone."""
        return _Refused(self, cap, on_lost)

    @web.middleware
    async def middleware(self, request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Tells the watcher when a request head is complete and when its handler is done; checks the
        request's framing first (`gateway.edge.framing`)."""
        connection = self._live.get(request.protocol)
        plain = plainly_framed(request)  # else transfer codings and upgrades are checked (`framed`)
        if connection is None:  # served by a listener without a guard (an embedding app)
            return await handler(request) if plain else await framed(request, handler, self.metrics)
        connection.begin(request)
        try:
            return await handler(request) if plain else await framed(request, handler, self.metrics)
        except BodyTimeout:
            return body_timed_out(request, request_id_from(request.headers))
        finally:
            connection.end()

    def shapes(self, request: web.Request) -> ConnectionShapes | None:
        """The body shapes of the client connection `request` came on (`ConnectionShapes`); None for a
        request this guard does not watch. Asked by the inspected path only: pass-through pays nothing."""
        connection = self._live.get(request.protocol)
        return connection.shapes if connection is not None else None

    def admit(self, peer: Any) -> tuple[str | None, bytes]:
        """Take a slot for a new connection: `(key, b"")`, or `(None, answer)` when over a cap."""
        key, refused = self.take(peer)
        if key is None:
            return None, self.refusal(refused)
        return key, b""

    def take(self, peer: Any) -> tuple[str | None, str]:
        """Take a slot for a new connection from `peer`: `(key, "")`, or `(None, cap)` when over `cap`
        (nothing counted as refused yet: the refusal is, once answered)."""
        key, refused = self.count.admit(peer[0] if isinstance(peer, tuple) and peer else "")
        if key is not None and self.metrics is not None:
            self.metrics.connections_open.inc()
        return key, refused

    def refusal(self, cap: str) -> bytes:
        """The answer to a connection over `cap` (`TOTAL` or `PER_CLIENT`), counted as refused."""
        if self.metrics is not None:
            self.metrics.connections_refused.labels(cap).inc()
        return _BUSY if cap == TOTAL else _BUSY_CLIENT

    def release(self, key: str) -> None:
        self.count.release(key)
        if self.metrics is not None:
            self.metrics.connections_open.dec()

    def timed_out(self, phase: str) -> None:
        if self.metrics is not None:
            self.metrics.connection_timeouts.labels(phase).inc()


def body_timed_out(request: web.Request, request_id: str) -> web.Response:
    """408 for a body that did not arrive in time; the connection is not reused."""
    response = error_response(408, "request body not received in time", request_id)
    response.force_close()
    return response


class _Refused(asyncio.Protocol):
    """A dealt connection over a cap the supervisor holds: answered as `ConnectionGuard.admit` answers
    one over the caps it holds itself (over TLS once the handshake is done)."""

    def __init__(self, guard: ConnectionGuard, cap: str, on_lost: Callable[[], None] | None = None) -> None:
        self.guard = guard
        self.cap = cap
        self.on_lost = on_lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        refuse(cast(asyncio.Transport, transport), self.guard.refusal(self.cap), self.guard)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.on_lost is not None:
            self.on_lost()


def refuse(transport: asyncio.Transport, answer: bytes, guard: ConnectionGuard) -> None:
    """Write `answer` and close. Closing a socket with unread bytes sends a reset, which can destroy the
    answer before the client reads it, so over plain TCP the gateway only shuts its side down and reads
    and drops what the client sends until it closes, for at most LINGER seconds (its protocol closes on
    EOF: this connection never reaches aiohttp). TLS has no half-close: closed at once, but its shutdown
    waits for the client's own (30 s for one that never reads), so it too is cut after LINGER seconds. No
    more than LINGERING connections linger at once (each counted for its whole LINGER seconds); past that
    a plain one is closed at once, a TLS one cut at once (its answer may be lost)."""
    transport.write(answer)
    if guard.lingering >= LINGERING:
        if transport.can_write_eof():
            transport.close()
        else:
            transport.abort()
        return
    if transport.can_write_eof():
        transport.write_eof()
    else:
        transport.close()
    guard.lingering += 1
    asyncio.get_running_loop().call_later(LINGER, _lingered, transport, guard)


def _lingered(transport: asyncio.Transport, guard: ConnectionGuard) -> None:
    guard.lingering -= 1
    transport.abort()


class _Connection(asyncio.Protocol):
    """Sits between the transport and aiohttp's protocol: passes every event on, keeps the deadlines.

    The hot path only writes `phase` and `deadline`; one timer per connection checks them. It
    wakes at the deadline or at most `header_timeout` ahead, so a phase change only re-arms it when
    the new deadline comes before that wake-up (a body or idle timeout shorter than the header
    timeout): a kept-alive request answered within `header_timeout` costs no timer operation.
    """

    __slots__ = ("_timer", "_wake", "_write_timer", "deadline", "guard", "inner", "key", "loop", "on_lost", "phase",
                 "received", "request", "shapes", "transport")

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol,
                 on_lost: Callable[[], None] | None = None, key: str | None = None) -> None:
        self.guard = guard
        self.inner = inner
        self.on_lost = on_lost
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.key = key  # given: counted at the accept (`ConnectionGuard.admitted_factory`)
        self.phase = _HEAD
        self.deadline: float | None = None  # loop time at which the current phase is over
        self.received = False  # bytes of the current head have arrived
        self.request: web.Request | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._wake = 0.0  # loop time the pending timer fires at
        self._write_timer: asyncio.TimerHandle | None = None
        self.shapes = ConnectionShapes()  # its requests' body shapes (`ConnectionGuard.shapes`)

    # asyncio.Protocol ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's TLS transport is not a subclass
        if self.key is None:
            self.key, refusal = self.guard.admit(transport.get_extra_info("peername"))
            if self.key is None:
                refuse(transport, refusal, self.guard)
                return
        self.transport = transport
        self.guard._live[self.inner] = self
        self.inner.connection_made(transport)
        self.deadline = self.loop.time() + self.guard.header_timeout
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.phase is _IDLE:
            if self.transport is None:
                return
            self.phase = _HEAD
            self.deadline = self.loop.time() + self.guard.header_timeout
            self.received = True
        elif self.phase is _HEAD:
            if self.transport is None:
                return
            self.received = True
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        if self.transport is None:
            return None
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.on_lost is not None:
            self.on_lost()
            self.on_lost = None
        if self.key is None:
            return  # refused: aiohttp never saw this connection
        if self.transport is None:  # counted at the accept, gone before it was made
            self.abandon()
            return
        for timer in (self._timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        self._timer = self._write_timer = None
        self.guard.release(self.key)
        self.key = None
        self.guard._live.pop(self.inner, None)
        self.transport = None
        self.request = None
        self.inner.connection_lost(exc)

    def abandon(self) -> None:
        """Never made (its TLS handshake failed): the slot counted at the accept is given back, once."""
        if self.transport is None and self.key is not None:
            self.guard.release(self.key)
            self.key = None

    def pause_writing(self) -> None:
        if self.transport is not None and self._write_timer is None:
            self._write_timer = self.loop.call_later(self.guard.send_timeout, self._send_expired)
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        self.inner.resume_writing()

    # request boundaries, told by the middleware ------------------------------------------------

    def begin(self, request: web.Request) -> None:
        self.phase = _REQUEST
        self.received = False
        if request.content.is_eof():
            # The handler's own limits apply (route timeout, WebSocket heartbeat). A pending timer is
            # left to fire: it finds no deadline and lapses, so a WebSocket that lives for hours holds
            # no timer of the guard's, and a request answered before it fires (most are) costs no timer
            # operation at all: `end` finds it still armed, and it re-arms for the idle deadline.
            self.deadline = None
        else:
            self.request = request
            self.deadline = self.loop.time() + self.guard.body_timeout
            self._rearm_if_late()

    def end(self) -> None:
        self.request = None
        if self.transport is None:
            return
        self.phase = _IDLE
        self.deadline = self.loop.time() + self.guard.idle_timeout
        self._rearm_if_late()

    # deadlines --------------------------------------------------------------------------------

    def _arm(self) -> None:
        assert self.deadline is not None
        self._wake = wake = min(self.deadline, self.loop.time() + self.guard.header_timeout)
        self._timer = self.loop.call_at(wake, self._check)

    def _rearm_if_late(self) -> None:
        """After a new deadline: a timer only when none is pending or the pending one would wake after it
        (a body or idle timeout shorter than the header timeout)."""
        if self._timer is None:
            self._arm()
        elif self._wake > self.deadline:  # type: ignore[operator]  # set by the caller
            self._timer.cancel()
            self._arm()

    def _check(self) -> None:
        self._timer = None
        if self.transport is None or self.deadline is None:
            return  # gone, or a request without a deadline: `end` re-arms
        if self.loop.time() < self.deadline:
            self._arm()
            return
        self.deadline = None
        if self.phase is _HEAD:
            self.guard.timed_out("header")
            if self.received:
                self.transport.write(_HEAD_TIMEOUT)
            self._close()
        elif self.phase is _IDLE:
            self.guard.timed_out("idle")
            self._close()
        elif self.request is not None and not self.request.content.is_eof():
            self.guard.timed_out("body")
            # The handler's next read raises; it answers 408 (or the middleware does) and the
            # connection closes after the answer.
            self.request.content.set_exception(BodyTimeout())

    def _send_expired(self) -> None:
        self._write_timer = None
        if self.transport is None:
            return
        self.guard.timed_out("send")
        self.transport.abort()

    def _close(self) -> None:
        """Close gracefully; a client that is not reading what is queued for it is cut off."""
        assert self.transport is not None
        if self.transport.get_write_buffer_size():
            self.transport.abort()
        else:
            self.transport.close()
