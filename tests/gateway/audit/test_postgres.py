"""The copy to PostgreSQL, against the real server on 127.0.0.1:5432 (one table per test, dropped after)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from gateway.audit.config import AuditSettings
from gateway.audit.postgres import PostgresCopy
from gateway.audit.writer import AuditWriter
from tests.gateway.audit.conftest import chain_files
from tests.ports import closed_port

DSN = "postgresql://postgres@127.0.0.1:5432/test"




@pytest.fixture
async def table() -> AsyncIterator[str]:
    name = f"audit_test_{uuid.uuid4().hex[:12]}"
    yield name
    conn = await asyncpg.connect(DSN)
    try:
        await conn.execute(f'DROP TABLE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def rows(name: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(DSN)
    try:
        query = f'SELECT seq, event, line, entry->>\'subject\' AS subject FROM "{name}" ORDER BY seq'  # noqa: S608 (test-made name)
        return list(await conn.fetch(query))
    finally:
        await conn.close()


async def test_every_line_is_copied_exactly(make_settings: Callable[..., AuditSettings], table: str) -> None:
    settings = make_settings(checkpoint_every=4, postgres={"dsn": DSN, "table": table})
    writer = AuditWriter(settings)
    await writer.start()
    for i in range(9):
        writer.submit("auth.login", {"subject": f"u{i}", "token": "secret-token"})
    assert await writer.flush()
    assert writer.healthy
    await writer.aclose()
    copied = await rows(table)
    file_lines = [line.decode() for p in chain_files(settings) for line in p.read_bytes().splitlines()]
    assert [r["line"] for r in copied] == file_lines
    assert [r["seq"] for r in copied] == list(range(1, len(file_lines) + 1))
    assert copied[-1]["event"] == "checkpoint"
    assert copied[1]["subject"] == "u0"
    assert not any("secret-token" in r["line"] for r in copied)


async def test_copy_is_idempotent(make_settings: Callable[..., AuditSettings], table: str) -> None:
    settings = make_settings(postgres={"dsn": DSN, "table": table})
    writer = AuditWriter(settings)
    await writer.start()
    await writer.aclose()
    lines = [line + b"\n" for p in chain_files(settings) for line in p.read_bytes().splitlines()]
    assert settings.postgres is not None
    again = PostgresCopy(settings.postgres)
    await again.copy(lines)
    await again.aclose()
    assert len(await rows(table)) == len(lines)


@pytest.mark.parametrize(("mode", "healthy"), [("refuse", False), ("continue", True)])
async def test_unreachable_database(make_settings: Callable[..., AuditSettings], mode: str, healthy: bool) -> None:
    """The file is still written at once; readiness follows on_failure."""
    settings = make_settings(on_failure=mode, postgres={
        "dsn": f"postgresql://postgres@127.0.0.1:{closed_port()}/test", "timeout": "1s"})
    writer = AuditWriter(settings)
    await writer.start()
    writer.submit("auth.login", {"subject": "u1"})
    assert not await writer.flush(within=0.5)   # the copy cannot finish
    assert writer.error is None and writer.copy_error is not None
    assert writer.healthy is healthy
    await writer.aclose(within=0.5)
    assert b'"subject":"u1"' in Path(settings.path).read_bytes()


async def test_instances_creating_the_table_together_all_succeed(table: str) -> None:
    import asyncio

    from gateway.audit.config import PostgresAuditSettings

    copies = [PostgresCopy(PostgresAuditSettings(dsn=DSN, table=table)) for _ in range(6)]
    try:
        await asyncio.gather(*(copy._connect() for copy in copies))
    finally:
        await asyncio.gather(*(copy.aclose() for copy in copies))
