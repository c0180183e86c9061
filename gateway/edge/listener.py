"""The gateway's client listener: aiohttp's TCP site with every connection watched by the guard; under
`--workers N` the connections the supervisor accepted and dealt to this worker (`gateway.dealer`)."""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import ssl
from collections.abc import Callable
from typing import Any

from aiohttp import web
from yarl import URL

from gateway.dealer import CAP_OF, CLOSED, CLOSED_AT_ONCE, DEAL, SERVE
from gateway.edge.guard import ConnectionGuard

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
    itself and serves the connections that arrive on the channel."""

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
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        factory = self.guard.protocol_factory(server)
        handshake = self.guard.header_timeout if self._ssl_context is not None else None
        if self.dealt is not None:
            self._server = _Taker(self.dealt, self.guard.dealt_factory(server),  # type: ignore[assignment]
                                  self._ssl_context, handshake, self.guard.refused)
        elif self.sock is not None:
            self._server = await loop.create_server(factory, sock=self.sock, ssl=self._ssl_context,
                                                    backlog=self._backlog, ssl_handshake_timeout=handshake)
        else:
            self._server = await loop.create_server(factory, self.host, self.requested_port,
                                                    ssl=self._ssl_context, backlog=self._backlog,
                                                    reuse_port=self.reuse_port or None,
                                                    ssl_handshake_timeout=handshake)


class Dealt:
    """A worker's side of `gateway.dealer`: the channel connections arrive on, and the shared count of the
    connections this worker took off it (the supervisor passes over a worker that leaves many waiting)."""

    def __init__(self, channel: socket.socket, taken: Any) -> None:
        self.channel = channel
        self.taken = taken  # multiprocessing.RawValue("Q"): written here only, read by the supervisor


RETRY = 0.01  # seconds before closes are reported again when the supervisor's end of the channel is full
# Refused TLS connections open at once, past which one is closed unanswered: they count under no cap, and
# each may take `header_timeout` to greet and, answered, the TLS shutdown's wait for a peer that never reads.
REFUSING = 256


class _Taker:
    """Serves each connection that arrives on the channel as `loop.create_server` serves an accepted one,
    and tells the supervisor, by its number, each one that closed (it counts them against the caps).
    Stands in for the site's server: `close` stops taking (the supervisor deals to the other workers)."""

    def __init__(self, dealt: Dealt, factory: Callable[[Callable[[], None]], asyncio.Protocol],
                 ssl_context: ssl.SSLContext | None, handshake: float | None,
                 refused: Callable[[str, Callable[[], None] | None], asyncio.Protocol] | None = None) -> None:
        self.dealt = dealt
        self.factory = factory  # given the callback its protocol calls once the connection is lost
        self.refused = refused  # a protocol that answers 503 for that cap and closes
        self.ssl_context = ssl_context
        self.handshake = handshake
        self.loop = asyncio.get_running_loop()
        self.tasks: set[asyncio.Task[None]] = set()
        self.open = True
        self.serving: set[int] = set()  # numbers of the connections taken and not yet reported closed
        self.closed: list[int] = []     # reported at the end of this turn of the loop
        self.refusing = 0  # refused TLS connections not yet closed (REFUSING)
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
            # One message per connection: counted even when its descriptor was dropped on the way in (this
            # process out of descriptors), so what the supervisor sees waiting does not grow for good.
            self.dealt.taken.value += 1
            kind, number = DEAL.unpack(message) if len(message) == DEAL.size else (message[:1], 0)
            if kind == SERVE and number:
                self.serving.add(number)
            for fd in fds:
                sock = socket.socket(fileno=fd)
                cap = CAP_OF.get(kind)
                task = self.loop.create_task(self._serve(sock, number, cap), name="chatguard-dealt")
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            if not fds:
                self.lost(number)

    async def _serve(self, sock: socket.socket, number: int, cap: str | None) -> None:
        release = None  # a refused TLS connection's place in `refusing`, given back once it is gone
        if cap is not None and self.refused is not None:
            refused = self.refused
            if self.ssl_context is not None:
                if self.refusing >= REFUSING:
                    sock.close()
                    return
                release = self._refusing()
            on_lost = release

            def factory() -> asyncio.Protocol:
                return refused(cap, on_lost)
        else:
            def factory() -> asyncio.Protocol:
                return self.factory(lambda: self.lost(number))
        try:
            sock.setblocking(False)
            transport, _ = await self.loop.connect_accepted_socket(factory, sock, ssl=self.ssl_context,
                                                                   ssl_handshake_timeout=self.handshake)
        except asyncio.CancelledError:  # the gateway is stopping
            sock.close()
            if release is not None:
                release()
            raise
        except Exception:  # a failed TLS handshake or a peer gone: nothing was served
            sock.close()
            if release is not None:
                release()
            self.lost(number)
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
            self.dealt.channel.close()
            if self._report is not None:
                self._report.cancel()
                self._report = None
            for task in self.tasks:
                task.cancel()

    async def wait_closed(self) -> None:
        return None
