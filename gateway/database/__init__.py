"""Relational storage for data at rest: one small interface over SQLite and PostgreSQL.

Transcripts and the key service keep their tables here. SQL is written once with
PostgreSQL's `$1` placeholders and a few dialect words (`{blob}`, `{bigint}`), and each
component brings versioned migrations that run at start (`migrate`). A `Lease` is a row
lock with an expiry, so one worker across instances does scheduled work.
"""

from gateway.database.base import Database, DatabaseError, Dialect, Row
from gateway.database.connect import open_database
from gateway.database.lease import Lease
from gateway.database.migrate import Migration, MigrationError, migrate

__all__ = [
    "Database", "DatabaseError", "Dialect", "Lease", "Migration", "MigrationError", "Row",
    "migrate", "open_database",
]
