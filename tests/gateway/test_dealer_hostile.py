"""Clients against the dealing of connections: a flood of connections reset before the supervisor accepts
them, or before the worker serves them, neither stops the supervisor nor the worker taking the next one."""

from __future__ import annotations

import asyncio
import ctypes
import select
import socket
import struct

from gateway.dealer import DEAL_AT_ONCE, Dealer, Seat, channel_pair, listen
from gateway.edge.listener import Dealt, _Taker

FLOOD = DEAL_AT_ONCE + 44


def _reset(sock: socket.socket) -> None:
    """Close with a reset (RST) instead of a FIN: the client gives up at once."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_flood_of_connections_reset_while_queued_is_dealt_and_the_next_client_served() -> None:
    dealer = Dealer(listen("127.0.0.1", 0, backlog=FLOOD + 8))
    ours, theirs = channel_pair()
    taken = ctypes.c_uint64(0)
    dealer.sit(0, Seat(ours, taken))
    port = dealer.listeners[0].getsockname()[1]
    try:
        for _ in range(FLOOD):
            _reset(socket.create_connection(("127.0.0.1", port)))
        dealt = 0
        while select.select(dealer.listeners, [], [], 0)[0]:
            dealt += dealer.deal(dealer.listeners[0], 0.0)  # never raises on a connection already gone
        arrived = 0
        while select.select([theirs], [], [], 0)[0]:
            _, fds, _, _ = socket.recv_fds(theirs, 1, 1)
            for fd in fds:
                socket.socket(fileno=fd).close()
                arrived += 1
        assert dealt == arrived <= FLOOD
        with socket.create_connection(("127.0.0.1", port)) as client:
            select.select(dealer.listeners, [], [], 5)
            assert dealer.deal(dealer.listeners[0], 0.0) == 1
            _, fds, _, _ = socket.recv_fds(theirs, 1, 1)
            with socket.socket(fileno=fds[0]) as served:
                client.sendall(b"ping")
                assert served.recv(4) == b"ping"
    finally:
        dealer.close()
        ours.close()
        theirs.close()


class _Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[attr-defined]


async def test_a_worker_takes_connections_reset_before_it_serves_them_and_serves_the_next() -> None:
    """Descriptors of connections the client reset after the supervisor accepted them: each is counted
    as taken and dropped, and the worker's channel keeps serving (a live client is echoed)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    ours, theirs = channel_pair()
    dealt = Dealt(theirs, ctypes.c_uint64(0))
    taker = _Taker(dealt, lambda on_lost: _Echo(), None, None)
    try:
        port = listener.getsockname()[1]
        for _ in range(32):
            client = socket.create_connection(("127.0.0.1", port))
            accepted, _ = listener.accept()
            _reset(client)
            with accepted:
                socket.send_fds(ours, [b"c"], [accepted.fileno()])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        accepted, _ = listener.accept()
        with accepted:
            socket.send_fds(ours, [b"c"], [accepted.fileno()])
        writer.write(b"still served")
        await writer.drain()
        assert await asyncio.wait_for(reader.readexactly(12), 10) == b"still served"
        assert dealt.taken.value == 33 and taker.open
        writer.close()
    finally:
        taker.close()
        await asyncio.gather(*taker.tasks, return_exceptions=True)
        ours.close()
        listener.close()
