"""The gateway's client listener: aiohttp's TCP site with every connection watched by the guard; under
`--workers N` the connections the supervisor accepted and dealt to this worker (`gateway.dealer`). Either
way a TLS connection counts against the connection caps from its accept, before its handshake."""

from __future__ import annotations

import asyncio
import itertools
import logging
import resource
import socket
import ssl
from collections.abc import Callable
from typing import Any

from aiohttp import web
from yarl import URL

from gateway.dealer import (
    ASKED,
    CAP_OF,
    CLOSED,
    CLOSED_AT_ONCE,
    DEAL,
    PAUSE,
    SERVE,
    WS_ADMITTED,
    WS_ANSWERS,
    WS_ASKED_MAX,
    WS_CAP_OF,
    WS_CLOSED,
    WS_OPEN,
    WS_REFUSED,
    accept_queued,
    listen,
)
from gateway.edge.guard import ConnectionGuard
from gateway.edge.parse_errors import handlers_of
from gateway.proxy.connections import TOTAL as TOTAL_WS
from gateway.proxy.connections import refusal

__all__ = ["Dealt", "GuardedSite", "ensure_descriptors"]

log = logging.getLogger("chatguard.server")


def ensure_descriptors(needed: int) -> int:
    """Raise this process's open-file limit towards `needed` (up to the hard limit); warn when short.

    Each client connection is a descriptor, and a proxied one often a second towards the backend:
    a cap the process cannot reach would fail as "too many open files" instead of a clean 503.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        log.warning("open-file limit below what the connection caps need; lower limits.max_connections "
                    "or raise the limit (ulimit -n)", extra={"limit": soft, "needed": needed})
    return soft


class GuardedSite(web.BaseSite):
    """Like `web.TCPSite` (or `web.SockSite` when given `sock`), with the connection guard in front
    of aiohttp's protocol and the TLS handshake bounded by `header_timeout`. Given `dealt` (this worker's
    end of the supervisor's channel and its shared count of the connections it took) it listens on nothing
    itself and serves the connections that arrive on the channel. Over TLS in one process, it accepts the
    connections itself (`_Accepter`): they count against the caps from the accept, handshake included."""

    def __init__(self, runner: web.BaseRunner, guard: ConnectionGuard, host: str | None = None,
                 port: int = 0, *, ssl_context: ssl.SSLContext | None = None, backlog: int = 1024,
                 reuse_port: bool = False, sock: socket.socket | None = None,
                 dealt: Dealt | None = None) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self.guard = guard
        self.host = host
        self.requested_port = port
        self.reuse_port = reuse_port
        self.sock = sock
        self.dealt = dealt

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return str(URL.build(scheme=scheme, host=self.host or "0.0.0.0", port=self.requested_port))

    async def start(self) -> None:
        await super().start()
        assert self._runner.server is not None
        server = handlers_of(self._runner.server)  # parse errors answered in JSON (`gateway.edge.parse_errors`)
        loop = asyncio.get_running_loop()
        factory = self.guard.protocol_factory(server)
        handshake = self.guard.header_timeout if self._ssl_context is not None else None
        if self.dealt is not None:
            self._server = _Taker(self.dealt, self.guard.dealt_factory(server),  # type: ignore[assignment]
                                  self._ssl_context, handshake, self.guard.refused)
        elif self._ssl_context is not None:
            sockets = [self.sock] if self.sock is not None else listen(
                self.host, self.requested_port, self._backlog, reuse_port=self.reuse_port)
            self._server = _Accepter(sockets, self.guard,  # type: ignore[assignment]
                                     self.guard.admitted_factory(server), self._ssl_context, handshake)
        elif self.sock is not None:
            self._server = await loop.create_server(factory, sock=self.sock, backlog=self._backlog)
        else:
            self._server = await loop.create_server(factory, self.host, self.requested_port,
                                                    backlog=self._backlog, reuse_port=self.reuse_port or None)


class Dealt:
    """A worker's side of `gateway.dealer`: the channel connections arrive on, and the shared count of the
    connections this worker took off it (the supervisor passes over a worker that leaves many waiting).

    Over the same channel the worker asks the supervisor for a WebSocket slot (`websocket`): the WebSocket
    caps hold for the gateway as a whole, as the connection caps do. Counted per worker, one client could
    hold N x `websocket.max_connections_per_ip` (connections are dealt in turn, so a client's land on every
    worker), and a client behind a trusted proxy, whom no per-address connection cap covers, no less."""

    def __init__(self, channel: socket.socket, taken: Any) -> None:
        self.channel = channel
        self.taken = taken  # multiprocessing.RawValue("Q"): written here only, read by the supervisor
        self.asked: dict[int, asyncio.Future[bytes]] = {}  # WebSockets waiting for the supervisor's answer
        self._numbers = itertools.count(1)
        self._closed: list[int] = []  # WebSockets closed, not yet told (the supervisor's end was full)
        self._retry: asyncio.TimerHandle | None = None
        self.gone = False  # the channel is closed: no WebSocket is admitted any more

    async def websocket(self, client: str, upstream: str) -> Callable[[], None]:
        """Take a WebSocket slot of the gateway's from the supervisor, or raise `Refused` naming the cap it
        is over; what gives it back (once). Fails closed: an unanswered question (the supervisor busy past
        ASK_WITHIN seconds, or gone) is a refusal, and the slot is given back should it come later."""
        number = next(self._numbers)
        asked = client.encode() + b"\0" + upstream.encode()
        if self.gone or len(asked) > WS_ASKED_MAX:
            raise refusal(TOTAL_WS)
        answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.asked[number] = answer
        try:
            self.channel.send(ASKED.pack(0, WS_OPEN, number) + asked)
            kind = await asyncio.wait_for(answer, ASK_WITHIN)
        except (OSError, TimeoutError):
            self._tell_closed(number)  # the supervisor may have counted it: reported, it lets go
            raise refusal(TOTAL_WS) from None
        except asyncio.CancelledError:  # the client went away meanwhile
            self._tell_closed(number)
            raise
        finally:
            self.asked.pop(number, None)
        if kind != WS_ADMITTED:
            raise refusal(WS_CAP_OF.get(kind, TOTAL_WS))
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._tell_closed(number)
        return release

    def answered(self, kind: bytes, number: int) -> None:
        answer = self.asked.get(number)
        if answer is not None and not answer.done():
            answer.set_result(kind)

    def _tell_closed(self, number: int) -> None:
        self._closed.append(number)
        self._send_closed()

    def _send_closed(self) -> None:
        self._retry = None
        while self._closed and not self.gone:
            try:
                self.channel.send(ASKED.pack(0, WS_CLOSED, self._closed[0]))
            except (BlockingIOError, InterruptedError):  # the supervisor is busy: once more soon
                self._retry = asyncio.get_running_loop().call_later(RETRY, self._send_closed)
                return
            except OSError:  # the channel is closed: the supervisor let go of this worker's slots
                break
            del self._closed[0]
        if self.gone:
            self._closed.clear()

    def close(self) -> None:
        """The channel is closed: waiting questions are refused, nothing more is told."""
        self.gone = True
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        self._closed.clear()
        for answer in self.asked.values():
            if not answer.done():
                answer.set_result(WS_REFUSED[TOTAL_WS])


ASK_WITHIN = 5.0  # seconds a worker waits for the supervisor's answer about a WebSocket before refusing it
RETRY = 0.01  # seconds before closes are reported again when the supervisor's end of the channel is full
# Refused TLS connections open at once, past which one is closed unanswered: they count under no cap, and
# each may take `header_timeout` to greet and, answered, the TLS shutdown's wait for a peer that never reads.
REFUSING = 256


class _Serving:
    """What serves a connection accepted elsewhere (by the supervisor, or by `_Accepter`) as
    `loop.create_server` serves one it accepted: its TLS handshake, bounded by `handshake`, then its protocol.
    A connection over a cap gets `refused` (answers 503 and closes); over TLS, at most REFUSING of those at
    once, past which one is closed unanswered."""

    def __init__(self, ssl_context: ssl.SSLContext | None, handshake: float | None,
                 refused: Callable[[str, Callable[[], None] | None], asyncio.Protocol] | None) -> None:
        self.refused = refused  # a protocol that answers 503 for that cap and closes
        self.ssl_context = ssl_context
        self.handshake = handshake
        self.loop = asyncio.get_running_loop()
        self.tasks: set[asyncio.Task[None]] = set()
        self.refusing = 0  # refused TLS connections not yet closed (REFUSING)

    def start(self, sock: socket.socket, cap: str | None, factory: Callable[[], asyncio.Protocol],
              failed: Callable[[], None]) -> None:
        """Serve `sock` with `factory`'s protocol, or refuse it over `cap`; `failed` is called once if it
        never reached its protocol (a failed or abandoned TLS handshake, a peer gone)."""
        if cap is not None and self.refused is not None:
            refused, gone = self.refused, failed
            release = None  # a refused TLS connection's place in `refusing`, given back once it is gone
            if self.ssl_context is not None:
                if self.refusing >= REFUSING:
                    sock.close()
                    gone()
                    return
                release = self._refusing()

            def refusal() -> asyncio.Protocol:
                return refused(cap, release)

            def refusal_failed() -> None:
                if release is not None:
                    release()
                gone()
            factory, failed = refusal, refusal_failed
        task = self.loop.create_task(self._serve(sock, factory, failed), name="chatguard-accepted")
        self.tasks.add(task)

        def done(task: asyncio.Task[None]) -> None:
            self.tasks.discard(task)
            if task.cancelled():  # the gateway is stopping (perhaps before the task ever ran)
                sock.close()
                failed()
        task.add_done_callback(done)

    async def _serve(self, sock: socket.socket, factory: Callable[[], asyncio.Protocol],
                     failed: Callable[[], None]) -> None:
        try:
            sock.setblocking(False)
            transport, _ = await self.loop.connect_accepted_socket(factory, sock, ssl=self.ssl_context,
                                                                   ssl_handshake_timeout=self.handshake)
        except Exception:  # a failed TLS handshake or a peer gone: nothing was served
            sock.close()
            failed()
            return
        own = transport.get_extra_info("socket")
        if own is None or own.fileno() != sock.fileno():  # uvloop serves a duplicate: this one is spare
            sock.close()

    def _refusing(self) -> Callable[[], None]:
        """Count one more refused TLS connection in `refusing`; what gives its place back (once)."""
        self.refusing += 1
        given = False

        def release() -> None:
            nonlocal given
            if not given:
                given = True
                self.refusing -= 1
        return release

    def stop_serving(self) -> None:
        """TLS handshakes still under way are abandoned (their sockets closed), as nothing would serve them
        once the gateway drains."""
        for task in self.tasks:
            task.cancel()


class _Accepter(_Serving):
    """One process's TLS listener: accepts each connection itself and counts it against the caps at once
    (as the supervisor of `--workers N` does), so a connection still in its TLS handshake holds a slot of its
    client's and of the total. With `loop.create_server` a TLS connection reaches the guard only once its
    handshake is done: a client could hold thousands of half-done handshakes, each for up to
    `header_timeout`, under no cap. Stands in for the site's server."""

    def __init__(self, sockets: list[socket.socket], guard: ConnectionGuard,
                 factory: Callable[[str], asyncio.Protocol], ssl_context: ssl.SSLContext,
                 handshake: float | None) -> None:
        super().__init__(ssl_context, handshake, guard.refused)
        self.sockets = sockets
        self.guard = guard
        self.factory = factory  # given the connection's client key, already counted
        self.open = True
        self._resume: asyncio.TimerHandle | None = None
        self._watch()

    def _watch(self) -> None:
        self._resume = None
        for sock in self.sockets:
            sock.setblocking(False)
            self.loop.add_reader(sock.fileno(), self._accept, sock)

    def _unwatch(self) -> None:
        for sock in self.sockets:
            self.loop.remove_reader(sock.fileno())

    def _pause(self) -> None:
        self._unwatch()
        self._resume = self.loop.call_later(PAUSE, self._watch)

    def _accept(self, listener: socket.socket) -> None:
        for conn, peer in accept_queued(listener, self._pause):
            key, cap = self.guard.take(peer)
            if key is None:
                self.start(conn, cap, asyncio.Protocol, _nothing)
                continue
            self.start(conn, None, *self._admitted(key))

    def _admitted(self, key: str) -> tuple[Callable[[], asyncio.Protocol], Callable[[], None]]:
        """The protocol factory of a connection counted under `key`, and what gives its slot back if the
        connection never reaches that protocol (its protocol gives it back once it did)."""
        made: list[asyncio.Protocol] = []

        def factory() -> asyncio.Protocol:
            made.append(self.factory(key))
            return made[0]

        def failed() -> None:
            if made:
                self.guard.abandoned(made[0])
            else:
                self.guard.release(key)
        return factory, failed

    def close(self) -> None:
        """Stop accepting (the listening sockets are closed) and abandon the handshakes under way."""
        if self.open:
            self.open = False
            if self._resume is not None:
                self._resume.cancel()
            else:
                self._unwatch()
            for sock in self.sockets:
                sock.close()
            self.stop_serving()

    async def wait_closed(self) -> None:
        return None


