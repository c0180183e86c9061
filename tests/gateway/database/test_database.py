"""The database interface on real SQLite and PostgreSQL: statements, transactions, migrations, leases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.database import Database, DatabaseError, Lease, Migration, MigrationError, migrate, open_database
from gateway.database.migrate import schema_version

NOTES = (
    Migration(1, "notes", ("CREATE TABLE notes (id TEXT PRIMARY KEY, body {blob}, n {bigint} NOT NULL)",)),
    Migration(2, "notes by n", ("CREATE INDEX notes_n ON notes (n)",)),
)


async def test_statements_round_trip_bytes_and_big_integers(database: Database) -> None:
    await migrate(database, "notes", NOTES)
    await database.executemany("INSERT INTO notes (id, body, n) VALUES ($1, $2, $3)",
                               [("a", b"\x00\xff", 2**62), ("b", None, -1)])
    assert await database.fetch("SELECT id, body, n FROM notes ORDER BY id") == [
        ("a", b"\x00\xff", 2**62), ("b", None, -1)]
    assert await database.execute("DELETE FROM notes WHERE n < $1", 0) == 1
    assert await database.fetchval("SELECT COUNT(*) FROM notes") == 1
    assert await database.fetchrow("SELECT id FROM notes WHERE id = $1", "zzz") is None


async def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    await migrate(database, "notes", NOTES)
    with pytest.raises(DatabaseError):
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO notes (id, n) VALUES ($1, $2)", "x", 1)
            await tx.execute("INSERT INTO notes (id, n) VALUES ($1, $2)", "x", 2)   # duplicate key
    assert await database.fetchval("SELECT COUNT(*) FROM notes") == 0


async def test_migrations_apply_once_and_in_order(database: Database) -> None:
    assert await migrate(database, "notes", NOTES[:1]) == [1]
    assert await migrate(database, "notes", NOTES) == [2]
    assert await migrate(database, "notes", NOTES) == []
    assert await schema_version(database, "notes") == 2


async def test_concurrent_starts_apply_each_migration_once(db_url: str) -> None:
    dbs = [open_database(db_url) for _ in range(3)]
    for db in dbs:
        await db.open()
    try:
        results = await asyncio.gather(*(migrate(db, "notes", NOTES) for db in dbs))
        assert sorted(v for applied in results for v in applied) == [1, 2]
    finally:
        for db in dbs:
            await db.aclose()


@pytest.mark.parametrize(("known", "message"), [
    ((NOTES[0],), "newer than this release knows"),
    ((Migration(1, "notes", ("CREATE TABLE notes (id TEXT)",)), NOTES[1]), "differs from the one applied"),
])
async def test_refuses_a_schema_it_was_not_written_for(database: Database, known: tuple[Migration, ...],
                                                       message: str) -> None:
    await migrate(database, "notes", NOTES)
    with pytest.raises(MigrationError, match=message):
        await migrate(database, "notes", known)


async def test_lease_has_one_holder_until_it_expires_or_is_released(database: Database) -> None:
    now = [1000.0]
    first = Lease(database, "worker", "a", ttl=30, clock=lambda: now[0])
    second = Lease(database, "worker", "b", ttl=30, clock=lambda: now[0])
    await first.setup()
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire()            # renewal by the holder
    now[0] += 31
    assert await second.acquire()           # expired: taken over
    assert not await first.acquire()
    await second.release()
    assert await first.holder_now() is None
    assert await first.acquire()


def test_urls_name_the_dialect(tmp_path: Path) -> None:
    assert open_database(f"sqlite:///{tmp_path}/x.db").dialect == "sqlite"
    assert open_database("postgresql://u@h/db").dialect == "postgres"
    with pytest.raises(ValueError, match="sqlite:/// or postgresql://"):
        open_database("mysql://u@h/db")


async def test_unreachable_postgres_is_a_database_error_without_the_password() -> None:
    db = open_database("postgresql://user:hunter2-secret@127.0.0.1:9/none")
    with pytest.raises(DatabaseError) as caught:
        await db.open()
    assert "hunter2" not in str(caught.value)
