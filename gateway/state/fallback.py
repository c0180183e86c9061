"""`on_error: local`: keep serving from process memory while the shared store is down.

Chosen by operators who prefer availability over cross-instance accuracy. While Redis is
unreachable (logged once per outage) each process serves from its own memory; the shared store
is tried again every `retry` seconds, not on every call, so an outage does not add a timeout to
every request. What this keeps and what it gives up:

- bans made during the outage are enforced by this process and written back to the shared store
  when it answers again (lifted ones too), so every instance enforces them from then on;
- bans made before the outage stay enforced: while Redis answers, each process keeps a copy of the
  bans in force (from the ban events, and a full read whenever its subscription starts);
- given up: rate counters, sliding windows, login lockouts and replay guards are per process during
  the outage and dropped afterwards (limits are per instance, a TOTP code may be accepted once per
  instance); bans raised on other instances during the outage reach this one only when Redis returns;
  masking tokens issued during the outage cannot be unmasked by other instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.state.base import Ban, Screening, StateStore, StateUnavailable
from gateway.state.events import EventHandler, GapHandler, StateEvent

log = logging.getLogger("chatguard.state")


class LocalFallback:
    """A StateStore that uses `shared` and switches to `local` while `shared` raises StateUnavailable."""

    def __init__(self, shared: StateStore, local: StateStore, retry: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self.shared = shared
        self.local = local
        self._retry = retry
        self._clock = clock
        self._wall = wall
        self._local_until: float | None = None
        self._pending: dict[str, Ban | None] = {}  # made while degraded, to write back (None: lifted)
        self._tasks: set[asyncio.Task[None]] = set()  # copies of shared bans being made
        self._writing: asyncio.Task[bool] | None = None

    @property
    def degraded(self) -> bool:
        """True while calls are served from local memory."""
        return self._local_until is not None

    @property
    def pending(self) -> int:
        """Bans (and lifted bans) made during an outage and not yet written back."""
        return len(self._pending)

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
            log.info("shared state store reachable again; writing back the bans made meanwhile",
                     extra={"bans": len(self._pending)})
            self._local_until = None
            self._start_write_back()
        return result

    # -- bans made during an outage ----------------------------------------------------------------

    def _start_write_back(self) -> None:
        if self._pending and (self._writing is None or self._writing.done()):
            self._writing = asyncio.get_running_loop().create_task(self.write_back(),
                                                                   name="chatguard-state-write-back")

    async def write_back(self) -> bool:
        """Record the outage's bans (and lifts) in the shared store; True once none is left to write."""
        written = 0
        while self._pending:
            key, ban = next(iter(self._pending.items()))
            try:
                if ban is None:
                    await self.shared.unban(key)
                elif (left := ban.until - self._wall()) > 0:
                    await self.shared.ban(key, left, ban.reason)  # published: every instance enforces it
            except StateUnavailable:
                return False  # down again: the next return tries the rest
            if self._pending.get(key) is ban:
                del self._pending[key]
            written += 1
        if written:
            log.info("bans made during the outage written back to the shared store", extra={"bans": written})
        return True

    def _copy(self, event: StateEvent) -> None:
        """Keep this process's copy of the shared bans current (enforced if the store goes down)."""
        if event.kind not in ("ban", "unban") or self.degraded:
            return
        task = asyncio.get_running_loop().create_task(self._copy_one(event), name="chatguard-state-ban-copy")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _copy_one(self, event: StateEvent) -> None:
        with contextlib.suppress(StateUnavailable):  # the copy is full: the shared store still has it
            if event.kind == "unban":
                await self.local.unban(event.key)
            elif (left := event.until - self._wall()) > 0:
                await self.local.ban(event.key, left, "copied from the shared state store")

    async def _copy_all(self) -> None:
        with contextlib.suppress(StateUnavailable):
            for ban in await self.shared.bans():
                if (left := ban.until - self._wall()) > 0:
                    await self.local.ban(ban.key, left, ban.reason)

    # -- StateStore ----------------------------------------------------------------------------------

    async def incr(self, key: str, by: int, ttl: float) -> int:
        return await self._call(lambda store: store.incr(key, by, ttl))

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        return await self._call(lambda store: store.hit(key, window, now))

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        ban = await self._call(lambda store: store.ban(key, ttl, reason))
        if self.degraded:
            self._pending[key] = ban
        return ban

    async def banned(self, key: str) -> Ban | None:
        found = await self._call(lambda store: store.banned(key))
        if found is None and (waiting := self._pending.get(key)) is not None and waiting.until > self._wall():
            return waiting  # made during the outage, not written back yet
        return found

    async def unban(self, key: str) -> bool:
        lifted = await self._call(lambda store: store.unban(key))
        if self.degraded:
            self._pending[key] = None
        return lifted

    async def bans(self) -> list[Ban]:
        return await self._call(lambda store: store.bans())

    async def screen(self, bans: Sequence[str], flags: Sequence[str],
                     hits: Sequence[tuple[str, float]]) -> Screening:
        found = await self._call(lambda store: store.screen(bans, flags, hits))
        if found.ban is None and self._pending:
            for key in bans:
                if (waiting := self._pending.get(key)) is not None and waiting.until > self._wall():
                    return Screening(waiting, False, ())  # made during the outage, not written back yet
        return found

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        return await self._call(lambda store: store.add(set_key, member, ttl))

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        return await self._call(lambda store: store.put(key, value, ttl))

    async def get(self, key: str) -> bytes | None:
        return await self._call(lambda store: store.get(key))

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self._call(lambda store: store.get_many(keys))

    async def publish(self, event: StateEvent) -> None:
        return await self._call(lambda store: store.publish(event))

    async def listen(self, on_event: EventHandler, on_gap: GapHandler) -> None:
        """Both sides: the shared store's events, and this process's own while it serves from memory.
        Each start of the shared subscription also refreshes the local copy of the bans and writes back."""

        def shared_event(event: StateEvent) -> None:
            self._copy(event)
            on_event(event)

        async def shared_gap() -> None:
            if self._local_until is not None:  # subscribed again, so Redis answers: the next call tries it
                self._local_until = self._clock()
            self._start_write_back()
            await self._copy_all()
            await on_gap()

        async with asyncio.TaskGroup() as group:
            group.create_task(self.shared.listen(shared_event, shared_gap), name="chatguard-state-events-shared")
            group.create_task(self.local.listen(on_event, on_gap), name="chatguard-state-events-local")

    async def ping(self) -> bool:
        return await self.shared.ping()

    async def aclose(self) -> None:
        for task in (*self._tasks, *((self._writing,) if self._writing is not None else ())):
            task.cancel()
        try:
            await self.shared.aclose()
        finally:
            await self.local.aclose()
