"""A transcript store (with keys) on real SQLite and PostgreSQL, and records to put in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.database import Database
from gateway.keyring import KeyService, LocalKek
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.store import TranscriptStore
from tests.gateway.database_fixtures import database, db_url

__all__ = ["database", "db_url", "keys", "record", "store"]

KEK = LocalKek(bytes(range(32)))
DAY = 86400.0
T0 = 1_900_000_000.0   # a fixed "now" for tests that move time by hand


@pytest.fixture
async def keys(database: Database) -> KeyService:
    service = KeyService(database, KEK)
    await service.setup()
    return service


@pytest.fixture
async def store(database: Database, keys: KeyService) -> AsyncIterator[TranscriptStore]:
    made = TranscriptStore(database, keys)
    await made.setup()
    yield made


def record(text: str | None = "hello", **overrides: Any) -> TranscriptRecord:
    values: dict[str, Any] = {
        "conversation": "!room:example.org", "route": "send", "direction": "inbound", "channel": "http",
        "subject": "alice", "roles": ("agent",), "verdict": "pass", "text": text, "ts": T0,
    }
    values.update(overrides)
    return TranscriptRecord(**values)
