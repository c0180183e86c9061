"""How the client connections of `chatguard serve --workers N` reach the workers: the supervisor accepts
them and deals them to the ready workers in turn, over a Unix socket pair each (SCM_RIGHTS).

Why not SO_REUSEPORT (each worker its own listening socket, the kernel hashing each connection's addresses
to one of them), as before: the hash ignores what each worker already holds. Of a few long-lived
connections (a load balancer's keep-alive pool, a handful of WebSocket bridges) it often gives one worker
most and leaves the other idle; 4 connections land 4 / 0 one time in 8, and an idle worker is a core the
gateway does not use. Dealt in turn, N workers get equal shares of the connections as they arrive, to
within one, whatever their count. Three more things come with it:
- a worker that stops taking connections (its loop held up) is passed over once WAITING of them wait
  for it, until it takes them;
- connections queued for a worker that is killed are not reset with its socket: the queue is the
  supervisor's, and they go to the workers still running;
- a worker never sees a connection before it listens (the supervisor deals only to ready workers).

What it costs: a poll, accept, one `sendmsg` and a close in the supervisor per new connection, and
reading the worker's report of its close: 22-24 µs of its CPU on the 2-core benchmark machine as it now is
(17-18 before the caps were counted here; the TLS handshake and everything after it stay in the worker),
nothing per request on a kept-alive connection. One supervisor thus deals some 40,000 new connections a
second at most, far above what the workers serve when each connection carries a single request
(2,100-3,300 a second through 2 workers here, where the gateway as a whole spent less CPU per such
request than with SO_REUSEPORT: benchmarks/README.md).

The connection caps (`limits.max_connections`, `max_connections_per_ip`) hold for the gateway as a whole:
the supervisor counts every connection it deals, per client and in total (`ConnectionCount`, the rule a
single process's guard applies), and a connection over a cap goes to a worker marked as refused, which
answers it 503 and closes, as one process does (over TLS once the handshake is done). Each message carries
the connection's number; the worker sends the numbers of closed connections back over the same socket
pair, gathered per turn of its loop. What a worker was dealt and has not reported closed is released when
the worker exits: its connections die with it, as do those still queued on its channel. Counted per
worker, one address could hold N x the cap. A connection counts from its accept, so TLS handshakes still
under way count too (as in a single process, `gateway.edge.listener`).

The WebSocket caps (`websocket.max_connections`, `max_connections_per_ip`, `max_upstream_connections`)
hold for the gateway as a whole the same way: before it opens one, a worker asks over its channel (its
client's key and the upstream, by a number of its own) and waits for the answer, admitted or the cap it
is over; it reports the WebSocket closed by the same number. Counted per worker, one address held N x
`max_connections_per_ip` (its connections are dealt in turn to every worker), and a client behind a
trusted proxy, under no per-address connection cap, as many. A message that starts with number 0 (never
a connection's) is about a WebSocket.

Why in turn and not to the worker holding the fewest open connections: a worker learns of a close only
when its loop runs, so right after a burst of closes (a pool recycled at once, or a load generator's
warm-up ending) a busy worker's count is stale by all of them, and a burst of new connections went wholly
to the other worker (64 / 0 in one benchmark round): kept-alive, they stay there. Arrivals dealt in turn
cannot be skewed by anything the workers report late. Each worker counts the connections it has taken
off its channel in a shared counter; dealt minus taken is what waits for it.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import socket
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from filters.options import OptionsError
from gateway.edge.connection_count import PER_CLIENT, TOTAL, ConnectionCount
from gateway.proxy import connections as ws

if TYPE_CHECKING:
    from gateway.config.settings import WebSocketSettings

log = logging.getLogger("chatguard.server")

BACKLOG = 1024       # the listening queue, as the single-process listener's
DEAL_AT_ONCE = 256   # connections accepted per wake-up before signals and workers are looked at again
PAUSE = 0.1          # seconds without accepting after accept itself failed (out of descriptors, memory)
WAITING = 64         # connections sent to a worker and not yet taken, past which it is passed over

# Supervisor -> worker, one message per connection, its descriptor attached: what to do, the number.
DEAL = struct.Struct("<cQ")
SERVE = b"c"                                   # serve it; report its number once it is closed
REFUSE = {TOTAL: b"t", PER_CLIENT: b"p"}       # answer 503 and close (which cap); not counted
CAP_OF = {kind: cap for cap, kind in REFUSE.items()}
# Worker -> supervisor: the numbers of closed connections, up to CLOSED_AT_ONCE per message.
CLOSED = struct.Struct("<Q")
CLOSED_AT_ONCE = 512
# Worker -> supervisor, about WebSockets: number 0 (never a connection's), then what and the worker's number
# for the WebSocket; an opening one carries its client key and upstream name, NUL between them.
ASKED = struct.Struct("<QcQ")
WS_OPEN, WS_CLOSED = b"o", b"x"
WS_ASKED_MAX = 1024  # bytes of client key and upstream name at most (the answer is a refusal past that)
# Supervisor -> worker, the answer (a DEAL message without a descriptor): admitted, or the cap it is over.
WS_ADMITTED = b"y"
WS_REFUSED = {ws.TOTAL: b"T", ws.PER_CLIENT: b"P", ws.PER_UPSTREAM: b"U"}
WS_CAP_OF = {kind: cap for cap, kind in WS_REFUSED.items()}
WS_ANSWERS = frozenset({WS_ADMITTED, *WS_REFUSED.values()})


def accept_queued(listener: socket.socket, paused: Callable[[], None]) -> Iterator[tuple[socket.socket, Any]]:
    """The connections queued on `listener`, up to DEAL_AT_ONCE, each with TCP_NODELAY set; the caller owns
    each one it is given.

    A client that gave up while queued is skipped. When accept itself fails (out of descriptors or memory)
    the connection stays queued and the socket readable, so the loop logs, calls `paused` (the caller stops
    watching for PAUSE seconds instead of waking at once to fail again) and ends."""
    for _ in range(DEAL_AT_ONCE):
        try:
            conn, peer = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            if exc.errno in (errno.ECONNABORTED, errno.EPROTO):
                continue
            log.warning("accept failed; pausing", extra={"error": exc.strerror or str(exc), "pause": PAUSE})
            paused()
            return
        if conn.family in (socket.AF_INET, socket.AF_INET6):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        yield conn, peer


def listen(host: str | None, port: int, backlog: int = BACKLOG, *, reuse_port: bool = False) -> list[socket.socket]:
    """The gateway's listening sockets (one per address `host` resolves to, as asyncio's server binds them),
    non-blocking; a port that cannot be bound is an `OptionsError` naming `listen.port`."""
    sockets: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(backlog)
            sock.setblocking(False)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        cause = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise OptionsError("listen.port", f"cannot listen on {host}:{port}: {cause}") from None
    return sockets


def channel_pair() -> tuple[socket.socket, socket.socket]:
    """(supervisor's end, worker's end): one message per connection, its descriptor attached."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)  # a worker that does not read never blocks the supervisor
    return ours, theirs