def _nothing() -> None:
    return None


class _Taker(_Serving):
    """Serves each connection that arrives on the channel as `loop.create_server` serves an accepted one,
    and tells the supervisor, by its number, each one that closed (it counts them against the caps).
    Stands in for the site's server: `close` stops taking (the supervisor deals to the other workers)."""

    def __init__(self, dealt: Dealt, factory: Callable[[Callable[[], None]], asyncio.Protocol],
                 ssl_context: ssl.SSLContext | None, handshake: float | None,
                 refused: Callable[[str, Callable[[], None] | None], asyncio.Protocol] | None = None) -> None:
        super().__init__(ssl_context, handshake, refused)
        self.dealt = dealt
        self.factory = factory  # given the callback its protocol calls once the connection is lost
        self.open = True
        self.serving: set[int] = set()  # numbers of the connections taken and not yet reported closed
        self.closed: list[int] = []     # reported at the end of this turn of the loop
        self._report: asyncio.Handle | None = None
        dealt.channel.setblocking(False)
        self.loop.add_reader(dealt.channel.fileno(), self._take)

    def _take(self) -> None:
        while self.open:
            try:
                message, fds, _, _ = socket.recv_fds(self.dealt.channel, DEAL.size, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:  # the supervisor's end is closed: it is gone or stopping
                self.close()
                return
            if not fds and message[:1] in WS_ANSWERS and len(message) == DEAL.size:
                self.dealt.answered(*DEAL.unpack(message))  # about a WebSocket: no connection dealt
                continue
            # One message per connection: counted even when its descriptor was dropped on the way in (this
            # process out of descriptors), so what the supervisor sees waiting does not grow for good.
            self.dealt.taken.value += 1
            kind, number = DEAL.unpack(message) if len(message) == DEAL.size else (message[:1], 0)
            if kind == SERVE and number:
                self.serving.add(number)
            for fd in fds:
                self._serve_dealt(socket.socket(fileno=fd), number, CAP_OF.get(kind))
            if not fds:
                self.lost(number)

    def _serve_dealt(self, sock: socket.socket, number: int, cap: str | None) -> None:
        def factory() -> asyncio.Protocol:
            return self.factory(lambda: self.lost(number))
        self.start(sock, cap, factory, lambda: self.lost(number))

    def lost(self, number: int) -> None:
        """Connection `number` is gone (or never served): reported once, with the others of this turn."""
        if number not in self.serving:
            return
        self.serving.discard(number)
        self.closed.append(number)
        if self._report is None:
            self._report = self.loop.call_soon(self._send_closed)

    def _send_closed(self) -> None:
        self._report = None
        while self.closed:
            batch = self.closed[:CLOSED_AT_ONCE]
            try:
                self.dealt.channel.send(b"".join(CLOSED.pack(number) for number in batch))
            except (BlockingIOError, InterruptedError):  # the supervisor is busy: once more soon
                self._report = self.loop.call_later(RETRY, self._send_closed)
                return
            except OSError:  # the channel is closed: the supervisor is gone or this worker is stopping
                self.closed.clear()
                return
            del self.closed[:CLOSED_AT_ONCE]

    def close(self) -> None:
        """Stop taking connections; TLS handshakes still under way are abandoned (their sockets closed),
        as nothing would serve them once the gateway drains."""
        if self.open:
            self.open = False
            self.loop.remove_reader(self.dealt.channel.fileno())
            self.dealt.close()
            self.dealt.channel.close()
            if self._report is not None:
                self._report.cancel()
                self._report = None
            self.stop_serving()

    @property
    def sockets(self) -> list[socket.socket]:
        return []

    async def wait_closed(self) -> None:
        return None
