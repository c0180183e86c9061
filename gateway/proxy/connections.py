"""Open WebSocket connections of one app: connection limits and shutdown.

A slot is taken before the upstream is dialled, so a flood of handshakes cannot open
more upstream sockets than the limits allow, and released exactly once when the
connection ends (whatever way it ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from aiohttp import web

from gateway.keys import WS_CONNECTIONS

log = logging.getLogger("chatguard.ws")


class Closable(Protocol):
    @property
    def session(self) -> tuple[str | None, float | None]: ...

    async def shutdown(self) -> None: ...

    async def end_session(self) -> None: ...


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


class SessionOracle(Protocol):
    async def is_revoked(self, session_id: str) -> bool: ...


SESSION_CHECK_EVERY = 2.0  # seconds: how soon a logout or an expired token closes open WebSockets


def end_revoked_sessions(oracle: SessionOracle, registry: Connections,
                         every: float = SESSION_CHECK_EVERY) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running one sweeper: WebSockets whose session was revoked (logout, refresh-token
    reuse) or whose credentials expired are closed with 1008, without a task per connection."""

    async def sweep() -> None:
        while True:
            await asyncio.sleep(every)
            now = time.time()
            for bridge in list(registry.live):
                session, expires = bridge.session
                try:
                    ended = (expires is not None and expires <= now) or (
                        session is not None and await oracle.is_revoked(session))
                except Exception:  # the store is down: keep checking, never kill the sweeper
                    log.warning("session check failed", exc_info=True)
                    continue
                if ended:
                    await bridge.end_session()

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(sweep(), name="chatguard-ws-session-sweeper")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


def connections(app: web.Application) -> Connections:
    """The app's registry (set up by `gateway.app.build_app`, so apps never share counts)."""
    return app[WS_CONNECTIONS]
