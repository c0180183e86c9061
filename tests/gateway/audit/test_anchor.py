"""Tail truncation is caught: checkpoints anchored outside the trail (witness file, PostgreSQL copy)."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from gateway.audit.chain import AuditChain
from gateway.audit.config import AuditSettings
from gateway.audit.verify import EXIT_BROKEN, EXIT_OK, EXIT_USAGE, main
from gateway.audit.writer import AuditWriter
from tests.gateway.audit.conftest import Clock, events, write_all

Settings = Callable[..., AuditSettings]
DSN = "postgresql://postgres@127.0.0.1:5432/test"


def closed_trail(make_settings: Settings, tmp_path: Path, count: int = 12) -> AuditSettings:
    settings = make_settings(checkpoint_every=5, anchor=str(tmp_path / "witness" / "audit-anchor.jsonl"))
    (tmp_path / "witness").mkdir(exist_ok=True)
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(count))
    chain.close()
    return settings


def verify(settings: AuditSettings, public: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--key", str(public), *extra, settings.path], out=out, err=out)
    return code, out.getvalue()


def cut_lines(path: Path, count: int) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-count]))


def test_a_closed_trail_ends_with_a_shutdown_checkpoint_and_matches_its_anchor(
        make_settings: Settings, tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    settings = closed_trail(make_settings, tmp_path)
    code, out = verify(settings, key_files[1], "--anchor", settings.anchor)
    assert code == EXIT_OK and out.startswith("OK 15 entries") and "(anchored)" in out


@pytest.mark.parametrize("cut", [1, 3, 8])
def test_cutting_the_tail_is_caught(make_settings: Settings, tmp_path: Path, key_files: tuple[Path, Path],
                                    cut: int) -> None:
    settings = closed_trail(make_settings, tmp_path)
    cut_lines(Path(settings.path), cut)
    code, out = verify(settings, key_files[1])
    assert code == EXIT_BROKEN and "does not end with a shutdown checkpoint" in out
    code, out = verify(settings, key_files[1], "--open")
    assert code == EXIT_OK                      # without an anchor a shorter chain looks whole ...
    code, out = verify(settings, key_files[1], "--open", "--anchor", settings.anchor)
    assert code == EXIT_BROKEN and "the anchor holds checkpoint seq 15 but the trail ends" in out   # ... not with one


def test_a_cut_trail_continued_after_a_restart_is_caught(make_settings: Settings, tmp_path: Path,
                                                         key_files: tuple[Path, Path]) -> None:
    settings = closed_trail(make_settings, tmp_path)
    cut_lines(Path(settings.path), 4)
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    assert "its end was cut off" in chain.resume_note["anchor_mismatch"]
    write_all(chain, events(5))
    chain.close()
    code, out = verify(settings, key_files[1], "--anchor", settings.anchor)
    assert code == EXIT_BROKEN and "altered: checkpoint seq 12 in the trail is not the one anchored" in out


async def test_an_open_trail_passes_with_open_and_its_anchor(make_settings: Settings, tmp_path: Path,
                                                             key_files: tuple[Path, Path]) -> None:
    settings = make_settings(checkpoint_every=4, anchor=str(tmp_path / "anchor.jsonl"))
    writer = AuditWriter(settings)
    await writer.start()
    for i in range(10):
        writer.submit("auth.login", {"subject": f"u{i}"})
    assert await writer.flush()
    code, out = verify(settings, key_files[1], "--anchor", settings.anchor)
    assert code == EXIT_BROKEN and "use --open" in out
    code, out = verify(settings, key_files[1], "--open", "--anchor", settings.anchor)
    assert code == EXIT_OK and "entries after the last signed checkpoint" in out
    await writer.aclose()
    assert verify(settings, key_files[1], "--anchor", settings.anchor)[0] == EXIT_OK


def test_an_edited_witness_is_not_trusted(make_settings: Settings, tmp_path: Path, key_files: tuple[Path, Path]) -> None:
    settings = closed_trail(make_settings, tmp_path)
    witness = Path(settings.anchor)
    witness.write_text(witness.read_text().replace('"reason":"count"', '"reason":"other"', 1))
    code, out = verify(settings, key_files[1], "--anchor", settings.anchor)
    assert code == EXIT_USAGE and "cannot check the anchor" in out


async def test_an_anchor_that_cannot_be_written_makes_the_trail_unhealthy(make_settings: Settings,
                                                                         tmp_path: Path) -> None:
    settings = make_settings(checkpoint_every=2, anchor=str(tmp_path / "no-such-dir" / "anchor.jsonl"))
    writer = AuditWriter(settings)
    await writer.start()
    for i in range(3):
        writer.submit("auth.login", {"subject": f"u{i}"})
    assert await writer.flush()
    assert not writer.healthy and "cannot write the audit anchor" in str(writer.status()["anchor_error"])
    (tmp_path / "no-such-dir").mkdir()
    writer.submit("auth.login", {"subject": "late"})
    assert await writer.flush()
    await writer.aclose()
    assert Path(settings.anchor).read_text().count('"checkpoint"') >= 2   # the pending anchors were written


@pytest.fixture
def table() -> Iterator[str]:
    name = f"audit_anchor_{uuid.uuid4().hex[:12]}"
    yield name

    async def drop() -> None:
        conn = await asyncpg.connect(DSN)
        try:
            await conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        finally:
            await conn.close()
    asyncio.run(drop())


def test_the_database_copy_catches_a_cut_tail(make_settings: Settings, tmp_path: Path, table: str,
                                              key_files: tuple[Path, Path]) -> None:
    """Sync: verify runs its own event loop for the database query."""
    settings = make_settings(checkpoint_every=4, postgres={"dsn": DSN, "table": table})

    async def record() -> None:
        writer = AuditWriter(settings)
        await writer.start()
        for i in range(6):
            writer.submit("auth.login", {"subject": f"u{i}"})
        await writer.aclose()
    asyncio.run(record())
    args = ("--anchor-dsn", DSN, "--anchor-table", table)
    assert verify(settings, key_files[1], *args)[0] == EXIT_OK
    cut_lines(Path(settings.path), 2)
    code, out = verify(settings, key_files[1], "--open", *args)
    assert code == EXIT_BROKEN and "the database copy holds seq" in out
