"""The connection caps across workers (gateway.dealer): the supervisor counts what it deals, per client and
in total, and the workers report each close back. Real sockets; each seat's far end is read by the test, or
served by a worker's taker (gateway.edge.listener) on this loop."""

from __future__ import annotations

import asyncio
import ctypes
import select
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config.settings import LimitSettings
from gateway.dealer import (
    ASKED,
    CLOSED,
    DEAL,
    REFUSE,
    SERVE,
    WS_ADMITTED,
    WS_CLOSED,
    WS_OPEN,
    WS_REFUSED,
    Dealer,
    Seat,
    WebSocketCaps,
    channel_pair,
    listen,
)
from gateway.edge import guard as guard_module
from gateway.edge.connection_count import PER_CLIENT, TOTAL, ConnectionCount
from gateway.edge.guard import LINGERING, ConnectionGuard
from gateway.edge.listener import REFUSING, Dealt, _Taker
from gateway.proxy import connections as ws
from tests.gateway.silent_clients import silent_client, sockets_held, tls_contexts


class Worker:
    """A worker's end of a channel as the test drives it: what was dealt, and reports of closes."""

    def __init__(self) -> None:
        self.ours, self.theirs = channel_pair()
        self.taken = ctypes.c_uint64(0)
        self.serving: dict[int, socket.socket] = {}
        self.refused: list[bytes] = []

    def seat(self) -> Seat:
        return Seat(self.ours, self.taken)

    def take(self) -> None:
        while select.select([self.theirs], [], [], 0)[0]:
            message, fds, _, _ = socket.recv_fds(self.theirs, DEAL.size, 1)
            kind, number = DEAL.unpack(message)
            self.taken.value += 1
            for fd in fds:
                if kind == SERVE:
                    self.serving[number] = socket.socket(fileno=fd)
                else:
                    self.refused.append(kind)
                    socket.socket(fileno=fd).close()

    def report(self, *numbers: int) -> None:
        for number in numbers:
            self.serving.pop(number).close()
        self.theirs.send(b"".join(CLOSED.pack(number) for number in numbers))

    def close(self) -> None:
        for sock in self.serving.values():
            sock.close()
        self.theirs.close()
        self.ours.close()


@pytest.fixture
def dealer() -> Iterator[Dealer]:
    dealer = Dealer(listen("127.0.0.1", 0), ConnectionCount(6, 3))
    yield dealer
    dealer.close()


@pytest.fixture
def workers(dealer: Dealer) -> Iterator[list[Worker]]:
    pair = [Worker(), Worker()]
    for index, worker in enumerate(pair):
        dealer.sit(index, worker.seat())
    yield pair
    for worker in pair:
        worker.close()


