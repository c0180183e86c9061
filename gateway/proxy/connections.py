"""Open WebSocket connections of one app: connection limits, who is connected, and shutdown.

A slot is taken before the upstream is dialled, so a flood of handshakes cannot open
more upstream sockets than the limits allow, and released exactly once when the
connection ends (whatever way it ends). Live connections are indexed by the ban keys
and the session they were opened with, so a ban or a logout finds its sockets at once
(`gateway.proxy.live_checks`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger("chatguard.ws")
_SESSION = "session:"  # never a ban key's prefix (those are ip:, subject:, pair:)


class Closable(Protocol):
    @property
    def session(self) -> tuple[str | None, float | None]: ...

    @property
    def subject(self) -> str: ...

    async def shutdown(self) -> None: ...

    async def end_session(self) -> None: ...

    async def end_banned(self) -> None: ...


class GatewaySlots(Protocol):
    """Who counts the WebSockets of every worker (the supervisor, `gateway.edge.listener.Dealt`)."""

    async def websocket(self, client: str, upstream: str) -> Callable[[], None]:
        """A slot under the gateway's caps, or `Refused`; what gives it back."""
        ...


class Refused(Exception):
    """A connection limit is reached; `status` is the HTTP answer (429 per client, 503 in total)."""

    def __init__(self, status: int, error: str, retry_after: int | None = None, cap: str = "") -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.retry_after = retry_after
        self.cap = cap  # TOTAL, PER_CLIENT or PER_UPSTREAM


TOTAL, PER_CLIENT, PER_UPSTREAM = "total", "per_client", "per_upstream"


def refusal(cap: str) -> Refused:
    """The refusal of a WebSocket over `cap` (one of TOTAL, PER_CLIENT, PER_UPSTREAM; anything else: TOTAL)."""
    if cap == PER_CLIENT:
        return Refused(429, "too many websocket connections from this client", cap=PER_CLIENT)
    if cap == PER_UPSTREAM:
        return Refused(503, "too many websocket connections to the upstream", retry_after=5, cap=PER_UPSTREAM)
    return Refused(503, "too many websocket connections", cap=TOTAL)


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
    the old config still count against the new limits. Under `--workers N` each worker counts its own, and
    the supervisor counts them all (`gateway.dealer`, asked through `gateway.edge.listener.Dealt`)."""

    def __init__(self) -> None:
        self.total = 0
        self.per_client: dict[str, int] = {}
        self.per_upstream: dict[str, int] = {}
        self.live: set[Closable] = set()
        self._by_key: dict[str, set[Closable]] = {}  # ban keys and "session:<id>" -> live connections
        self._keys: dict[Closable, tuple[str, ...]] = {}

    def admit(self, client: str, max_total: int, max_per_client: int, upstream: str = "",
              max_per_upstream: int = 0) -> Callable[[], None]:
        """Take a slot or raise `Refused`; returns the function that gives the slot back.

        `client` is the client's key (its address, or its IPv6 network); `max_per_upstream` 0: no cap."""
        if self.total >= max_total:
            raise refusal(TOTAL)
        if self.per_client.get(client, 0) >= max_per_client:
            raise refusal(PER_CLIENT)
        if max_per_upstream and self.per_upstream.get(upstream, 0) >= max_per_upstream:
            raise refusal(PER_UPSTREAM)
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

    def track(self, bridge: Closable, ban_keys: Iterable[str]) -> None:
        """`bridge` is live; a ban on any of `ban_keys` (or the end of its session) ends it."""
        session = bridge.session[0]
        keys = (*ban_keys, *((_SESSION + session,) if session is not None else ()))
        self.live.add(bridge)
        self._keys[bridge] = keys
        for key in keys:
            self._by_key.setdefault(key, set()).add(bridge)

    def untrack(self, bridge: Closable) -> None:
        self.live.discard(bridge)
        for key in self._keys.pop(bridge, ()):
            held = self._by_key.get(key)
            if held is not None:
                held.discard(bridge)
                if not held:
                    del self._by_key[key]

    def banned(self, key: str) -> list[Closable]:
        """Live connections a ban on `key` covers."""
        return list(self._by_key.get(key, ()))

    def of_session(self, session: str) -> list[Closable]:
        return list(self._by_key.get(_SESSION + session, ()))

    async def close_all(self) -> None:
        """Close every live connection at once (each may wait `close_timeout` for its peers)."""
        await asyncio.gather(*(bridge.shutdown() for bridge in list(self.live)), return_exceptions=True)
