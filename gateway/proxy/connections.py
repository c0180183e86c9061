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

log = logging.getLogger("chatguard.ws")


class Closable(Protocol):
    @property
    def session(self) -> tuple[str | None, float | None]: ...

    async def shutdown(self) -> None: ...

    async def end_session(self) -> None: ...


class Refused(Exception):
    """A connection limit is reached; `status` is the HTTP answer (429 per client, 503 in total)."""

    def __init__(self, status: int, error: str, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.retry_after = retry_after


def _take(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _give_back(counts: dict[str, int], key: str) -> None:
    left = counts[key] - 1
    if left:
        counts[key] = left
    else:
        del counts[key]


class Connections:
    """Counts per client, per upstream and in total, plus the live bridges to close on shutdown.

    The counts belong to the app, not to one config: they survive a reload, so sockets opened under
    the old config still count against the new limits."""

    def __init__(self) -> None:
        self.total = 0
        self.per_client: dict[str, int] = {}
        self.per_upstream: dict[str, int] = {}
        self.live: set[Closable] = set()

    def admit(self, client: str, max_total: int, max_per_client: int, upstream: str = "",
              max_per_upstream: int = 0) -> Callable[[], None]:
        """Take a slot or raise `Refused`; returns the function that gives the slot back.

        `client` is the client's key (its address, or its IPv6 network); `max_per_upstream` 0: no cap."""
        if self.total >= max_total:
            raise Refused(503, "too many websocket connections")
        if self.per_client.get(client, 0) >= max_per_client:
            raise Refused(429, "too many websocket connections from this client")
        if max_per_upstream and self.per_upstream.get(upstream, 0) >= max_per_upstream:
            raise Refused(503, "too many websocket connections to the upstream", retry_after=5)
        self.total += 1
        _take(self.per_client, client)
        _take(self.per_upstream, upstream)
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self.total -= 1
            _give_back(self.per_client, client)
            _give_back(self.per_upstream, upstream)

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
