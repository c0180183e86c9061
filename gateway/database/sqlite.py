"""SQLite through aiosqlite: one connection per process, WAL, writers wait their turn.

One asyncio lock orders statements and transactions on the connection, so a transaction's
statements never interleave with another task's. Other processes (workers, the CLI) share
the file; `busy_timeout` makes them wait for each other instead of failing at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.database.base import (
    Database,
    DatabaseError,
    Dialect,
    InTransaction,
    Row,
    sqlite_args,
    sqlite_params,
)

BUSY_TIMEOUT_MS = 10_000


class SqliteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if self._conn is not None:
            return
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"cannot open SQLite database: {exc}") from exc
        self._conn = conn

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("database is not open")
        return self._conn

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._lock:
            return await _execute(self._connection(), sql, args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._lock:
            await _executemany(self._connection(), sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._lock:
            return await _fetch(self._connection(), sql, args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        async with self._lock:
            conn = self._connection()
            await _execute(conn, "BEGIN IMMEDIATE", ())
            try:
                yield _Bound(conn)
            except BaseException:
                await _execute(conn, "ROLLBACK", ())
                raise
            await _execute(conn, "COMMIT", ())


class _Bound(InTransaction):
    """The connection inside a transaction (the lock is already held)."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> int:
        return await _execute(self._conn, sql, args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await _executemany(self._conn, sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await _fetch(self._conn, sql, args)



async def _execute(conn: aiosqlite.Connection, sql: str, args: Sequence[Any]) -> int:
    try:
        cursor = await conn.execute(sqlite_params(sql), sqlite_args(args))
        count = cursor.rowcount
        await cursor.close()
        return max(count, 0)
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite: {exc}") from exc


async def _executemany(conn: aiosqlite.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    try:
        await conn.executemany(sqlite_params(sql), [sqlite_args(r) for r in rows])
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite: {exc}") from exc


async def _fetch(conn: aiosqlite.Connection, sql: str, args: Sequence[Any]) -> list[Row]:
    try:
        async with conn.execute(sqlite_params(sql), sqlite_args(args)) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite: {exc}") from exc
