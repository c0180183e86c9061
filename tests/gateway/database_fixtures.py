"""`db_url` and `database` fixtures: every store test runs on real SQLite and real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.database import Database, open_database
from tests.databases import KINDS, database_url


@pytest.fixture(params=KINDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = open_database(db_url)
    await db.open()
    try:
        yield db
    finally:
        await db.aclose()
