"""Writing transcripts and keeping their index: the sink's batches, restores, erasure, retention.

Rows are inserted with their conversation, participant and finding-type index in one
transaction, so a search never finds a conversation whose messages are not there. Data keys
are fetched before the transaction opens (the key table may share the database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from typing import Any

import orjson

from gateway.database import Database, migrate
from gateway.keyring import DataKey, KeyService
from gateway.transcripts import schema as t
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.schema import ARCHIVES, CONVERSATIONS, FINDINGS, MEMBERS, MESSAGES, PARTICIPANTS
from gateway.transcripts.sealing import FULL, TEXT, scope, seal_text

CUT_MARK = " [...cut]"


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A message row as kept (text sealed or plain bytes); field order is `schema.COLUMNS`."""

    id: str
    conversation: str
    ts_us: int
    route: str
    direction: str
    channel: str
    subject: str
    roles: str            # JSON array
    verdict: str
    findings: str         # JSON array of types
    masked_types: str     # JSON array of types
    field: str
    request_id: str
    mode: str
    key_id: str | None
    text: bytes | None
    full_text: bytes | None
    archived_in: str | None = None
    restored_us: int | None = None

    @classmethod
    def of(cls, row: Sequence[Any]) -> StoredRow:
        values = list(row)
        for i in (15, 16):
            values[i] = bytes(values[i]) if values[i] is not None else None
        return cls(*values)

    def types(self, column: str) -> list[str]:
        value = orjson.loads(getattr(self, column))
        return [str(v) for v in value] if isinstance(value, list) else []


