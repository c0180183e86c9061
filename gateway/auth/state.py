"""The shared state authentication needs, as a subset of the gateway's `StateStore`.

Replay guards, lockout counters, rate limits, login tickets and revoked sessions must
be seen by every gateway process, so they go through this protocol; the gateway passes
its configured store, tests use `MemoryAuthState`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class AuthState(Protocol):
    async def incr(self, key: str, by: int, ttl: float) -> int:
        """Add `by`, return the total; the TTL starts with the first increment."""
        ...

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        """True only the first time `member` joins the set (a replay guard)."""
        ...

    async def put(self, key: str, value: bytes, ttl: float) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """`get` for several keys at once (one round trip on a shared store)."""
        ...


class MemoryAuthState:
    """One-process state with expiry, for tests and single-instance use."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, object]] = {}

    def _live(self, key: str) -> object | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del self._values[key]
            return None
        return entry[1]

    async def incr(self, key: str, by: int, ttl: float) -> int:
        current = self._live(key)
        if isinstance(current, int):
            total = current + by
            self._values[key] = (self._values[key][0], total)
            return total
        self._values[key] = (time.monotonic() + ttl, by)
        return by

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        key = f"{set_key}\x00{member}"
        if self._live(key) is not None:
            return False
        self._values[key] = (time.monotonic() + ttl, True)
        return True

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self._values[key] = (time.monotonic() + ttl, value)

    async def get(self, key: str) -> bytes | None:
        value = self._live(key)
        return value if isinstance(value, bytes) else None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]
