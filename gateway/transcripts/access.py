"""What readers may do with transcripts: search, read, export, erase (the admin API calls this).

Readers see the masked text. Where a message was kept `full`, a reader holding `unmask:<type>`
for every type masked in it (or `unmask:*`) sees the original instead; anyone else still sees
it masked. Blocked messages have no text for anyone. Erasure shreds the conversation's keys and
removes its rows, and is refused for anything under legal hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.database import Database
from gateway.keyring import KeyService
from gateway.transcripts import queries
from gateway.transcripts.archive import MANIFEST_SUFFIX, ArchiveError, ArchiveTarget, read_archive
from gateway.transcripts.config import LegalHold
from gateway.transcripts.sealing import FULL, TEXT, Opener
from gateway.transcripts.store import StoredRow, TranscriptStore

UNMASK = "unmask:"


class UnderHold(Exception):  # noqa: N818 (reads as a condition)
    """Erasure refused: the conversation, or a subject in it, is under legal hold."""

    def __init__(self, held: list[str]) -> None:
        super().__init__(f"under legal hold: {', '.join(held)}")
        self.held = held


@dataclass(frozen=True)
class Erasure:
    conversations: tuple[str, ...]
    rows: int = 0
    archived_rows: int = 0        # in archive files, now unreadable (their keys are gone)
    dry_run: bool = False


def iso(ts_us: int) -> str:
    return datetime.fromtimestamp(ts_us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def may_unmask(permissions: frozenset[str], types: Iterable[str]) -> bool:
    return UNMASK + "*" in permissions or all(UNMASK + t in permissions for t in types)


@dataclass
class Reader:
    """One reader's view: their permissions, and keys looked up once per request."""

    permissions: frozenset[str]
    opener: Opener
    unmasked: int = field(default=0)

    async def view(self, row: StoredRow, *, archived: bool = False) -> dict[str, Any]:
        masked_types = row.types("masked_types")
        text, state = None, "blocked"
        if row.verdict != "block":
            if row.mode == "full" and may_unmask(self.permissions, masked_types):
                text, state = await self.opener.open(row.key_id, row.id, row.conversation, FULL, row.full_text)
                state = "unmasked" if state == "ok" else state
                self.unmasked += state == "unmasked" and bool(masked_types)
            else:
                text, state = await self.opener.open(row.key_id, row.id, row.conversation, TEXT, row.text)
                state = "masked" if state == "ok" else state
        return {"id": row.id, "ts": iso(row.ts_us), "route": row.route, "direction": row.direction,
                "channel": row.channel, "subject": row.subject, "roles": row.types("roles"),
                "verdict": row.verdict, "findings": row.types("findings"), "field": row.field,
                "request_id": row.request_id, "text": text, "text_state": state, "archived": archived}


def summary_view(found: dict[str, Any]) -> dict[str, Any]:
    view = dict(found)
    view["first"], view["last"] = iso(view.pop("first_us")), iso(view.pop("last_us"))
    return view


class TranscriptAccess:
    def __init__(self, store: TranscriptStore, keys: KeyService | None, hold: LegalHold,
                 target: ArchiveTarget | None) -> None:
        self.store = store
        self.db: Database = store.db
        self.keys = keys
        self.hold = hold
        self.target = target

    def reader(self, permissions: frozenset[str]) -> Reader:
        return Reader(permissions, Opener(self.keys))

    async def search(self, q: queries.Search) -> dict[str, Any]:
        page, more = await queries.search(self.db, q)
        return {"conversations": [summary_view(c) for c in page], "next": more}

    async def read(self, reader: Reader, conversation: str, cursor: str | None, limit: int) -> dict[str, Any] | None:
        found = await queries.summary(self.db, conversation)
        if found is None:
            return None
        rows, more = await queries.messages(self.db, conversation, cursor, limit)
        return {"conversation": summary_view(found), "messages": [await reader.view(r) for r in rows], "next": more}

    async def export(self, reader: Reader, conversation: str) -> dict[str, Any] | None:
        """Everything kept about a conversation, live and archived (for a subject access request)."""
        found = await queries.summary(self.db, conversation)
        if found is None:
            return None
        views: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            rows, cursor = await queries.messages(self.db, conversation, cursor, queries.MAX_MESSAGES)
            views.extend([await reader.view(r) for r in rows])
            if cursor is None:
                break
        problems = []
        for archive_id in await queries.archives_of(self.db, conversation):
            try:
                views.extend(await self._archived(reader, archive_id, conversation))
            except (ArchiveError, OSError) as exc:
                problems.append({"archive": archive_id, "error": str(exc)})
        views.sort(key=lambda v: (v["ts"], v["id"]))
        return {"conversation": summary_view(found), "messages": views, "archive_errors": problems}

    async def _archived(self, reader: Reader, archive_id: str, conversation: str) -> list[dict[str, Any]]:
        if self.target is None or self.keys is None:
            raise ArchiveError("archives are not configured on this instance")
        contents = await read_archive(await self.target.get(archive_id + MANIFEST_SUFFIX), self.keys, self.target)
        return [await reader.view(r, archived=True) for r in contents.rows if r.conversation == conversation]

    async def erase(self, *, conversation: str | None = None, subject: str | None = None,
                    dry_run: bool = False) -> Erasure:
        """Erase one conversation, or every conversation a subject took part in; refused under hold."""
        if subject is not None:
            targets = await queries.conversations_of(self.db, subject)
            held = [f"subject {subject}"] if subject in self.hold.subjects else []
        else:
            targets = [conversation] if conversation is not None and await queries.summary(self.db, conversation) else []
            held = []
        protected = await self.store.held(self.hold.conversations, self.hold.subjects)
        held += [f"conversation {c}" for c in targets if c in protected]
        if held:
            raise UnderHold(held)
        rows = archived = 0
        for target in targets:
            found = await queries.summary(self.db, target)
            if found is not None:
                archived += found["archived"]
                rows += found["live"] if dry_run else 0
            if not dry_run:
                rows += await self.store.erase(target)
        return Erasure(tuple(targets), rows, archived, dry_run)
