"""Copy of the audit chain into PostgreSQL, for queries (admin API, reports).

The JSON-lines file stays the record of truth; the table keeps each entry's exact
line as well, so the chain can be re-verified from an export. Inserts are idempotent
(the entry hash is the key): a batch retried after a lost reply is not duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import orjson

from gateway.audit.config import PostgresAuditSettings


def quote_table(name: str) -> str:
    """`schema.table` as quoted identifiers (names are checked against a strict pattern in config)."""
    return ".".join(f'"{part}"' for part in name.split("."))


class PostgresCopy:
    """Connects on first use and reconnects after errors; the writer retries with back-off."""

    def __init__(self, settings: PostgresAuditSettings) -> None:
        self.settings = settings
        self.table = quote_table(settings.table)
        columns = "(hash, seq, prev, ts, event, entry, line) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)"
        # the table name is a checked, quoted identifier; every value is a bound parameter
        self._insert = f"INSERT INTO {self.table} {columns} ON CONFLICT (hash) DO NOTHING"  # noqa: S608
        self._pool: asyncpg.Pool | None = None

    async def _connect(self) -> asyncpg.Pool:
        if self._pool is None:
            pool = await asyncpg.create_pool(self.settings.dsn, min_size=1, max_size=2,
                                             timeout=self.settings.timeout,
                                             command_timeout=self.settings.timeout)
            try:
                async with pool.acquire() as conn, conn.transaction():
                    # one instance at a time: concurrent CREATE ... IF NOT EXISTS can collide in the catalog
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"chatguard:audit:{self.table}")
                    await conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {self.table} ("
                        " hash char(64) PRIMARY KEY, seq bigint NOT NULL, prev char(64) NOT NULL,"
                        " ts timestamptz NOT NULL, event text NOT NULL, entry jsonb NOT NULL, line text NOT NULL)")
            except BaseException:
                await pool.close()
                raise
            self._pool = pool
        return self._pool

    async def copy(self, lines: Sequence[bytes]) -> None:
        rows = []
        for raw in lines:
            line = raw.rstrip(b"\n").decode()
            entry = orjson.loads(line)
            ts = datetime.fromisoformat(entry["ts"])
            rows.append((entry["hash"], entry["seq"], entry["prev"], ts, entry["event"], line, line))
        pool = await self._connect()
        try:
            async with pool.acquire() as conn:
                await conn.executemany(self._insert, rows)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await self.aclose()   # start from a fresh pool next time
            raise

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