@pytest.fixture
def clients() -> Iterator[list[socket.socket]]:
    """The test's client sockets (`connect` adds to it), closed when it ends."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def connect(dealer: Dealer, clients: list[socket.socket], count: int, source: str = "127.0.0.1") -> None:
    """`count` clients from `source` added to `clients`, each accepted and dealt before the next connects."""
    port = dealer.listeners[0].getsockname()[1]
    for _ in range(count):
        clients.append(socket.create_connection(("127.0.0.1", port), source_address=(source, 0)))
        select.select(dealer.listeners, [], [], 5)
        assert dealer.deal(dealer.listeners[0], 0.0) == 1


def settle(dealer: Dealer) -> None:
    for index in list(dealer.seats):
        dealer.settle(index)


def test_one_address_is_capped_across_the_workers_and_a_reported_close_makes_room(
        dealer: Dealer, workers: list[Worker], clients: list[socket.socket]) -> None:
    connect(dealer, clients, 5)
    for worker in workers:
        worker.take()
    assert [len(worker.serving) for worker in workers] == [2, 1]  # 3 served, split between the two
    assert [kind for worker in workers for kind in worker.refused] == [REFUSE[PER_CLIENT]] * 2
    assert dealer.count is not None and dealer.count.per_client == {"127.0.0.1": 3}
    workers[0].report(next(iter(workers[0].serving)))
    settle(dealer)
    assert dealer.count.per_client == {"127.0.0.1": 2}
    connect(dealer, clients, 2)
    for worker in workers:
        worker.take()
    assert sum(len(worker.serving) for worker in workers) == 3
    assert sum(len(worker.refused) for worker in workers) == 3


def test_the_total_is_capped_across_the_workers(
        dealer: Dealer, workers: list[Worker], clients: list[socket.socket]) -> None:
    connect(dealer, clients, 3, "127.0.0.1")
    connect(dealer, clients, 3, "127.0.0.2")
    connect(dealer, clients, 1, "127.0.0.3")
    for worker in workers:
        worker.take()
    assert sum(len(worker.serving) for worker in workers) == 6
    assert [kind for worker in workers for kind in worker.refused] == [REFUSE[TOTAL]]


def test_a_worker_that_exits_releases_what_it_held(dealer: Dealer, workers: list[Worker], clients: list[socket.socket]) -> None:
    """Its connections closed with it (and those still queued on its channel with the channel)."""
    connect(dealer, clients, 3)
    workers[1].take()  # worker 0 never took its two: they are still on its channel
    assert dealer.count is not None and dealer.count.total == 3
    dealer.leave(1)
    assert dealer.count.per_client == {"127.0.0.1": 2}
    dealer.leave(0)
    assert (dealer.count.total, dealer.count.per_client) == (0, {})


def test_reports_of_numbers_not_held_and_torn_reports_change_nothing(dealer: Dealer, workers: list[Worker], clients: list[socket.socket]) -> None:
    connect(dealer, clients, 2)
    for worker in workers:
        worker.take()
    mine, = workers[0].serving
    other, = workers[1].serving
    workers[0].theirs.send(CLOSED.pack(other) + CLOSED.pack(10**9) + b"\x01\x02\x03")  # not its own
    settle(dealer)
    assert dealer.count is not None and dealer.count.total == 2
    workers[0].report(mine)
    workers[0].theirs.send(CLOSED.pack(mine))  # twice
    settle(dealer)
    assert dealer.count.total == 1


def test_a_worker_that_closes_its_end_is_dealt_no_more_and_keeps_its_count_until_it_exits(
        dealer: Dealer, workers: list[Worker], clients: list[socket.socket]) -> None:
    connect(dealer, clients, 2)
    workers[0].take()
    workers[0].theirs.close()  # draining: it stops taking
    settle(dealer)
    assert not dealer.seats[0].open and dealer.count is not None and dealer.count.total == 2
    connect(dealer, clients, 1)
    workers[1].take()
    assert len(workers[1].serving) == 2
    dealer.leave(0)
    assert dealer.count.total == 2


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Echo(asyncio.Protocol):
    """Served connections echo; `on_lost` is what the guard's protocol calls when the connection is gone."""

    def __init__(self, on_lost: object) -> None:
        self.on_lost = on_lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_lost()  # type: ignore[operator]


async def _until(check: object, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "not in time"
        await asyncio.sleep(0.01)


async def test_a_worker_reports_closed_and_reset_connections_and_refuses_those_over_a_cap() -> None:
    """The worker's side: every connection it serves is reported once gone, whether the client closed it,
    reset it before the worker adopted it, or it arrived over a cap (answered 503 by the guard, not
    counted); the supervisor's count comes back to zero."""
    dealer = Dealer(listen("127.0.0.1", 0, backlog=256), ConnectionCount(100, 8))
    ours, theirs = channel_pair()
    dealt = Dealt(theirs, ctypes.c_uint64(0))
    dealer.sit(0, Seat(ours, dealt.taken))
    guard = ConnectionGuard(LimitSettings())
    taker = _Taker(dealt, _Echo, None, None, guard.refused)
    port = dealer.listeners[0].getsockname()[1]

    count = dealer.count
    assert count is not None

    def pump() -> int:
        """The supervisor's turn: deal what is queued, read the reports; what it counts as open."""
        while select.select(dealer.listeners, [], [], 0)[0]:
            dealer.deal(dealer.listeners[0], 0.0)
        dealer.settle(0)
        return count.total

    try:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(8)]
        pump()
        over = await asyncio.open_connection("127.0.0.1", port)
        pump()
        assert count.total == 8
        answer = await asyncio.wait_for(over[0].read(), 10)
        assert answer.startswith(b"HTTP/1.1 503 ") and b"too many connections from this address" in answer
        held[0][1].write(b"ping")
        assert await asyncio.wait_for(held[0][0].readexactly(4), 10) == b"ping"
        for _, writer in held:
            writer.close()
        await _until(lambda: pump() == 0)
        # Reset at once, before the worker's loop adopts them: each still reported.
        for _ in range(3):
            for _ in range(8):
                _reset(socket.create_connection(("127.0.0.1", port)))
            pump()
            await _until(lambda: pump() == 0)
        assert taker.serving == set() and dealer.seats[0].held == {}
    finally:
        taker.close()
        await asyncio.gather(*taker.tasks, return_exceptions=True)
        dealer.leave(0)
        dealer.close()



