"""The `Database` interface and its two dialects (`gateway.database.connect.open_database` picks one).

Statements use `$1, $2 ...` placeholders (PostgreSQL's own; rewritten to named ones for
SQLite) and may name dialect words in braces: `{blob}` (BLOB | BYTEA), `{bigint}` (INTEGER |
BIGINT), `{least}` / `{greatest}` of two values (MIN | LEAST, MAX | GREATEST). Every driver
error surfaces as `DatabaseError`, whose message never carries the URL (it may hold a password). A transaction hands out a `Database` bound to one connection:
statements inside it go through that object, nothing else can interleave with them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, Literal

Dialect = Literal["sqlite", "postgres"]
Row = tuple[Any, ...]

_WORDS: dict[Dialect, dict[str, str]] = {
    "sqlite": {"blob": "BLOB", "bigint": "INTEGER", "least": "MIN", "greatest": "MAX"},
    "postgres": {"blob": "BYTEA", "bigint": "BIGINT", "least": "LEAST", "greatest": "GREATEST"},
}
_PLACEHOLDER = re.compile(r"\$(\d+)")


class DatabaseError(RuntimeError):
    """A statement failed or the database cannot be reached (the cause is chained)."""


class Database(ABC):
    """What stores need from a database; one instance per process and URL."""

    dialect: Dialect

    def sql(self, text: str) -> str:
        """`text` with this dialect's words (`{blob}`, `{bigint}`, `{least}`, `{greatest}`) filled in."""
        words = _WORDS[self.dialect]
        return re.sub(r"\{(blob|bigint|least|greatest)\}", lambda m: words[m.group(1)], text)

    @abstractmethod
    async def open(self) -> None:
        """Connect; raises DatabaseError when the database cannot be reached."""

    @abstractmethod
    async def aclose(self) -> None: ...

    @abstractmethod
    async def execute(self, sql: str, *args: Any) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return row[0] if row else None

    @abstractmethod
    def transaction(self) -> Any:
        """`async with db.transaction() as tx:` statements on `tx` commit together or not at all."""


class InTransaction(Database):
    """A connection inside a transaction: opened and closed by the transaction, which does not nest."""

    async def open(self) -> None:
        return None

    async def aclose(self) -> None:
        return None

    def transaction(self) -> Any:
        raise DatabaseError("transactions do not nest")


def sqlite_params(sql: str) -> str:
    """`$1` -> `:p1` (bound from `sqlite_args`), so one statement text serves both dialects."""
    return _PLACEHOLDER.sub(r":p\1", sql)


def sqlite_args(args: Sequence[Any]) -> dict[str, Any]:
    return {f"p{i}": value for i, value in enumerate(args, 1)}


def sqlite_path(url: str) -> str:
    path = url[len("sqlite://"):]
    return ":memory:" if path in (":memory:", "/:memory:") else path
