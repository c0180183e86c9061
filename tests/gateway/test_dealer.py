"""The supervisor's dealing of client connections (gateway.dealer) over real sockets, without worker
processes: each seat here is the far end of a channel read by the test."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import select
import socket
from collections.abc import Iterator

import pytest

from filters.options import OptionsError
from gateway.dealer import DEAL_AT_ONCE, PAUSE, WAITING, Dealer, Seat, channel_pair, listen


class Far:
    """A worker's end of a channel: takes the connections dealt to it and counts them, as a worker does."""

    def __init__(self) -> None:
        self.ours, self.theirs = channel_pair()
        self.taken = ctypes.c_uint64(0)
        self.held: list[socket.socket] = []

    def seat(self) -> Seat:
        return Seat(self.ours, self.taken)

    def take(self) -> int:
        """Everything dealt so far; how many arrived."""
        arrived = 0
        while select.select([self.theirs], [], [], 0)[0]:
            message, fds, _, _ = socket.recv_fds(self.theirs, 1, 1)
            if not message:
                break
            self.held.extend(socket.socket(fileno=fd) for fd in fds)
            self.taken.value += len(fds)
            arrived += len(fds)
        return arrived

    def close(self) -> None:
        for sock in self.held:
            sock.close()
        self.theirs.close()
        self.ours.close()


@pytest.fixture
def dealer() -> Iterator[Dealer]:
    dealer = Dealer(listen("127.0.0.1", 0))
    yield dealer
    dealer.close()


def port_of(dealer: Dealer) -> int:
    return int(dealer.listeners[0].getsockname()[1])


def connect(dealer: Dealer, count: int) -> list[socket.socket]:
    """`count` clients, each accepted and dealt before the next connects."""
    clients = []
    for _ in range(count):
        clients.append(socket.create_connection(("127.0.0.1", port_of(dealer))))
        select.select(dealer.listeners, [], [], 5)
        assert dealer.deal(dealer.listeners[0], 0.0) == 1
    return clients


def test_connections_go_to_the_workers_in_turn(dealer: Dealer) -> None:
    fars = [Far(), Far()]
    for index, far in enumerate(fars):
        dealer.sit(index, far.seat())
    clients = connect(dealer, 5)
    try:
        assert [far.take() for far in fars] == [3, 2]
        assert [dealer.seats[i].waiting for i in (0, 1)] == [0, 0]
        # What a worker receives is the accepted connection itself: it answers the client.
        fars[0].held[0].sendall(b"hello")
        assert clients[0].recv(5) == b"hello"
    finally:
        for sock in clients:
            sock.close()
        for far in fars:
            far.close()


def test_closes_a_worker_has_not_read_yet_do_not_skew_the_turn(dealer: Dealer) -> None:
    """Right after a burst of closes a busy worker has not yet seen them; counting what each worker holds
    would send the next burst to the other one wholly. In turn, the next burst is split evenly again."""
    fars = [Far(), Far()]
    for index, far in enumerate(fars):
        dealer.sit(index, far.seat())
    first = connect(dealer, 8)
    try:
        assert [far.take() for far in fars] == [4, 4]
        for sock in first:  # all clients leave; neither worker has looked yet
            sock.close()
        second = connect(dealer, 8)
        assert [far.take() for far in fars] == [4, 4]
    finally:
        for sock in first + locals().get("second", []):
            sock.close()
        for far in fars:
            far.close()


def test_a_burst_is_dealt_evenly_before_any_worker_took_one(dealer: Dealer) -> None:
    """Clients arriving together (a load balancer opening its pool) are accepted in one go; the shares come
    from what was dealt, not from what the workers have taken yet."""
    fars = [Far(), Far(), Far()]
    for index, far in enumerate(fars):
        dealer.sit(index, far.seat())
    clients = [socket.create_connection(("127.0.0.1", port_of(dealer))) for _ in range(9)]
    try:
        dealt = 0
        while dealt < 9 and select.select(dealer.listeners, [], [], 5)[0]:
            dealt += dealer.deal(dealer.listeners[0], 0.0)
        assert dealt == 9
        assert [far.take() for far in fars] == [3, 3, 3]
    finally:
        for sock in clients:
            sock.close()
        for far in fars:
            far.close()