@dataclass
class Seat:
    """One worker as the dealer sees it: its end of the channel, what was sent to it and what it took."""

    channel: socket.socket
    taken: Any  # a shared `c_uint64` the worker raises per connection it takes (multiprocessing.RawValue)
    dealt: int = 0
    held: dict[int, str] = field(default_factory=dict)  # number -> client key, dealt and not reported closed
    websockets: dict[int, Callable[[], None]] = field(default_factory=dict)  # its number -> what releases it
    open: bool = True  # False once the worker closed its end (it stops taking; it is left on its exit)

    @property
    def waiting(self) -> int:
        return self.dealt - int(self.taken.value)


@dataclass
class WebSocketCaps:
    """`websocket.max_connections`, `max_connections_per_ip` and `max_upstream_connections`, for the gateway
    as a whole: each worker asks before it opens a WebSocket (`gateway.edge.listener.Dealt.websocket`)."""

    max_total: int
    max_per_client: int
    max_per_upstream: int
    count: ws.Connections = field(default_factory=ws.Connections)

    def apply(self, settings: WebSocketSettings) -> None:
        """The caps of a config (at start, and on SIGHUP for WebSockets opened from then on)."""
        self.max_total = settings.max_connections
        self.max_per_client = settings.max_connections_per_ip
        self.max_per_upstream = settings.max_upstream_connections


