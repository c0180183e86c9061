"""User accounts, recovery codes, sessions and refresh tokens in one database.

SQLite (a file, the default) or PostgreSQL (asyncpg). Both share the SQL below; only
the placeholder style, binary type and driver calls differ. Every check-and-set that
matters for security (spending a refresh token or a recovery code) is one atomic
UPDATE/DELETE whose row count decides, so two processes can never both win.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class UserExists(ValueError):  # noqa: N818 (reads as a condition)
    """The username is taken."""


def check_username(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("username: 1-64 letters, digits or _ . @ -")
    return name


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: frozenset[str]
    disabled: bool = False
    totp_secret: bytes | None = None
    totp_pending: bytes | None = None

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_secret is not None


@dataclass(frozen=True)
class RefreshRecord:
    session_id: str
    user_id: str
    expires: float
    mfa: bool = False


@dataclass(frozen=True)
class SessionInfo:
    """What an admin may see of a live session: never a token or its hash."""

    session_id: str
    user: str
    created: float
    last_used: float
    expires: float
    mfa: bool


class UserStore(Protocol):
    async def open(self) -> None: ...
    async def aclose(self) -> None: ...
    async def add_user(self, username: str, password_hash: str, roles: frozenset[str]) -> User: ...
    async def get_user(self, username: str) -> User | None: ...
    async def get_user_by_id(self, user_id: str) -> User | None: ...
    async def list_users(self) -> list[User]: ...
    async def set_password(self, username: str, password_hash: str) -> bool: ...
    async def set_disabled(self, username: str, disabled: bool) -> bool: ...
    async def set_roles(self, username: str, roles: frozenset[str]) -> bool: ...
    async def set_totp_pending(self, user_id: str, secret: bytes | None) -> None: ...
    async def confirm_totp(self, user_id: str, secret: bytes, code_hashes: Sequence[str]) -> None: ...
    async def reset_totp(self, username: str) -> bool: ...
    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool: ...
    async def recovery_codes_left(self, user_id: str) -> int: ...
    async def add_session(self, session_id: str, user_id: str, expires: float, mfa: bool) -> None: ...
    async def revoke_session(self, session_id: str) -> None: ...
    async def revoke_user_sessions(self, user_id: str) -> None: ...
    async def session_revoked(self, session_id: str) -> bool: ...
    async def live_sessions(self, session_ids: Sequence[str]) -> set[str]: ...
    async def list_sessions(self, username: str | None = None) -> list[SessionInfo]: ...
    async def add_refresh(self, token_hash: str, session_id: str, user_id: str, expires: float) -> None: ...
    async def spend_refresh(self, token_hash: str) -> tuple[RefreshRecord | None, bool]: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS cg_users (
  id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL,
  roles TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  totp_secret {blob}, totp_pending {blob}, created DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS cg_recovery_codes (
  user_id TEXT NOT NULL, code_hash TEXT NOT NULL, PRIMARY KEY (user_id, code_hash));
CREATE TABLE IF NOT EXISTS cg_sessions (
  session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
  mfa INTEGER NOT NULL DEFAULT 0, expires DOUBLE PRECISION NOT NULL,
  created DOUBLE PRECISION NOT NULL DEFAULT 0, last_used DOUBLE PRECISION NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS cg_refresh_tokens (
  token_hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, user_id TEXT NOT NULL,
  expires DOUBLE PRECISION NOT NULL, used INTEGER NOT NULL DEFAULT 0)
"""

# Columns added after the first release; stores created before them gain them on open.
_ADDED_COLUMNS = (("cg_sessions", "created DOUBLE PRECISION NOT NULL DEFAULT 0"),
                  ("cg_sessions", "last_used DOUBLE PRECISION NOT NULL DEFAULT 0"))

_IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
_SELECT_USERS = "SELECT id, username, password_hash, roles, disabled, totp_secret, totp_pending FROM cg_users"


def _roles_text(roles: frozenset[str]) -> str:
    return ",".join(sorted(roles))


def _user(row: Sequence[Any]) -> User:
    return User(id=row[0], username=row[1], password_hash=row[2],
                roles=frozenset(r for r in str(row[3]).split(",") if r), disabled=bool(row[4]),
                totp_secret=bytes(row[5]) if row[5] is not None else None,
                totp_pending=bytes(row[6]) if row[6] is not None else None)


