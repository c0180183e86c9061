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

What it costs: a poll, accept, one `sendmsg` and a close in the supervisor per new connection, about
32-34 µs of its CPU on the 2-core benchmark machine (the TLS handshake and everything after it stay in the
worker), nothing per request on a kept-alive connection. One supervisor thus deals some 30,000 new
connections a second at most, far above what the workers serve when each connection carries a single
request (2,100-2,600 a second through 2 workers here, where the gateway as a whole spent less CPU per such
request than with SO_REUSEPORT: benchmarks/README.md). Caps are unchanged: each worker's connection guard
counts what it was dealt (`limits.max_connections` per worker).

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
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from filters.options import OptionsError

log = logging.getLogger("chatguard.server")

BACKLOG = 1024       # the listening queue, as the single-process listener's
DEAL_AT_ONCE = 256   # connections accepted per wake-up before signals and workers are looked at again
PAUSE = 0.1          # seconds without accepting after accept itself failed (out of descriptors, memory)
WAITING = 64         # connections sent to a worker and not yet taken, past which it is passed over


def listen(host: str | None, port: int, backlog: int = BACKLOG) -> list[socket.socket]:
    """The gateway's listening sockets (one per address `host` resolves to, as asyncio's server binds them),
    non-blocking; a port that cannot be bound is an `OptionsError` naming `listen.port`."""
    sockets: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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

    @property
    def waiting(self) -> int:
        return self.dealt - int(self.taken.value)


@dataclass
class Dealer:
    """Accepts on the listening sockets and hands the connections to the seats in turn."""

    listeners: list[socket.socket]
    seats: dict[int, Seat] = field(default_factory=dict)  # worker slot -> seat, ready workers only
    resume_at: float | None = None  # accepting paused until then (accept failed)
    _turn: int = 0  # the seats are dealt to in turn, starting after the last one dealt to

    def sit(self, index: int, seat: Seat) -> None:
        self.seats[index] = seat

    def leave(self, index: int) -> None:
        """A worker gone: what was sent to it and not yet taken is closed with its channel."""
        seat = self.seats.pop(index, None)
        if seat is not None:
            seat.channel.close()

    def accepting(self, now: float) -> bool:
        """False while paused after a failed accept (the listening socket stays readable meanwhile)."""
        if self.resume_at is not None and now >= self.resume_at:
            self.resume_at = None
        return self.resume_at is None

    def deal(self, listener: socket.socket, now: float) -> int:
        """Accept what is queued on `listener` (up to DEAL_AT_ONCE) and deal it; how many were dealt."""
        dealt = 0
        for _ in range(DEAL_AT_ONCE):
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in (errno.ECONNABORTED, errno.EPROTO):
                    continue  # the client gave up while queued
                # Out of descriptors or memory: the connection stays queued and the socket readable, so
                # pause instead of waking at once to fail again; the kernel's queue holds the rest.
                log.warning("accept failed; pausing", extra={"error": exc.strerror or str(exc), "pause": PAUSE})
                self.resume_at = now + PAUSE
                break
            with conn:
                if conn.family in (socket.AF_INET, socket.AF_INET6):
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                dealt += self.hand(conn)
        return dealt

    def hand(self, conn: socket.socket) -> int:
        """Send `conn` to the next seat in turn (1), or to none (0: the caller closes it, the client sees
        the connection reset) when no worker is ready or none can take it."""
        for index in self.order():
            seat = self.seats[index]
            try:
                socket.send_fds(seat.channel, [b"c"], [conn.fileno()])
            except (BlockingIOError, InterruptedError, OSError):
                continue  # full (the worker is not reading) or gone: the next one
            seat.dealt += 1
            self._turn = index + 1
            return 1
        return 0

    def order(self) -> Sequence[int]:
        """Ready seats in turn from the one after the last dealt to; those with WAITING connections not yet
        taken after the others (still tried: a send only fails when a worker's channel is full)."""
        indexes = sorted(self.seats)
        start = next((i for i, index in enumerate(indexes) if index >= self._turn), 0)
        rotated = indexes[start:] + indexes[:start]
        return sorted(rotated, key=lambda index: self.seats[index].waiting >= WAITING)

    def close(self) -> None:
        """Stop accepting: what is queued on the listening sockets is reset by the kernel."""
        for listener in self.listeners:
            with contextlib.suppress(OSError):
                listener.close()
        self.listeners = []