@dataclass
class Dealer:
    """Accepts on the listening sockets and hands the connections to the seats in turn, counting them
    against the caps."""

    listeners: list[socket.socket]
    count: ConnectionCount | None = None  # None: no caps (tests of the dealing alone)
    websockets: WebSocketCaps | None = None  # None: every WebSocket a worker asks about is admitted
    seats: dict[int, Seat] = field(default_factory=dict)  # worker slot -> seat, ready workers only
    resume_at: float | None = None  # accepting paused until then (accept failed)
    _turn: int = 0  # the seats are dealt to in turn, starting after the last one dealt to
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def sit(self, index: int, seat: Seat) -> None:
        self.seats[index] = seat

    def leave(self, index: int) -> None:
        """A worker gone: what was sent to it and not yet taken is closed with its channel, and what it
        held is no longer counted (its connections closed when it exited)."""
        seat = self.seats.pop(index, None)
        if seat is not None:
            seat.channel.close()
            if self.count is not None:
                for key in seat.held.values():
                    self.count.release(key)
            seat.held.clear()
            for release in seat.websockets.values():
                release()
            seat.websockets.clear()

    def settle(self, index: int) -> None:
        """Read what the worker at `index` reported closed and stop counting it."""
        seat = self.seats.get(index)
        while seat is not None and seat.open:
            try:
                report = seat.channel.recv(CLOSED.size * CLOSED_AT_ONCE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                report = b""
            if not report:  # the worker closed its end: it is stopping, and left once it exits
                seat.open = False
                return
            if report[:CLOSED.size] == bytes(CLOSED.size):
                self.websocket(seat, report)
                continue
            for (number,) in CLOSED.iter_unpack(report[:len(report) - len(report) % CLOSED.size]):
                key = seat.held.pop(number, None)
                if key is not None and self.count is not None:
                    self.count.release(key)

    def websocket(self, seat: Seat, asked: bytes) -> None:
        """A worker's WebSocket opening (answered: admitted, or the cap it is over) or closing."""
        if len(asked) < ASKED.size:
            return
        _, what, number = ASKED.unpack_from(asked)
        if what == WS_CLOSED:
            release = seat.websockets.pop(number, None)
            if release is not None:
                release()
            return
        if what != WS_OPEN or number in seat.websockets:
            return
        key, _, upstream = asked[ASKED.size:].partition(b"\0")
        answer = WS_ADMITTED
        if len(asked) - ASKED.size > WS_ASKED_MAX:
            answer = WS_REFUSED[ws.TOTAL]
        elif self.websockets is not None:
            caps = self.websockets
            try:
                seat.websockets[number] = caps.count.admit(key.decode(errors="replace"), caps.max_total,
                                                           caps.max_per_client, upstream.decode(errors="replace"),
                                                           caps.max_per_upstream)
            except ws.Refused as refused:
                answer = WS_REFUSED.get(refused.cap, WS_REFUSED[ws.TOTAL])
        try:
            seat.channel.send(DEAL.pack(answer, number))
        except OSError:  # full or gone: the worker gives up waiting and reports the WebSocket closed
            pass

    def accepting(self, now: float) -> bool:
        """False while paused after a failed accept (the listening socket stays readable meanwhile)."""
        if self.resume_at is not None and now >= self.resume_at:
            self.resume_at = None
        return self.resume_at is None

    def deal(self, listener: socket.socket, now: float) -> int:
        """Accept what is queued on `listener` (up to DEAL_AT_ONCE) and deal it; how many were dealt."""
        dealt = 0

        def paused() -> None:
            self.resume_at = now + PAUSE
        for conn, peer in accept_queued(listener, paused):
            with conn:
                dealt += self.admit(conn, peer)
        return dealt

    def admit(self, conn: socket.socket, peer: Any) -> int:
        """Count `conn` against the caps and hand it on to be served, or, over a cap, to be refused."""
        if self.count is None:
            return self.hand(conn, SERVE, None)
        key, cap = self.count.admit(peer[0] if isinstance(peer, tuple) and peer else "")
        if key is None:
            return self.hand(conn, REFUSE[cap], None)
        handed = self.hand(conn, SERVE, key)
        if not handed:
            self.count.release(key)
        return handed

    def hand(self, conn: socket.socket, kind: bytes, key: str | None) -> int:
        """Send `conn` to the next seat in turn (1), or to none (0: the caller closes it, the client sees
        the connection reset) when no worker is ready or none can take it. A connection to serve is numbered
        and held under `key` by that seat until the worker reports it closed."""
        number = next(self._numbers) if key is not None else 0  # 0: nothing to report
        for index in self.order():
            seat = self.seats[index]
            try:
                socket.send_fds(seat.channel, [DEAL.pack(kind, number)], [conn.fileno()])
            except (BlockingIOError, InterruptedError, OSError):
                continue  # full (the worker is not reading) or gone: the next one
            seat.dealt += 1
            if key is not None:
                seat.held[number] = key
            self._turn = index + 1
            return 1
        return 0

    def order(self) -> Sequence[int]:
        """Ready seats in turn from the one after the last dealt to; those with WAITING connections not yet
        taken after the others (still tried: a send only fails when a worker's channel is full)."""
        indexes = sorted(index for index, seat in self.seats.items() if seat.open)
        start = next((i for i, index in enumerate(indexes) if index >= self._turn), 0)
        rotated = indexes[start:] + indexes[:start]
        return sorted(rotated, key=lambda index: self.seats[index].waiting >= WAITING)

    def close(self) -> None:
        """Stop accepting: what is queued on the listening sockets is reset by the kernel."""
        for listener in self.listeners:
            with contextlib.suppress(OSError):
                listener.close()
        self.listeners = []
