"""Connections the guard refuses over a cap, in one process: what they may hold is bounded, whatever the
client does after the 503 (reads nothing, never closes). Real sockets, plain and TLS."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from gateway.config.settings import LimitSettings
from gateway.edge import guard as guard_module
from gateway.edge.guard import LINGERING, ConnectionGuard
from tests.gateway.silent_clients import silent_client, sockets_held, tls_contexts


@pytest.mark.parametrize("tls", [False, True])
async def test_refused_clients_that_never_read_or_close_hold_a_bounded_number_of_descriptors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: bool) -> None:
    """Over plain TCP a refused connection is read from for LINGER seconds; over TLS its shutdown would wait
    for a client that never reads (30 s): either way at most LINGERING at once, the rest closed at once."""
    monkeypatch.setattr(guard_module, "LINGER", 60.0)  # however slow the machine, none lingers out meanwhile
    context = client_context = None
    if tls:
        context, client_context = tls_contexts(tmp_path / "pki")
    guard = ConnectionGuard(LimitSettings(max_connections_per_ip=1))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(guard.protocol_factory(asyncio.Protocol), "127.0.0.1", 0, ssl=context,
                                      ssl_handshake_timeout=60.0 if tls else None)
    port = server.sockets[0].getsockname()[1]
    over = LINGERING + 100

    def opened() -> socket.socket:
        """A client that connects (and greets, over TLS: closed during it past the bound) and reads nothing."""
        return silent_client(port, client_context)

    clients: list[socket.socket] = []
    try:
        clients.append(await loop.run_in_executor(None, opened))  # the one the cap allows
        for _ in range(20):
            await asyncio.sleep(0)
        assert guard.count.total == 1
        base = sockets_held()
        for _ in range(over):
            clients.append(await loop.run_in_executor(None, opened))
        for _ in range(20):  # each refused one answered or closed
            await asyncio.sleep(0)
        assert guard.count.total == 1 and guard.lingering <= LINGERING
        assert sockets_held() - base - over <= LINGERING + 2
    finally:
        for sock in clients:
            sock.close()
        server.close()
