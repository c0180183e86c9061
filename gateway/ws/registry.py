"""Open WebSocket connections of one app: connection limits and shutdown.

A slot is taken before the upstream is dialled, so a flood of handshakes cannot open
more upstream sockets than the limits allow, and released exactly once when the
connection ends (whatever way it ends).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from gateway.keys import WS_CONNECTIONS


class Closable(Protocol):
    async def shutdown(self) -> None: ...


class Refused(Exception):
    """A connection limit is reached; `status` is the HTTP answer (429 per client, 503 in total)."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class Connections:
    """Counts per client address and in total, plus the live bridges to close on shutdown."""

    def __init__(self) -> None:
        self.total = 0
        self.per_client: dict[str, int] = {}
        self.live: set[Closable] = set()

    def admit(self, client: str, max_total: int, max_per_client: int) -> Callable[[], None]:
        """Take a slot or raise `Refused`; returns the function that gives the slot back."""
        if self.total >= max_total:
            raise Refused(503, "too many websocket connections")
        held = self.per_client.get(client, 0)
        if held >= max_per_client:
            raise Refused(429, "too many websocket connections from this client")
        self.total += 1
        self.per_client[client] = held + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self.total -= 1
            left = self.per_client[client] - 1
            if left:
                self.per_client[client] = left
            else:
                del self.per_client[client]

        return release

    async def close_all(self) -> None:
        """Close every live connection at once (each may wait `close_timeout` for its peers)."""
        await asyncio.gather(*(bridge.shutdown() for bridge in list(self.live)), return_exceptions=True)


def connections(app: web.Application) -> Connections:
    """The app's registry (set up by `gateway.app.build_app`, so apps never share counts)."""
    return app[WS_CONNECTIONS]
