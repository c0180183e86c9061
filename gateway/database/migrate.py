"""Versioned schema migrations, applied at start, once, whichever instance comes first.

Each component (transcripts, keys, leases) lists its migrations in order. `migrate` takes a
lock (PostgreSQL: an advisory lock; SQLite: an immediate transaction), applies the ones not
yet recorded, and records each with a checksum of its statements. It refuses to run when a
recorded migration was changed after it was applied, or when the database is newer than this
release knows: a schema that is not the one the code was written for is never written to.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.database.base import Database

TABLE = "chatguard_migrations"


class MigrationError(RuntimeError):
    """The database schema cannot be brought to what this release expects."""


@dataclass(frozen=True)
class Migration:
    """One step: statements for both dialects (dialect words allowed), or one list per dialect."""

    version: int
    name: str
    statements: tuple[str, ...] = ()
    sqlite: tuple[str, ...] | None = None
    postgres: tuple[str, ...] | None = None

    def for_dialect(self, db: Database) -> tuple[str, ...]:
        own = self.sqlite if db.dialect == "sqlite" else self.postgres
        return tuple(db.sql(s) for s in (own if own is not None else self.statements))

    def checksum(self, db: Database) -> str:
        return hashlib.sha256("\n;\n".join(self.for_dialect(db)).encode()).hexdigest()


async def migrate(db: Database, component: str, migrations: Sequence[Migration]) -> list[int]:
    """Bring `component`'s tables up to the last migration; returns the versions applied now."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise MigrationError(f"{component}: migration versions must be unique, ascending and >= 1")
    applied_now: list[int] = []
    async with db.transaction() as tx:
        if db.dialect == "postgres":
            await tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{TABLE}:{component}")
        await tx.execute(db.sql(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (component TEXT NOT NULL, version INTEGER NOT NULL,"
            " name TEXT NOT NULL, checksum TEXT NOT NULL, applied_us {bigint} NOT NULL,"
            " PRIMARY KEY (component, version))"))
        recorded = {int(v): str(c) for v, c in await tx.fetch(
            f"SELECT version, checksum FROM {TABLE} WHERE component = $1", component)}  # noqa: S608
        known = {m.version: m for m in migrations}
        newer = sorted(v for v in recorded if v not in known)
        if newer:
            raise MigrationError(f"{component}: the database has schema version {newer[-1]}, newer than this "
                                 f"release knows ({versions[-1] if versions else 0}); upgrade chatguard")
        for version, checksum in recorded.items():
            if known[version].checksum(db) != checksum:
                raise MigrationError(f"{component}: migration {version} ({known[version].name}) differs from "
                                     "the one applied to this database")
        for migration in migrations:
            if migration.version in recorded:
                continue
            for statement in migration.for_dialect(db):
                await tx.execute(statement)
            await tx.execute(f"INSERT INTO {TABLE} (component, version, name, checksum, applied_us)"  # noqa: S608
                             " VALUES ($1, $2, $3, $4, $5)", component, migration.version, migration.name,
                             migration.checksum(db), int(time.time() * 1_000_000))
            applied_now.append(migration.version)
    return applied_now


async def schema_version(db: Database, component: str) -> int:
    """The highest applied migration of `component` (0 when none)."""
    value = await db.fetchval(f"SELECT MAX(version) FROM {TABLE} WHERE component = $1", component)  # noqa: S608
    return int(value or 0)
