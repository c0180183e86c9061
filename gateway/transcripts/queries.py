"""Reading the transcript index: search conversations, page through one, find a subject's.

Every query is bounded (`MAX_PAGE`) and pages by keyset (a cursor string), so a reader can
walk years of data without one request reading all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.database import Database
from gateway.transcripts import schema as t
from gateway.transcripts.schema import CONVERSATIONS, FINDINGS, MEMBERS, MESSAGES, PARTICIPANTS
from gateway.transcripts.store import StoredRow

MAX_PAGE = 200
MAX_MESSAGES = 1000


class BadQuery(ValueError):
    """A parameter a reader got wrong (the API answers 400 with this text)."""


@dataclass(frozen=True)
class Search:
    subject: str | None = None
    route: str | None = None
    finding: str | None = None
    since_us: int | None = None       # conversations active at or after this time
    until_us: int | None = None       # ... and at or before this one
    limit: int = 50
    cursor: str | None = None         # from the previous page: "<last_us>:<conversation>"


def _cursor(cursor: str) -> tuple[int, str]:
    last, sep, conversation = cursor.partition(":")
    if not sep or not last.isdigit():
        raise BadQuery("cursor: not one this API gave out")
    return int(last), conversation


async def search(db: Database, q: Search) -> tuple[list[dict[str, Any]], str | None]:
    """Conversations matching every given filter, most recent first; and the next page's cursor."""
    where, args = [], []

    def arg(value: Any) -> str:
        """Bind a value; only its placeholder (`$N`) ever enters the SQL text."""
        args.append(value)
        return f"${len(args)}"
    if q.subject is not None:
        where.append(f"EXISTS (SELECT 1 FROM {PARTICIPANTS} p WHERE p.conversation = c.conversation"  # noqa: S608
                     f" AND p.subject = {arg(q.subject)})")
    if q.route is not None:
        where.append(f"EXISTS (SELECT 1 FROM {PARTICIPANTS} p WHERE p.conversation = c.conversation"  # noqa: S608
                     f" AND p.route = {arg(q.route)})")
    if q.finding is not None:
        where.append(f"EXISTS (SELECT 1 FROM {FINDINGS} f WHERE f.conversation = c.conversation"  # noqa: S608
                     f" AND f.type = {arg(q.finding)})")
    if q.since_us is not None:
        where.append(f"c.last_us >= {arg(q.since_us)}")
    if q.until_us is not None:
        where.append(f"c.first_us <= {arg(q.until_us)}")
    if q.cursor:
        last, conversation = _cursor(q.cursor)
        where.append(f"(c.last_us < {arg(last)} OR (c.last_us = ${len(args)} AND c.conversation > {arg(conversation)}))")
    limit = max(1, min(q.limit, MAX_PAGE))
    sql = (f"SELECT c.conversation, c.first_us, c.last_us, c.messages, c.blocked FROM {CONVERSATIONS} c"  # noqa: S608
           f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY c.last_us DESC, c.conversation"
           f" LIMIT {arg(limit + 1)}")
    rows = await db.fetch(sql, *args)
    page = [await _summary(db, r) for r in rows[:limit]]
    more = f"{rows[limit - 1][2]}:{rows[limit - 1][0]}" if len(rows) > limit else None
    return page, more


async def summary(db: Database, conversation: str) -> dict[str, Any] | None:
    row = await db.fetchrow(f"SELECT conversation, first_us, last_us, messages, blocked FROM {CONVERSATIONS}"  # noqa: S608
                            " WHERE conversation = $1", conversation)
    return await _summary(db, row) if row else None


async def _summary(db: Database, row: tuple[Any, ...]) -> dict[str, Any]:
    conversation = str(row[0])
    people = await db.fetch(f"SELECT DISTINCT subject FROM {PARTICIPANTS} WHERE conversation = $1"  # noqa: S608
                            " ORDER BY subject", conversation)
    routes = await db.fetch(f"SELECT DISTINCT route FROM {PARTICIPANTS} WHERE conversation = $1"  # noqa: S608
                            " ORDER BY route", conversation)
    kinds = await db.fetch(f"SELECT type, count FROM {FINDINGS} WHERE conversation = $1 ORDER BY type",  # noqa: S608
                           conversation)
    live = await db.fetchval(f"SELECT COUNT(*) FROM {MESSAGES} WHERE conversation = $1", conversation)  # noqa: S608
    archived = await db.fetchval(f"SELECT COALESCE(SUM(rows), 0) FROM {MEMBERS} WHERE conversation = $1",  # noqa: S608
                                 conversation)
    return {"conversation": conversation, "first_us": int(row[1]), "last_us": int(row[2]),
            "messages": int(row[3]), "blocked": int(row[4]), "live": int(live or 0), "archived": int(archived or 0),
            "subjects": [str(p[0]) for p in people], "routes": [str(r[0]) for r in routes],
            "findings": {str(k[0]): int(k[1]) for k in kinds}}


async def messages(db: Database, conversation: str, cursor: str | None, limit: int) -> tuple[list[StoredRow], str | None]:
    """A conversation's live messages, oldest first, one page at a time."""
    after = (-1, "")
    if cursor:
        ts, sep, row_id = cursor.partition(":")
        if not sep or not ts.isdigit():
            raise BadQuery("cursor: not one this API gave out")
        after = (int(ts), row_id)
    limit = max(1, min(limit, MAX_MESSAGES))
    rows = await db.fetch(f"SELECT {t.SELECT} FROM {MESSAGES} WHERE conversation = $1"  # noqa: S608
                          " AND (ts_us > $2 OR (ts_us = $2 AND id > $3)) ORDER BY ts_us, id LIMIT $4",
                          conversation, after[0], after[1], limit + 1)
    found = [StoredRow.of(r) for r in rows]
    more = f"{found[limit - 1].ts_us}:{found[limit - 1].id}" if len(found) > limit else None
    return found[:limit], more


async def conversations_of(db: Database, subject: str) -> list[str]:
    rows = await db.fetch(f"SELECT DISTINCT conversation FROM {PARTICIPANTS} WHERE subject = $1"  # noqa: S608
                          " ORDER BY conversation", subject)
    return [str(r[0]) for r in rows]


async def archives_of(db: Database, conversation: str) -> list[str]:
    rows = await db.fetch(f"SELECT DISTINCT archive_id FROM {MEMBERS} WHERE conversation = $1 ORDER BY archive_id",  # noqa: S608
                          conversation)
    return [str(r[0]) for r in rows]
