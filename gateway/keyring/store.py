"""Wrapped data keys in the database: one row per key, never the key itself.

A scope (e.g. `transcripts:<conversation>`) has versions 1, 2, ...; the highest is the one new
data is sealed with, older ones still open what they sealed. Deleting a scope's rows is
crypto-shredding: whatever was sealed under them, wherever copies went, stays sealed forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.database import Database, Migration, migrate

TABLE = "chatguard_data_keys"
MIGRATIONS = (
    Migration(1, "data keys", (
        f"CREATE TABLE {TABLE} (key_id TEXT PRIMARY KEY, scope TEXT NOT NULL, version INTEGER NOT NULL,"
        " kek_id TEXT NOT NULL, wrapped {blob} NOT NULL, created_us {bigint} NOT NULL, UNIQUE (scope, version))",
        f"CREATE INDEX {TABLE}_kek ON {TABLE} (kek_id, key_id)",
    )),
)
_COLUMNS = "key_id, scope, version, kek_id, wrapped"


@dataclass(frozen=True, slots=True)
class WrappedKey:
    key_id: str
    scope: str
    version: int
    kek_id: str
    wrapped: bytes

    @property
    def context(self) -> bytes:
        """What the wrapping is bound to: this id, scope and version only."""
        return f"chatguard data key\x00{self.key_id}\x00{self.scope}\x00{self.version}".encode()


def _row(row: Sequence[Any]) -> WrappedKey:
    return WrappedKey(str(row[0]), str(row[1]), int(row[2]), str(row[3]), bytes(row[4]))


class WrappedKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def setup(self) -> None:
        await migrate(self.db, "keys", MIGRATIONS)

    async def latest(self, scope: str) -> WrappedKey | None:
        row = await self.db.fetchrow(f"SELECT {_COLUMNS} FROM {TABLE} WHERE scope = $1"  # noqa: S608
                                     " ORDER BY version DESC LIMIT 1", scope)
        return _row(row) if row else None

    async def by_id(self, key_id: str) -> WrappedKey | None:
        row = await self.db.fetchrow(f"SELECT {_COLUMNS} FROM {TABLE} WHERE key_id = $1", key_id)  # noqa: S608
        return _row(row) if row else None

    async def add(self, key: WrappedKey, created_us: int) -> bool:
        """Insert unless that scope already has this version (another instance was first)."""
        changed = await self.db.execute(
            f"INSERT INTO {TABLE} (key_id, scope, version, kek_id, wrapped, created_us)"  # noqa: S608
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            key.key_id, key.scope, key.version, key.kek_id, key.wrapped, created_us)
        return changed == 1

    async def delete_scope(self, scope: str) -> list[str]:
        """Remove every version of `scope`; returns the key ids that were removed."""
        async with self.db.transaction() as tx:
            ids = [str(r[0]) for r in await tx.fetch(f"SELECT key_id FROM {TABLE} WHERE scope = $1", scope)]  # noqa: S608
            await tx.execute(f"DELETE FROM {TABLE} WHERE scope = $1", scope)  # noqa: S608
        return ids

    async def not_wrapped_by(self, kek_id: str, after: str, limit: int) -> list[WrappedKey]:
        rows = await self.db.fetch(f"SELECT {_COLUMNS} FROM {TABLE} WHERE kek_id <> $1 AND key_id > $2"  # noqa: S608
                                   " ORDER BY key_id LIMIT $3", kek_id, after, limit)
        return [_row(r) for r in rows]

    async def replace_wrapping(self, key: WrappedKey, kek_id: str, wrapped: bytes) -> bool:
        """Store a re-wrapped key, unless it changed (or was erased) since it was read."""
        changed = await self.db.execute(f"UPDATE {TABLE} SET kek_id = $1, wrapped = $2"  # noqa: S608
                                        " WHERE key_id = $3 AND kek_id = $4", kek_id, wrapped, key.key_id, key.kek_id)
        return changed == 1

    async def count_by_kek(self) -> dict[str, int]:
        rows = await self.db.fetch(f"SELECT kek_id, COUNT(*) FROM {TABLE} GROUP BY kek_id")  # noqa: S608
        return {str(r[0]): int(r[1]) for r in rows}

    async def scopes(self, prefix: str) -> int:
        """How many scopes start with `prefix` (status reports)."""
        value = await self.db.fetchval(f"SELECT COUNT(DISTINCT scope) FROM {TABLE} WHERE scope LIKE $1",  # noqa: S608
                                       prefix.replace("%", r"\%").replace("_", r"\_") + "%")
        return int(value or 0)
