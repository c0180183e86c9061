"""`on_error: local`: keep serving from process memory while the shared store is down.

Chosen by operators who prefer availability over cross-instance accuracy: while Redis
is unreachable, counters, bans and replay guards are per process (logged once per
outage). The shared store is tried again every `retry` seconds, not on every call,
so an outage does not add a timeout to every request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.state.base import Ban, Screening, StateStore, StateUnavailable

log = logging.getLogger("chatguard.state")


class LocalFallback:
    """A StateStore that uses `shared` and switches to `local` while `shared` raises StateUnavailable."""

    def __init__(self, shared: StateStore, local: StateStore, retry: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.shared = shared
        self.local = local
        self._retry = retry
        self._clock = clock
        self._local_until: float | None = None

    @property
    def degraded(self) -> bool:
        """True while calls are served from local memory."""
        return self._local_until is not None

    async def _call[T](self, operation: Callable[[StateStore], Awaitable[T]]) -> T:
        if self._local_until is not None and self._clock() < self._local_until:
            return await operation(self.local)
        try:
            result = await operation(self.shared)
        except StateUnavailable:
            if self._local_until is None:
                log.warning("shared state store unreachable; serving from local memory (on_error: local)")
            self._local_until = self._clock() + self._retry
            return await operation(self.local)
        if self._local_until is not None:
            log.info("shared state store reachable again; local state from the outage is not merged")
            self._local_until = None
        return result

    async def incr(self, key: str, by: int, ttl: float) -> int:
        return await self._call(lambda store: store.incr(key, by, ttl))

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        return await self._call(lambda store: store.hit(key, window, now))

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        return await self._call(lambda store: store.ban(key, ttl, reason))

    async def banned(self, key: str) -> Ban | None:
        return await self._call(lambda store: store.banned(key))

    async def unban(self, key: str) -> bool:
        return await self._call(lambda store: store.unban(key))

    async def bans(self) -> list[Ban]:
        return await self._call(lambda store: store.bans())

    async def screen(self, bans: Sequence[str], flags: Sequence[str],
                     hits: Sequence[tuple[str, float]]) -> Screening:
        return await self._call(lambda store: store.screen(bans, flags, hits))

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        return await self._call(lambda store: store.add(set_key, member, ttl))

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        return await self._call(lambda store: store.put(key, value, ttl))

    async def get(self, key: str) -> bytes | None:
        return await self._call(lambda store: store.get(key))

    async def ping(self) -> bool:
        return await self.shared.ping()

    async def aclose(self) -> None:
        try:
            await self.shared.aclose()
        finally:
            await self.local.aclose()