@pytest.mark.parametrize("mode", ["plain", "tls", "tls answered"])
async def test_connections_over_a_cap_that_never_close_hold_a_bounded_number_of_descriptors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """Refused connections count under no cap; a client over a cap that opens many and never closes them must
    not make the worker hold one descriptor per connection opened: plain, the 503 is followed by up to LINGER
    seconds of reading; TLS, a client may never greet (`header_timeout`), or greet and never read the answer
    (the TLS shutdown waits for it). Past LINGERING / REFUSING at once they are closed at once."""
    monkeypatch.setattr(guard_module, "LINGER", 60.0)  # however slow the machine, none lingers out meanwhile
    tls = mode != "plain"
    context = client_context = None
    if tls:
        context, client_context = tls_contexts(tmp_path / "pki")
    dealer = Dealer(listen("127.0.0.1", 0, backlog=1024), ConnectionCount(100, 1))
    ours, theirs = channel_pair()
    dealt = Dealt(theirs, ctypes.c_uint64(0))
    dealer.sit(0, Seat(ours, dealt.taken))
    guard = ConnectionGuard(LimitSettings())
    taker = _Taker(dealt, _Echo, context, 60.0 if tls else None, guard.refused)
    port = dealer.listeners[0].getsockname()[1]
    bound = REFUSING if tls else LINGERING
    over = bound + 100

    def pump() -> None:
        while select.select(dealer.listeners, [], [], 0)[0]:
            dealer.deal(dealer.listeners[0], 0.0)
        dealer.settle(0)

    def greeted() -> socket.socket:
        """A client that completes the TLS handshake (or is closed during it) and then reads nothing."""
        assert client_context is not None
        return silent_client(port, client_context)

    clients: list[socket.socket] = []
    try:
        clients.append(socket.create_connection(("127.0.0.1", port)))  # the one the cap allows
        pump()
        base = sockets_held()
        for _ in range(over):
            if mode == "tls answered":
                opening = asyncio.get_running_loop().run_in_executor(None, greeted)
                while not opening.done():  # the worker's side of the handshake runs on this loop
                    pump()
                    await asyncio.sleep(0.001)
                clients.append(opening.result())
            else:
                clients.append(socket.create_connection(("127.0.0.1", port)))
                pump()
                await asyncio.sleep(0)  # the worker takes it
        await _until(lambda: dealt.taken.value == over + 1)
        for _ in range(20):  # the worker's loop turns: each refused one is answered or closed
            await asyncio.sleep(0)
        assert sockets_held() - base - over <= bound + 2
        assert guard.lingering <= LINGERING and taker.refusing <= REFUSING
    finally:
        for sock in clients:
            sock.close()
        taker.close()
        await asyncio.gather(*taker.tasks, return_exceptions=True)
        dealer.leave(0)
        dealer.close()


def ask(worker: Worker, number: int, client: bytes, upstream: bytes = b"up", what: bytes = WS_OPEN) -> None:
    worker.theirs.send(ASKED.pack(0, what, number) + client + b"\0" + upstream)


def answers(worker: Worker) -> list[tuple[bytes, int]]:
    """The supervisor's answers about WebSockets on this worker's channel, in order."""
    got = []
    while select.select([worker.theirs], [], [], 0)[0]:
        message, fds, _, _ = socket.recv_fds(worker.theirs, DEAL.size, 1)
        assert fds == []
        got.append(DEAL.unpack(message))
    return got


@pytest.fixture
def ws_dealer(dealer: Dealer) -> Dealer:
    dealer.websockets = WebSocketCaps(3, 2, 0)
    return dealer