def _cut(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[:limit] + CUT_MARK


def _json(items: Iterable[str]) -> str:
    return orjson.dumps(sorted(set(items))).decode()


class TranscriptStore:
    def __init__(self, db: Database, keys: KeyService | None, *, max_text: int = 65_536) -> None:
        self.db = db
        self.keys = keys
        self.max_text = max_text

    async def setup(self) -> None:
        await migrate(self.db, "transcripts", t.MIGRATIONS)

    # writing -------------------------------------------------------------------------------

    async def write(self, records: Sequence[TranscriptRecord]) -> None:
        """Store a batch (the sink's), sealing text under each conversation's current data key."""
        keys: dict[str, DataKey | None] = {}
        for conversation in {r.conversation for r in records}:
            keys[conversation] = await self.keys.current(scope(conversation)) if self.keys else None
        rows = [self._row(r, keys[r.conversation]) for r in records]
        async with self.db.transaction() as tx:
            await tx.executemany(t.INSERT, [astuple(r) for r in rows])
            await self._index(tx, rows, count=True)

    def _row(self, record: TranscriptRecord, key: DataKey | None) -> StoredRow:
        text, original = _cut(record.text, self.max_text), _cut(record.original, self.max_text)
        return StoredRow(
            record.id, record.conversation, int(record.ts * 1_000_000), record.route, record.direction,
            record.channel, record.subject, _json(record.roles), record.verdict, _json(record.findings),
            _json(record.masked_types), record.path, record.request_id, record.mode,
            key.id if key is not None and (text is not None or original is not None) else None,
            seal_text(key, record.id, record.conversation, TEXT, text),
            seal_text(key, record.id, record.conversation, FULL, original))

    async def restore(self, rows: Sequence[StoredRow]) -> int:
        """Put archived rows back (those not already present); the index is extended, not recounted."""
        async with self.db.transaction() as tx:
            fresh = [r for r in rows if await tx.fetchrow(f"SELECT 1 FROM {MESSAGES} WHERE id = $1", r.id) is None]  # noqa: S608
            await tx.executemany(t.INSERT, [astuple(r) for r in fresh])
            await self._index(tx, fresh, count=False)
        return len(fresh)

    async def _index(self, tx: Database, rows: Sequence[StoredRow], *, count: bool) -> None:
        conversations: dict[str, list[int]] = {}
        participants: dict[tuple[str, str, str], list[int]] = {}
        findings: dict[tuple[str, str], int] = {}
        one = 1 if count else 0
        for row in rows:
            c = conversations.setdefault(row.conversation, [row.ts_us, row.ts_us, 0, 0])
            c[0], c[1] = min(c[0], row.ts_us), max(c[1], row.ts_us)
            c[2] += one
            c[3] += one if row.verdict == "block" else 0
            p = participants.setdefault((row.conversation, row.subject, row.route), [row.ts_us, row.ts_us, 0])
            p[0], p[1], p[2] = min(p[0], row.ts_us), max(p[1], row.ts_us), p[2] + one
            for kind in row.types("findings"):
                findings[(row.conversation, kind)] = findings.get((row.conversation, kind), 0) + one
        span = ("first_us = {least}(T.first_us, excluded.first_us), "
                "last_us = {greatest}(T.last_us, excluded.last_us)")
        await tx.executemany(self.db.sql(
            f"INSERT INTO {CONVERSATIONS} AS T (conversation, first_us, last_us, messages, blocked)"  # noqa: S608
            f" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation) DO UPDATE SET {span},"
            " messages = T.messages + excluded.messages, blocked = T.blocked + excluded.blocked"),
            [(k, *v) for k, v in conversations.items()])
        await tx.executemany(self.db.sql(
            f"INSERT INTO {PARTICIPANTS} AS T (conversation, subject, route, first_us, last_us, messages)"  # noqa: S608
            f" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation, subject, route) DO UPDATE SET {span},"
            " messages = T.messages + excluded.messages"),
            [(*k, *v) for k, v in participants.items()])
        await tx.executemany(
            f"INSERT INTO {FINDINGS} AS T (conversation, type, count) VALUES ($1, $2, $3)"  # noqa: S608
            " ON CONFLICT (conversation, type) DO UPDATE SET count = T.count + excluded.count",
            [(*k, v) for k, v in findings.items()])

    # erasure -------------------------------------------------------------------------------

    async def erase(self, conversation: str) -> int:
        """Crypto-shred a conversation (its data keys first), then remove its rows and index.
        Archived copies stay on disk, sealed under keys that no longer exist. Returns rows removed."""
        if self.keys is not None:
            await self.keys.erase(scope(conversation))
        async with self.db.transaction() as tx:
            removed: int = await tx.execute(f"DELETE FROM {MESSAGES} WHERE conversation = $1", conversation)  # noqa: S608
            await self._forget(tx, conversation)
        return removed

    async def _forget(self, tx: Database, conversation: str) -> None:
        for table in (PARTICIPANTS, FINDINGS, MEMBERS, CONVERSATIONS):
            await tx.execute(f"DELETE FROM {table} WHERE conversation = $1", conversation)  # noqa: S608

    # retention -----------------------------------------------------------------------------

    async def routes(self) -> list[str]:
        """Every route that recorded into a conversation still indexed."""
        return [str(r[0]) for r in await self.db.fetch(f"SELECT DISTINCT route FROM {PARTICIPANTS}")]  # noqa: S608

    async def held(self, conversations: Iterable[str], subjects: Iterable[str]) -> frozenset[str]:
        """Conversations under legal hold: those named, and every one a held subject took part in."""
        held = set(conversations)
        for subject in subjects:
            held.update(str(r[0]) for r in await self.db.fetch(
                f"SELECT DISTINCT conversation FROM {PARTICIPANTS} WHERE subject = $1", subject))  # noqa: S608
        return frozenset(held)

    async def older_than(self, route: str, cutoff_us: int, after: tuple[int, str], limit: int, *,
                         archived: bool | None = False) -> list[StoredRow]:
        """Rows of `route` before `cutoff_us`, oldest first, after the keyset position `after`.
        `archived`: False, rows never archived; True, copies restored from an archive; None, both."""
        copies = {False: " AND archived_in IS NULL", True: " AND archived_in IS NOT NULL", None: ""}[archived]
        rows = await self.db.fetch(
            f"SELECT {t.SELECT} FROM {MESSAGES} WHERE route = $1 AND ts_us < $2{copies}"  # noqa: S608
            " AND (ts_us > $3 OR (ts_us = $3 AND id > $4)) ORDER BY ts_us, id LIMIT $5",
            route, cutoff_us, after[0], after[1], limit)
        return [StoredRow.of(r) for r in rows]

    async def drop_restored(self, route: str, restored_before_us: int) -> int:
        """Restored copies whose time back in the live table is over (the archive still holds them)."""
        return await self.db.execute(f"DELETE FROM {MESSAGES} WHERE route = $1 AND archived_in IS NOT NULL"  # noqa: S608
                                     " AND restored_us < $2", route, restored_before_us)

    async def delete(self, ids: Sequence[str], tx: Database | None = None) -> None:
        await (tx or self.db).executemany(f"DELETE FROM {MESSAGES} WHERE id = $1", [(i,) for i in ids])  # noqa: S608

    async def record_archive(self, archive_id: str, location: str, sha256: str, rows: Sequence[StoredRow],
                             created_us: int) -> None:
        """Register a written archive and drop its rows from the live table, together."""
        members: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            m = members.setdefault((row.conversation, row.route), [0, row.ts_us, row.ts_us])
            m[0], m[1], m[2] = m[0] + 1, min(m[1], row.ts_us), max(m[2], row.ts_us)
        async with self.db.transaction() as tx:
            await tx.execute(f"INSERT INTO {ARCHIVES} (id, location, created_us, rows, first_us, last_us, sha256)"  # noqa: S608
                             " VALUES ($1, $2, $3, $4, $5, $6, $7)", archive_id, location, created_us, len(rows),
                             min(r.ts_us for r in rows), max(r.ts_us for r in rows), sha256)
            await tx.executemany(f"INSERT INTO {MEMBERS} (archive_id, conversation, route, rows, first_us, last_us)"  # noqa: S608
                                 " VALUES ($1, $2, $3, $4, $5, $6)", [(archive_id, *k, *v) for k, v in members.items()])
            await self.delete([r.id for r in rows], tx)

    async def archives(self) -> list[tuple[str, str, list[tuple[str, str, int]]]]:
        """Every archive: (id, location, [(conversation, route, last_us) per member])."""
        found: dict[str, tuple[str, str, list[tuple[str, str, int]]]] = {}
        for archive_id, location in await self.db.fetch(f"SELECT id, location FROM {ARCHIVES} ORDER BY id"):  # noqa: S608
            found[str(archive_id)] = (str(archive_id), str(location), [])
        for archive_id, conversation, route, last_us in await self.db.fetch(
                f"SELECT archive_id, conversation, route, last_us FROM {MEMBERS}"):  # noqa: S608
            if str(archive_id) in found:
                found[str(archive_id)][2].append((str(conversation), str(route), int(last_us)))
        return list(found.values())

    async def forget_archive(self, archive_id: str) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(f"DELETE FROM {MEMBERS} WHERE archive_id = $1", archive_id)  # noqa: S608
            await tx.execute(f"DELETE FROM {ARCHIVES} WHERE id = $1", archive_id)  # noqa: S608

    async def emptied(self, before_us: int, after: str, limit: int) -> list[str]:
        """Conversations with nothing left (no live row, no archive) and quiet since `before_us`."""
        rows = await self.db.fetch(
            f"SELECT c.conversation FROM {CONVERSATIONS} c WHERE c.last_us < $1 AND c.conversation > $2"  # noqa: S608
            f" AND NOT EXISTS (SELECT 1 FROM {MESSAGES} m WHERE m.conversation = c.conversation)"
            f" AND NOT EXISTS (SELECT 1 FROM {MEMBERS} a WHERE a.conversation = c.conversation)"
            " ORDER BY c.conversation LIMIT $3", before_us, after, limit)
        return [str(r[0]) for r in rows]

