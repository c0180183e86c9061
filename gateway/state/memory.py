"""The default state backend: one process, no dependencies.

Expiry follows the monotonic clock (a wall-clock jump must not lift bans or reset limits). Expired
entries are dropped lazily on access and by a deadline heap on every write, so cleanup costs
O(log n) per write and never a full scan on the hot path.

Memory is bounded three ways, so a client rotating addresses (or an IPv6 /64) cannot fill it:
- bans have their own budget (`max_bans`) and are never evicted: a ban beyond it is refused
  (StateUnavailable, so the request that earned it is refused too), never one in force dropped;
- rate counters and sliding windows (`incr`, `hit`) are evicted oldest first (least recently
  touched) when the live keys other than bans reach `max_entries` or their approximate size
  reaches `max_bytes`, and each eviction is counted (`on_evict`). An evicted counter restarts from
  zero: that is the price of never refusing a new client because an attacker filled the table;
- replay guards, tokens and markers (`add`, `put`) are never evicted (dropping one would let a
  TOTP code be replayed or a revocation lapse): when only they fill the budget, new ones are refused.
"""

from __future__ import annotations

import bisect
import heapq
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.state.base import MAX_HITS, Ban, Screening, StateUnavailable, check_ttl
from gateway.state.events import EventHandler, GapHandler, LocalBus, StateEvent

# Families keep one caller's key space apart from another's: a counter "x" is not the ban "x".
_COUNT, _WINDOW, _BAN, _SET, _VALUE = "n:", "w:", "b:", "s:", "v:"
_EVICTABLE = (_COUNT, _WINDOW)

# Approximate bytes held, for `max_bytes`: CPython object sizes on a 64-bit build, rounded up.
_ENTRY = 240          # the key's dict slot, the entry object, its heap deadline
_NUMBER = 32          # an int or float object
_EVENT = 32           # one sliding-window event: a float and its deque slot
_MEMBER = 120         # one set member: its dict slot and deadline, plus the string's length


@dataclass(slots=True)
class _Entry:
    deadline: float
    value: Any = field(default=None)
    size: int = 0


