"""`open_database(url)`: the backend a URL names; a driver is imported only when its URL is used."""

from __future__ import annotations

from gateway.database.base import Database, sqlite_path


def open_database(url: str) -> Database:
    """`sqlite:///var/lib/chatguard/data.db` (or `sqlite:///:memory:`) or a `postgresql://` URL.

    For PostgreSQL a `?search_path=SCHEMA` query parameter keeps an installation (or a test)
    in its own schema. The database is not contacted until `open()`.
    """
    if url.startswith("sqlite://"):
        from gateway.database.sqlite import SqliteDatabase

        return SqliteDatabase(sqlite_path(url))
    if url.startswith(("postgresql://", "postgres://")):
        from gateway.database.postgres import PostgresDatabase

        return PostgresDatabase(url)
    raise ValueError("expected a sqlite:/// or postgresql:// URL")
