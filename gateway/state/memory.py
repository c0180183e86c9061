"""The default state backend: one process, no dependencies.

Expiry follows the monotonic clock (a wall-clock jump must not lift bans or reset
limits). Expired entries are dropped lazily on access and by a deadline heap on
every write, so cleanup costs O(log n) per write and never a full scan on the hot
path. The number of live keys is bounded; when it is reached and nothing has expired,
new keys are refused with StateUnavailable rather than evicting old ones, because
evicting a ban, a counter or a replay guard would hand an attacker a bypass.
"""

from __future__ import annotations

import bisect
import heapq
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.state.base import MAX_HITS, Ban, Screening, StateUnavailable, check_ttl

# Families keep one caller's key space apart from another's: a counter "x" is not the ban "x".
_COUNT, _WINDOW, _BAN, _SET, _VALUE = "n:", "w:", "b:", "s:", "v:"


@dataclass(slots=True)
class _Entry:
    deadline: float
    value: Any = field(default=None)


class MemoryStore:
    """StateStore for a single process; safe to share between tasks (no awaits inside operations)."""

    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self._data: dict[str, _Entry] = {}
        self._heap: list[tuple[float, str]] = []
        self._max = max_entries
        self._clock = clock
        self._wall = wall

    def __len__(self) -> int:
        return len(self._data)

    # -- entry bookkeeping -------------------------------------------------------

    def _live(self, key: str) -> _Entry | None:
        entry = self._data.get(key)
        if entry is not None and entry.deadline <= self._clock():
            del self._data[key]
            return None
        return entry

    def _sweep(self) -> None:
        now = self._clock()
        while self._heap and self._heap[0][0] <= now:
            deadline, key = heapq.heappop(self._heap)
            entry = self._data.get(key)
            if entry is not None and entry.deadline <= now:
                del self._data[key]

    def _schedule(self, key: str, deadline: float) -> None:
        heapq.heappush(self._heap, (deadline, key))
        if len(self._heap) > 2 * len(self._data) + 1024:  # drop stale deadlines of rewritten keys
            self._heap = [(e.deadline, k) for k, e in self._data.items()]
            heapq.heapify(self._heap)

    def _create(self, key: str, ttl: float, value: Any) -> _Entry:
        self._sweep()
        if len(self._data) >= self._max:
            raise StateUnavailable(f"memory state store full ({self._max} live keys)")
        entry = _Entry(self._clock() + ttl, value)
        self._data[key] = entry
        self._schedule(key, entry.deadline)
        return entry

    def _extend(self, key: str, entry: _Entry, ttl: float) -> None:
        deadline = self._clock() + ttl
        if deadline > entry.deadline:
            entry.deadline = deadline
            self._schedule(key, deadline)

    # -- StateStore ----------------------------------------------------------------

    async def incr(self, key: str, by: int, ttl: float) -> int:
        ttl = check_ttl(ttl)
        entry = self._live(_COUNT + key) or self._create(_COUNT + key, ttl, 0)
        entry.value += by
        return int(entry.value)

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        window = check_ttl(window, "window")
        stamp = self._wall() if now is None else float(now)
        entry = self._live(_WINDOW + key) or self._create(_WINDOW + key, window, deque(maxlen=MAX_HITS))
        events: deque[float] = entry.value
        while events and events[0] <= stamp - window:
            events.popleft()
        if len(events) == MAX_HITS:
            events.popleft()
        if not events or stamp >= events[-1]:
            events.append(stamp)
        else:  # a replayed event older than the newest one
            bisect.insort(events, stamp)
        self._extend(_WINDOW + key, entry, window)
        return len(events)

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        ttl = check_ttl(ttl)
        entry = self._live(_BAN + key)
        if entry is not None and entry.deadline >= self._clock() + ttl:
            return entry.value  # type: ignore[no-any-return]
        since = self._wall()
        ban = Ban(key, reason, since, since + ttl)
        if entry is None:
            self._create(_BAN + key, ttl, ban)
        else:
            entry.value = ban
            self._extend(_BAN + key, entry, ttl)
        return ban

    async def banned(self, key: str) -> Ban | None:
        entry = self._live(_BAN + key)
        return None if entry is None else entry.value

    async def unban(self, key: str) -> bool:
        if self._live(_BAN + key) is None:
            return False
        del self._data[_BAN + key]
        return True

    async def bans(self) -> list[Ban]:
        self._sweep()
        now = self._clock()
        found = [e.value for k, e in self._data.items() if k.startswith(_BAN) and e.deadline > now]
        return sorted(found, key=lambda ban: (ban.until, ban.key))

    async def screen(self, bans: Sequence[str], flags: Sequence[str],
                     hits: Sequence[tuple[str, float]]) -> Screening:
        for key in bans:
            entry = self._live(_BAN + key)
            if entry is not None:
                return Screening(entry.value, False, ())
        flagged = any(self._live(_VALUE + key) is not None for key in flags)
        return Screening(None, flagged, tuple([await self.hit(key, window) for key, window in hits]))

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        ttl = check_ttl(ttl)
        now = self._clock()
        entry = self._live(_SET + set_key) or self._create(_SET + set_key, ttl, {})
        members: dict[str, float] = entry.value
        for old in [m for m, deadline in members.items() if deadline <= now]:
            del members[old]
        if member in members:
            return False
        members[member] = now + ttl
        self._extend(_SET + set_key, entry, ttl)
        return True

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        ttl = check_ttl(ttl)
        entry = self._live(_VALUE + key)
        if entry is None:
            self._create(_VALUE + key, ttl, bytes(value))
            return
        entry.value = bytes(value)
        entry.deadline = self._clock() + ttl
        self._schedule(_VALUE + key, entry.deadline)

    async def get(self, key: str) -> bytes | None:
        entry = self._live(_VALUE + key)
        return None if entry is None else entry.value

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        self._data.clear()
        self._heap.clear()
