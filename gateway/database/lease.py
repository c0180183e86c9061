"""A lease: a named row that one holder owns until it expires, shared by every instance.

Scheduled work that must run once across instances (the transcript retention worker) takes
the lease, renews it while working, and releases it when done. A holder that dies simply
lets it expire. Times are wall-clock microseconds, since instances share no monotonic clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gateway.database.base import Database
from gateway.database.migrate import Migration, migrate

TABLE = "chatguard_leases"
MIGRATIONS = (
    Migration(1, "leases", (
        f"CREATE TABLE {TABLE} (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_us {{bigint}} NOT NULL)",
    )),
)


class Lease:
    """`await lease.acquire()` is True when this holder owns the lease now (taken or renewed)."""

    def __init__(self, db: Database, name: str, holder: str, ttl: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._clock = clock

    async def setup(self) -> None:
        await migrate(self.db, "leases", MIGRATIONS)

    async def acquire(self) -> bool:
        """Take the lease if it is free or expired, or extend it if this holder has it."""
        now = int(self._clock() * 1_000_000)
        changed = await self.db.execute(
            f"INSERT INTO {TABLE} (name, holder, expires_us) VALUES ($1, $2, $3)"  # noqa: S608
            f" ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us"
            f" WHERE {TABLE}.expires_us <= $4 OR {TABLE}.holder = excluded.holder",
            self.name, self.holder, now + int(self.ttl * 1_000_000), now)
        return changed == 1

    async def release(self) -> None:
        await self.db.execute(f"DELETE FROM {TABLE} WHERE name = $1 AND holder = $2",  # noqa: S608
                              self.name, self.holder)

    async def holder_now(self) -> str | None:
        """Who holds the lease now (None when free or expired)."""
        now = int(self._clock() * 1_000_000)
        value = await self.db.fetchval(f"SELECT holder FROM {TABLE} WHERE name = $1 AND expires_us > $2",  # noqa: S608
                                       self.name, now)
        return str(value) if value is not None else None
