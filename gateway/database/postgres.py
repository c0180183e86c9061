"""PostgreSQL through an asyncpg pool.

The URL may carry `?search_path=SCHEMA` (asyncpg passes unknown parameters on as server
settings), which keeps an installation or a test run in its own schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from gateway.database.base import Database, DatabaseError, Dialect, InTransaction, Row

DRIVER_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)
# Raised by the driver only: what a transaction's body raises for its own reasons passes unchanged.
_DRIVER_ONLY = (asyncpg.PostgresError, asyncpg.InterfaceError)


class PostgresDatabase(Database):
    dialect: Dialect = "postgres"

    def __init__(self, url: str, *, max_size: int = 4, timeout: float = 10.0) -> None:
        self._url = url
        self._max_size = max_size
        self._timeout = timeout
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(self._url, min_size=1, max_size=self._max_size,
                                                   timeout=self._timeout, command_timeout=self._timeout * 6)
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"cannot connect to PostgreSQL: {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    def _ready(self) -> asyncpg.Pool:
        if self._pool is None:
            raise DatabaseError("database is not open")
        return self._pool

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            return _count(await self._ready().execute(sql, *args))
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self._ready().executemany(sql, [tuple(r) for r in rows])
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return [tuple(r) for r in await self._ready().fetch(sql, *args)]
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        try:
            async with self._ready().acquire() as conn, conn.transaction():
                yield _Bound(conn)
        except _DRIVER_ONLY as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc


class _Bound(InTransaction):
    """One pooled connection inside a transaction."""

    dialect: Dialect = "postgres"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            return _count(await self._conn.execute(sql, *args))
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            await self._conn.executemany(sql, [tuple(r) for r in rows])
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return [tuple(r) for r in await self._conn.fetch(sql, *args)]
        except DRIVER_ERRORS as exc:
            raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {exc}") from exc



def _count(status: str) -> int:
    """Rows changed, from a command tag such as `DELETE 3` or `INSERT 0 1`."""
    last = str(status).rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
