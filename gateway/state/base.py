"""What every state backend offers: counters, sliding windows, bans, expiring sets, bytes.

All of it is small, short-lived and security relevant (rate limits, bans, TOTP replay
guards, masking tokens), so every entry carries a TTL and every operation is atomic
in the backend: two gateway processes incrementing one counter never lose an update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from gateway.state.events import EventHandler, GapHandler, StateEvent

# A sliding window counts at most this many events; more are still "over any limit".
MAX_HITS = 10_000


class StateUnavailable(RuntimeError):  # noqa: N818 (reads as a condition, like TimeoutError)
    """The store cannot answer; callers refuse the request (fail closed)."""


@dataclass(frozen=True)
class Ban:
    """A ban on `key` (an IP, a subject, a pair of them), in wall-clock epoch seconds."""

    key: str
    reason: str
    since: float
    until: float


@dataclass(frozen=True, slots=True)
class Screening:
    """What `StateStore.screen` found for one request."""

    ban: Ban | None  # the first ban in force among the keys asked about (then nothing was counted)
    flagged: bool  # some flag key holds a value (a throttle, for the shield)
    counts: tuple[int, ...]  # per hit, as `hit` returns it; () when banned


@runtime_checkable
class StateStore(Protocol):
    """One interface, several backends; TTLs and windows are in seconds (> 0)."""

    async def incr(self, key: str, by: int, ttl: float) -> int:
        """Add `by` and return the new total; the TTL starts with the first increment (fixed window)."""
        ...

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        """Record one event and return how many happened in the last `window` seconds (this one included).

        `now` (epoch seconds) replays recorded events; left out, the backend's clock is used.
        Counts saturate at MAX_HITS.
        """
        ...

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        """Ban `key` for `ttl` seconds and return the ban in force (a shorter ban never shortens a longer one).

        A new or lengthened ban is published (a `ban` event) to every process sharing the store."""
        ...

    async def banned(self, key: str) -> Ban | None:
        """The ban in force on `key`, if any."""
        ...

    async def unban(self, key: str) -> bool:
        """Lift the ban on `key`; False if there was none."""
        ...

    async def bans(self) -> list[Ban]:
        """Every ban in force, soonest ending first."""
        ...

    async def screen(self, bans: Sequence[str], flags: Sequence[str],
                     hits: Sequence[tuple[str, float]]) -> Screening:
        """A request's checks as one atomic operation (one round trip on a remote store): the first
        ban in force among `bans` (as `banned`; when there is one, nothing is counted), whether any of
        `flags` holds a value (as `get`), then one `hit` per (key, window)."""
        ...

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        """Put `member` in the set for `ttl` seconds; True only if it was not there (a replay guard)."""
        ...

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` under `key` for `ttl` seconds."""
        ...

    async def get(self, key: str) -> bytes | None:
        """The value under `key`, or None if unknown or expired."""
        ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """`get` for several keys in one round trip, in their order."""
        ...

    async def publish(self, event: StateEvent) -> None:
        """Tell every gateway process sharing this store, this one included (`ban` publishes by itself)."""
        ...

    async def listen(self, on_event: EventHandler, on_gap: GapHandler) -> None:
        """Call `on_event` for every event published on this store until cancelled; after a lost
        subscription came back (events may have been missed) `await on_gap()` first."""
        ...

    async def ping(self) -> bool:
        """Whether the backend answers now (for readiness checks); never raises."""
        ...

    async def aclose(self) -> None:
        """Release connections; safe to call twice."""
        ...


def check_ttl(ttl: float, what: str = "ttl") -> float:
    """TTLs come from code and config; a zero or negative one is a bug, never 'forever'."""
    if not (ttl > 0 and math.isfinite(ttl)):
        raise ValueError(f"{what} must be a finite number of seconds > 0, got {ttl!r}")
    return float(ttl)