def test_a_worker_that_leaves_connections_waiting_is_passed_over(dealer: Dealer) -> None:
    """A worker whose loop is held up takes nothing off its channel: once WAITING connections wait for it,
    the next ones go to the others, and it is back in turn as soon as it took them."""
    slow, other = Far(), Far()
    dealer.sit(0, slow.seat())
    dealer.sit(1, other.seat())
    clients = connect(dealer, 2 * WAITING)
    try:
        assert other.take() == WAITING and dealer.seats[0].waiting == WAITING
        clients += connect(dealer, 3)
        assert other.take() == 3
        assert slow.take() == WAITING  # it catches up
        clients += connect(dealer, 2)
        assert (slow.take(), other.take()) == (1, 1)
    finally:
        for sock in clients:
            sock.close()
        slow.close()
        other.close()


def test_a_worker_that_stops_reading_is_passed_over(dealer: Dealer) -> None:
    """Its channel full, the next connection goes to another worker rather than waiting on it."""
    stuck, other = Far(), Far()
    dealer.sit(0, stuck.seat())
    dealer.sit(1, other.seat())
    filler = socket.socket()
    try:
        while True:  # fill the stuck worker's channel as a burst of connections would
            try:
                socket.send_fds(stuck.ours, [b"c"], [filler.fileno()])
            except BlockingIOError:
                break
            except OSError as exc:  # the kernel's cap on descriptors in flight: full as well
                assert exc.errno in (errno.ETOOMANYREFS, errno.EMFILE, errno.ENOBUFS)
                break
        stuck.taken.value = 10**6  # it even claims to have taken everything
        clients = connect(dealer, 2)
        for sock in clients:
            sock.close()
        assert other.take() == 2
    finally:
        filler.close()
        stuck.close()
        other.close()


def test_a_worker_that_left_is_dealt_nothing_and_its_channel_closed(dealer: Dealer) -> None:
    gone, other = Far(), Far()
    dealer.sit(0, gone.seat())
    dealer.sit(1, other.seat())
    dealer.leave(0)
    assert gone.ours.fileno() == -1
    clients = connect(dealer, 3)
    try:
        assert other.take() == 3
    finally:
        for sock in clients:
            sock.close()
        gone.close()
        other.close()


def test_with_no_worker_ready_a_connection_is_closed_not_held(dealer: Dealer) -> None:
    client = socket.create_connection(("127.0.0.1", port_of(dealer)))
    try:
        select.select(dealer.listeners, [], [], 5)
        assert dealer.deal(dealer.listeners[0], 0.0) == 0
        client.settimeout(5)
        assert client.recv(1) == b""
    except ConnectionResetError:
        pass
    finally:
        client.close()


def test_one_wake_up_deals_a_bounded_number(dealer: Dealer) -> None:
    """The supervisor gets back to signals and dead workers between batches of a flood of connections."""
    far = Far()
    dealer.sit(0, far.seat())
    clients = [socket.create_connection(("127.0.0.1", port_of(dealer))) for _ in range(DEAL_AT_ONCE + 3)]
    try:
        assert dealer.deal(dealer.listeners[0], 0.0) == DEAL_AT_ONCE
    finally:
        for sock in clients:
            sock.close()
        far.close()


def test_accept_failing_pauses_accepting(dealer: Dealer) -> None:
    """Out of descriptors, accept fails while the client stays queued and the socket readable: the dealer
    pauses (the supervisor's loop leaves the socket out until then) instead of failing again at once."""
    far = Far()
    dealer.sit(0, far.seat())
    client = socket.create_connection(("127.0.0.1", port_of(dealer)))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    spare: list[int] = []
    try:
        select.select(dealer.listeners, [], [], 5)
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        with contextlib.suppress(OSError):
            while True:
                spare.append(os.dup(0))
        assert dealer.deal(dealer.listeners[0], 10.0) == 0
        assert dealer.resume_at == 10.0 + PAUSE and not dealer.accepting(10.0)
    finally:
        for fd in spare:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        assert dealer.accepting(10.0 + PAUSE)
        assert dealer.deal(dealer.listeners[0], 10.0 + PAUSE) == 1  # the queued client, once there is room
        assert far.take() == 1
    finally:
        client.close()
        far.close()


def test_stopping_closes_the_port(dealer: Dealer) -> None:
    port = port_of(dealer)
    dealer.close()
    assert dealer.listeners == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_port_in_use_names_the_key() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(OptionsError) as raised:
            listen("127.0.0.1", port)
    assert raised.value.path == "listen.port"
    assert "address already in use" in str(raised.value)