class SqlUserStore:
    """The queries; subclasses run them (`?` placeholders, rewritten where the driver differs)."""

    blob = "BLOB"

    async def _fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        raise NotImplementedError

    async def _execute(self, sql: str, *args: Any) -> int:
        raise NotImplementedError

    async def _script(self, statements: list[str]) -> None:
        raise NotImplementedError

    async def open(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def _create_schema(self) -> None:
        await self._script([s.strip() for s in _SCHEMA.format(blob=self.blob).split(";") if s.strip()])
        for table, column in _ADDED_COLUMNS:
            try:
                await self._execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            except Exception as exc:  # the usual case: the column is already there
                if "duplicate" not in str(exc).lower() and "already exists" not in str(exc).lower():
                    raise

    async def add_user(self, username: str, password_hash: str, roles: frozenset[str]) -> User:
        check_username(username)
        if await self.get_user(username) is not None:
            raise UserExists(username)
        user_id = secrets.token_hex(8)
        try:
            await self._execute("INSERT INTO cg_users (id, username, password_hash, roles, disabled, created) "
                                "VALUES (?, ?, ?, ?, 0, ?)", user_id, username, password_hash,
                                _roles_text(roles), time.time())
        except Exception as exc:
            if "unique" in str(exc).lower():
                raise UserExists(username) from None
            raise
        return User(user_id, username, password_hash, roles)

    async def get_user(self, username: str) -> User | None:
        rows = await self._fetch(_SELECT_USERS + " WHERE username = ?", username)
        return _user(rows[0]) if rows else None

    async def get_user_by_id(self, user_id: str) -> User | None:
        rows = await self._fetch(_SELECT_USERS + " WHERE id = ?", user_id)
        return _user(rows[0]) if rows else None

    async def list_users(self) -> list[User]:
        return [_user(r) for r in await self._fetch(_SELECT_USERS + " ORDER BY username")]

    async def set_password(self, username: str, password_hash: str) -> bool:
        return await self._execute("UPDATE cg_users SET password_hash = ? WHERE username = ?",
                                   password_hash, username) > 0

    async def set_disabled(self, username: str, disabled: bool) -> bool:
        return await self._execute("UPDATE cg_users SET disabled = ? WHERE username = ?",
                                   int(disabled), username) > 0

    async def set_roles(self, username: str, roles: frozenset[str]) -> bool:
        return await self._execute("UPDATE cg_users SET roles = ? WHERE username = ?",
                                   _roles_text(roles), username) > 0

    async def set_totp_pending(self, user_id: str, secret: bytes | None) -> None:
        await self._execute("UPDATE cg_users SET totp_pending = ? WHERE id = ?", secret, user_id)

    async def confirm_totp(self, user_id: str, secret: bytes, code_hashes: Sequence[str]) -> None:
        await self._execute("UPDATE cg_users SET totp_secret = ?, totp_pending = NULL WHERE id = ?", secret, user_id)
        await self._execute("DELETE FROM cg_recovery_codes WHERE user_id = ?", user_id)
        for code_hash in code_hashes:
            await self._execute("INSERT INTO cg_recovery_codes (user_id, code_hash) VALUES (?, ?)", user_id, code_hash)

    async def reset_totp(self, username: str) -> bool:
        user = await self.get_user(username)
        if user is None:
            return False
        await self._execute("UPDATE cg_users SET totp_secret = NULL, totp_pending = NULL WHERE id = ?", user.id)
        await self._execute("DELETE FROM cg_recovery_codes WHERE user_id = ?", user.id)
        return True

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        return await self._execute("DELETE FROM cg_recovery_codes WHERE user_id = ? AND code_hash = ?",
                                   user_id, code_hash) > 0

    async def recovery_codes_left(self, user_id: str) -> int:
        rows = await self._fetch("SELECT COUNT(*) FROM cg_recovery_codes WHERE user_id = ?", user_id)
        return int(rows[0][0])

    async def add_session(self, session_id: str, user_id: str, expires: float, mfa: bool) -> None:
        now = time.time()
        await self._execute("INSERT INTO cg_sessions (session_id, user_id, revoked, mfa, expires, created, last_used) "
                            "VALUES (?, ?, 0, ?, ?, ?, ?)", session_id, user_id, int(mfa), expires, now, now)

    async def revoke_session(self, session_id: str) -> None:
        await self._execute("UPDATE cg_sessions SET revoked = 1 WHERE session_id = ?", session_id)
        await self._execute("UPDATE cg_refresh_tokens SET used = 1 WHERE session_id = ?", session_id)

    async def revoke_user_sessions(self, user_id: str) -> None:
        await self._execute("UPDATE cg_sessions SET revoked = 1 WHERE user_id = ?", user_id)
        await self._execute("UPDATE cg_refresh_tokens SET used = 1 WHERE user_id = ?", user_id)

    async def session_revoked(self, session_id: str) -> bool:
        """Unknown sessions count as revoked (fail closed)."""
        rows = await self._fetch("SELECT revoked FROM cg_sessions WHERE session_id = ?", session_id)
        return not rows or bool(rows[0][0])

    async def live_sessions(self, session_ids: Sequence[str]) -> set[str]:
        """Which of these sessions exist and are not revoked (the rest count as ended), in a few queries."""
        live: set[str] = set()
        for start in range(0, len(session_ids), _IN_CHUNK):
            chunk = session_ids[start:start + _IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT session_id FROM cg_sessions WHERE revoked = 0 AND session_id IN ({marks})"  # noqa: S608
            rows = await self._fetch(sql, *chunk)  # (the f-string holds only placeholders)
            live.update(str(row[0]) for row in rows)
        return live

    async def list_sessions(self, username: str | None = None) -> list[SessionInfo]:
        """Sessions neither revoked nor expired, most recently used first; optionally one user's."""
        sql = ("SELECT s.session_id, u.username, s.created, s.last_used, s.expires, s.mfa FROM cg_sessions s "
               "JOIN cg_users u ON u.id = s.user_id WHERE s.revoked = 0 AND s.expires > ?")
        args: list[Any] = [time.time()]
        if username is not None:
            sql += " AND u.username = ?"
            args.append(username)
        rows = await self._fetch(sql + " ORDER BY s.last_used DESC, s.session_id", *args)
        return [SessionInfo(str(r[0]), str(r[1]), float(r[2]), float(r[3]), float(r[4]), bool(r[5])) for r in rows]

    async def add_refresh(self, token_hash: str, session_id: str, user_id: str, expires: float) -> None:
        await self._execute("INSERT INTO cg_refresh_tokens (token_hash, session_id, user_id, expires, used) "
                            "VALUES (?, ?, ?, ?, 0)", token_hash, session_id, user_id, expires)

    async def spend_refresh(self, token_hash: str) -> tuple[RefreshRecord | None, bool]:
        """The token's record and whether this call spent it (False: already spent, i.e. reuse)."""
        rows = await self._fetch("SELECT r.session_id, r.user_id, r.expires, s.mfa FROM cg_refresh_tokens r "
                                 "JOIN cg_sessions s ON s.session_id = r.session_id WHERE r.token_hash = ?",
                                 token_hash)
        if not rows:
            return None, False
        record = RefreshRecord(str(rows[0][0]), str(rows[0][1]), float(rows[0][2]), bool(rows[0][3]))
        fresh = await self._execute("UPDATE cg_refresh_tokens SET used = 1 WHERE token_hash = ? AND used = 0",
                                    token_hash) > 0
        if fresh:
            await self._execute("UPDATE cg_sessions SET last_used = ? WHERE session_id = ?",
                                time.time(), record.session_id)
        return record, fresh


class SqliteUserStore(SqlUserStore):
    """A local file; calls run in a worker thread, one at a time."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    async def open(self) -> None:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        await self._create_schema()

    async def aclose(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _run(self, sql: str, args: tuple[Any, ...]) -> tuple[list[Sequence[Any]], int]:
        if self._db is None:
            raise RuntimeError("user store is not open")
        with self._lock:
            cursor = self._db.execute(sql, args)
            return cursor.fetchall(), cursor.rowcount

    async def _fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        return (await asyncio.to_thread(self._run, sql, args))[0]

    async def _execute(self, sql: str, *args: Any) -> int:
        return (await asyncio.to_thread(self._run, sql, args))[1]

    async def _script(self, statements: list[str]) -> None:
        for statement in statements:
            await self._execute(statement)


def _numbered(sql: str) -> str:
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


class PostgresUserStore(SqlUserStore):
    """PostgreSQL through an asyncpg pool; `schema` isolates an installation (or a test run)."""

    blob = "BYTEA"

    def __init__(self, url: str, schema: str | None = None) -> None:
        self._url = url
        self._schema = schema
        self._pool: Any = None

    async def open(self) -> None:
        import asyncpg

        settings = {"search_path": self._schema} if self._schema else None
        self._pool = await asyncpg.create_pool(self._url, min_size=1, max_size=5, server_settings=settings)
        await self._create_schema()

    async def _create_schema(self) -> None:
        """Instances starting together on a fresh database would race on CREATE ... IF NOT EXISTS (PostgreSQL
        then reports a unique violation in its catalog and startup fails): one at a time, under a lock."""
        lock = "SELECT pg_advisory_{}(hashtext('chatguard:users:' || current_schema()))"
        async with self._pool.acquire() as holder:
            await holder.execute(lock.format("lock"))
            try:
                await super()._create_schema()
            finally:
                await holder.execute(lock.format("unlock"))

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        rows = await self._pool.fetch(_numbered(sql), *args)
        return [tuple(r) for r in rows]

    async def _execute(self, sql: str, *args: Any) -> int:
        status = await self._pool.execute(_numbered(sql), *args)
        last = str(status).rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def _script(self, statements: list[str]) -> None:
        for statement in statements:
            await self._execute(statement)


def open_user_store(url: str) -> SqlUserStore:
    """`sqlite:///path/users.db` (or `sqlite://:memory:`) or a `postgresql://` URL."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        return SqliteUserStore(":memory:" if path in (":memory:", "/:memory:") else path)
    return PostgresUserStore(url)