def test_websockets_are_capped_across_the_workers_and_a_worker_that_exits_releases_them(
        ws_dealer: Dealer, workers: list[Worker]) -> None:
    for worker, number, client in ((0, 1, b"10.0.0.1"), (1, 1, b"10.0.0.1"), (1, 2, b"10.0.0.1"),
                                   (1, 3, b"10.0.0.2"), (0, 2, b"10.0.0.3")):  # numbers are per worker
        ask(workers[worker], number, client)
        settle(ws_dealer)
    assert answers(workers[0]) == [(WS_ADMITTED, 1), (WS_REFUSED[ws.TOTAL], 2)]
    assert answers(workers[1]) == [(WS_ADMITTED, 1), (WS_REFUSED[ws.PER_CLIENT], 2), (WS_ADMITTED, 3)]
    ask(workers[1], 1, b"", what=WS_CLOSED)
    settle(ws_dealer)
    ask(workers[0], 3, b"10.0.0.1")
    settle(ws_dealer)
    assert answers(workers[0]) == [(WS_ADMITTED, 3)]
    caps = ws_dealer.websockets
    assert caps is not None and caps.count.per_client == {"10.0.0.1": 2, "10.0.0.2": 1}
    ws_dealer.leave(0)
    assert (caps.count.total, caps.count.per_client) == (1, {"10.0.0.2": 1})


def test_hostile_websocket_reports_change_nothing_they_should_not(ws_dealer: Dealer, workers: list[Worker]) -> None:
    """Torn, unknown, repeated and oversized messages: nothing counted twice, nothing released that was not
    held, an oversized question refused."""
    worker = workers[0]
    ask(worker, 1, b"10.0.0.1")
    worker.theirs.send(bytes(CLOSED.size) + b"o")  # torn
    worker.theirs.send(ASKED.pack(0, b"?", 2) + b"10.0.0.1\0up")  # no such question
    ask(worker, 1, b"10.0.0.1")  # the same number again: not a second slot
    ask(worker, 9, b"", what=WS_CLOSED)  # never opened
    ask(worker, 3, b"\xff\xfe" * 8)  # not UTF-8: counted under what it reads as, and given back alike
    ask(worker, 4, b"10.0.0.4" * 200)  # past WS_ASKED_MAX
    settle(ws_dealer)
    assert answers(worker) == [(WS_ADMITTED, 1), (WS_ADMITTED, 3), (WS_REFUSED[ws.TOTAL], 4)]
    caps = ws_dealer.websockets
    assert caps is not None and caps.count.total == 2
    for number in (1, 1, 3, 3):
        ask(worker, number, b"", what=WS_CLOSED)
    settle(ws_dealer)
    assert (caps.count.total, caps.count.per_client) == (0, {})


async def test_a_worker_asks_for_websocket_slots_and_fails_closed_when_unanswered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's side (`Dealt.websocket`) with its taker reading the answers: admitted, refused with the
    cap's own status, given back; a question the supervisor leaves unanswered is refused, and its slot is
    given back once the supervisor reads on."""
    from gateway.edge import listener

    dealer = Dealer([], ConnectionCount(100, 8), WebSocketCaps(10, 1, 0))
    ours, theirs = channel_pair()
    dealt = Dealt(theirs, ctypes.c_uint64(0))
    dealer.sit(0, Seat(ours, dealt.taken))
    taker = _Taker(dealt, _Echo, None, None, ConnectionGuard(LimitSettings()).refused)
    loop = asyncio.get_running_loop()
    loop.add_reader(ours.fileno(), dealer.settle, 0)
    caps = dealer.websockets
    assert caps is not None
    try:
        release = await dealt.websocket("10.0.0.1", "up")
        with pytest.raises(ws.Refused) as refused:
            await dealt.websocket("10.0.0.1", "up")
        assert (refused.value.status, refused.value.cap) == (429, ws.PER_CLIENT)
        release()
        release()  # once only
        await _until(lambda: caps.count.total == 0)
        release = await dealt.websocket("10.0.0.1", "up")
        release()
        await _until(lambda: caps.count.total == 0)

        loop.remove_reader(ours.fileno())  # the supervisor busy: nothing answered
        monkeypatch.setattr(listener, "ASK_WITHIN", 0.05)
        with pytest.raises(ws.Refused) as refused:
            await dealt.websocket("10.0.0.2", "up")
        assert refused.value.status == 503
        dealer.settle(0)  # it reads on: counts the question, then the report that it was given up
        assert caps.count.total == 0
    finally:
        loop.remove_reader(ours.fileno())
        taker.close()
        dealer.leave(0)