class MemoryStore:
    """StateStore for a single process; safe to share between tasks (no awaits inside operations)."""

    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, *, max_bans: int = 100_000,
                 max_bytes: int = 128 * 2**20, on_evict: Callable[[str], None] | None = None) -> None:
        self._rates: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._others: dict[str, _Entry] = {}
        self._bans: dict[str, _Entry] = {}
        self._heap: list[tuple[float, str]] = []
        self._max = max_entries
        self._max_bans = max_bans
        self._max_bytes = max_bytes
        self._bytes = 0
        self._on_evict = on_evict
        self._clock = clock
        self._wall = wall
        self._bus = LocalBus()
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._rates) + len(self._others) + len(self._bans)

    @property
    def size(self) -> int:
        """Approximate bytes held by entries other than bans (what `max_bytes` bounds)."""
        return self._bytes

    # -- entry bookkeeping -------------------------------------------------------

    def _table(self, key: str) -> dict[str, _Entry]:
        if key.startswith(_EVICTABLE):
            return self._rates
        return self._bans if key.startswith(_BAN) else self._others

    def _live(self, key: str) -> _Entry | None:
        entry = self._table(key).get(key)
        if entry is None:
            return None
        if entry.deadline <= self._clock():
            self._drop(key)
            return None
        if key in self._rates:  # most recently used last: eviction takes the oldest first
            self._rates.move_to_end(key)
        return entry

    def _drop(self, key: str) -> None:
        entry = self._table(key).pop(key, None)
        if entry is not None and not key.startswith(_BAN):
            self._bytes -= entry.size

    def _sweep(self) -> None:
        now = self._clock()
        while self._heap and self._heap[0][0] <= now:
            deadline, key = heapq.heappop(self._heap)
            entry = self._table(key).get(key)
            if entry is not None and entry.deadline <= now:
                self._drop(key)

    def _schedule(self, key: str, deadline: float) -> None:
        heapq.heappush(self._heap, (deadline, key))
        if len(self._heap) > 2 * len(self) + 1024:  # drop stale deadlines of rewritten keys
            self._heap = [(e.deadline, k) for table in (self._rates, self._others, self._bans)
                          for k, e in table.items()]
            heapq.heapify(self._heap)

    def _evict_for(self, key: str, reason: str) -> bool:
        """Evict the least recently used rate entry other than `key`; False when none is left."""
        for victim in self._rates:
            if victim != key:
                self._drop(victim)
                self.evictions += 1
                if self._on_evict is not None:
                    self._on_evict(reason)
                return True
        return False

    def _room(self, key: str, more_entries: int, more_bytes: int) -> None:
        """Make room for `more_entries` new keys and `more_bytes` more bytes, or raise StateUnavailable."""
        while len(self._rates) + len(self._others) + more_entries > self._max:
            if not self._evict_for(key, "entries"):
                raise StateUnavailable(f"memory state store full ({self._max} live keys, none evictable)")
        if more_bytes > self._max_bytes and not key.startswith(_EVICTABLE):
            raise StateUnavailable(f"memory state store: {more_bytes} bytes exceed max_bytes ({self._max_bytes})")
        while self._bytes + more_bytes > self._max_bytes:
            if not self._evict_for(key, "bytes"):
                if key.startswith(_EVICTABLE):
                    return  # the last rate entry may still grow; the bound holds again once it expires
                raise StateUnavailable(f"memory state store full ({self._max_bytes} bytes, none evictable)")

    def _create(self, key: str, ttl: float, value: Any, size: int) -> _Entry:
        self._sweep()
        size += _ENTRY + len(key)
        if key.startswith(_BAN):
            if len(self._bans) >= self._max_bans:
                raise StateUnavailable(f"memory state store: ban budget full ({self._max_bans} bans in force)")
        else:
            self._room(key, 1, size)
            self._bytes += size
        entry = _Entry(self._clock() + ttl, value, size)
        self._table(key)[key] = entry
        self._schedule(key, entry.deadline)
        return entry

    def _resize(self, key: str, entry: _Entry, size: int) -> None:
        """Account for an entry whose value grew or shrank; growth may evict rate entries."""
        delta = size + _ENTRY + len(key) - entry.size
        if delta > 0:
            self._room(key, 0, delta)
        entry.size += delta
        self._bytes += delta

    def _extend(self, key: str, entry: _Entry, ttl: float) -> None:
        deadline = self._clock() + ttl
        if deadline > entry.deadline:
            entry.deadline = deadline
            self._schedule(key, deadline)

    # -- StateStore ----------------------------------------------------------------

    async def incr(self, key: str, by: int, ttl: float) -> int:
        ttl = check_ttl(ttl)
        entry = self._live(_COUNT + key) or self._create(_COUNT + key, ttl, 0, _NUMBER)
        entry.value += by
        return int(entry.value)

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        window = check_ttl(window, "window")
        stamp = self._wall() if now is None else float(now)
        key = _WINDOW + key
        entry = self._live(key) or self._create(key, window, deque(maxlen=MAX_HITS), 0)
        events: deque[float] = entry.value
        while events and events[0] <= stamp - window:
            events.popleft()
        if len(events) == MAX_HITS:
            events.popleft()
        if not events or stamp >= events[-1]:
            events.append(stamp)
        else:  # a replayed event older than the newest one
            bisect.insort(events, stamp)
        self._resize(key, entry, _EVENT * len(events))
        self._extend(key, entry, window)
        return len(events)

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        ttl = check_ttl(ttl)
        entry = self._live(_BAN + key)
        if entry is not None and entry.deadline >= self._clock() + ttl:
            return entry.value  # type: ignore[no-any-return]
        since = self._wall()
        ban = Ban(key, reason, since, since + ttl)
        if entry is None:
            self._create(_BAN + key, ttl, ban, 0)
        else:
            entry.value = ban
            self._extend(_BAN + key, entry, ttl)
        self._bus.publish(StateEvent("ban", key, ban.until))
        return ban

    async def banned(self, key: str) -> Ban | None:
        entry = self._live(_BAN + key)
        return None if entry is None else entry.value

    async def unban(self, key: str) -> bool:
        if self._live(_BAN + key) is None:
            return False
        self._drop(_BAN + key)
        self._bus.publish(StateEvent("unban", key))
        return True

    async def bans(self) -> list[Ban]:
        self._sweep()
        now = self._clock()
        found = [e.value for e in self._bans.values() if e.deadline > now]
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
        key = _SET + set_key
        entry = self._live(key) or self._create(key, ttl, {}, 0)
        members: dict[str, float] = entry.value
        for old in [m for m, deadline in members.items() if deadline <= now]:
            del members[old]
            entry.size -= _MEMBER + len(old)
            self._bytes -= _MEMBER + len(old)
        if member in members:
            return False
        self._room(key, 0, _MEMBER + len(member))
        members[member] = now + ttl
        entry.size += _MEMBER + len(member)
        self._bytes += _MEMBER + len(member)
        self._extend(key, entry, ttl)
        return True

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        ttl = check_ttl(ttl)
        key = _VALUE + key
        entry = self._live(key)
        if entry is None:
            self._create(key, ttl, bytes(value), _NUMBER + len(value))
            return
        self._resize(key, entry, _NUMBER + len(value))
        entry.value = bytes(value)
        entry.deadline = self._clock() + ttl
        self._schedule(key, entry.deadline)

    async def get(self, key: str) -> bytes | None:
        entry = self._live(_VALUE + key)
        return None if entry is None else entry.value

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    async def publish(self, event: StateEvent) -> None:
        self._bus.publish(event)

    async def listen(self, on_event: EventHandler, on_gap: GapHandler) -> None:
        await self._bus.listen(on_event, on_gap)

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        self._rates.clear()
        self._others.clear()
        self._bans.clear()
        self._heap.clear()
        self._bytes = 0
