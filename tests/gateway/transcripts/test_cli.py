"""`chatguard transcripts ...` end to end on real databases: archive, restore (tampered: refused), rotate-key."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import main as chatguard
from gateway.config.settings import load_settings
from gateway.transcripts.assemble import assemble
from tests.databases import KINDS, create_schema, drop_schema, pg_url
from tests.gateway.transcripts.conftest import record

OLD_KEK, NEW_KEK = "11" * 32, "22" * 32


@pytest.fixture(params=KINDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Sync tests (the command runs its own event loop): the schema is made and dropped in loops of their own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'transcripts.db'}"
        return
    schema = asyncio.run(create_schema())
    try:
        yield pg_url(schema)
    finally:
        asyncio.run(drop_schema(schema))


def write_config(tmp_path: Path, url: str, **keys: Any) -> Path:
    config = {
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "routes": [{"name": "send", "match": {"path": "/send"}, "upstream": "up", "allow": ["anonymous"]}],
        "keys": keys or {"kek": OLD_KEK},
        "transcripts": {"database": url, "store": "full", "archive_after": "10s", "retention": "3650d",
                        "archive": {"dir": str(tmp_path / "archive")}},
    }
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def seed(config: Path, count: int) -> None:
    async def go() -> None:
        parts = assemble(load_settings(config))
        await parts.open()
        assert parts.store is not None
        await parts.store.write([record(f"m{i}", original=f"orig{i}", ts=1_000_000 + i) for i in range(count)])
        await parts.aclose()
    asyncio.run(go())


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    from gateway.transcripts import cli
    code = cli.main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_archive_restore_and_a_tampered_archive(url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, url)
    seed(config, 4)
    code, out, _ = run("archive", "--config", str(config), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["archived_rows"] == 4 and not (tmp_path / "archive").exists()
    code, out, _ = run("archive", "--config", str(config), "--json")
    assert code == 0 and json.loads(out)["archives_written"] == 1
    [manifest] = (tmp_path / "archive").glob("*.manifest.json")
    code, out, _ = run("restore", "--config", str(config), "--json", str(manifest))
    assert code == 0 and json.loads(out) | {"archive": "-"} == {
        "archive": "-", "verified": True, "rows": 4, "readable": 4, "shredded": 0, "restored": 4, "dry_run": False}
    code, out, _ = run("restore", "--config", str(config), "--json", str(manifest))
    assert code == 0 and json.loads(out)["restored"] == 0          # repeatable: nothing twice
    data = manifest.parent / json.loads(manifest.read_text())["data"]["name"]
    raw = bytearray(data.read_bytes())
    raw[-12] ^= 0x40
    data.write_bytes(bytes(raw))
    code, out, err = run("restore", "--config", str(config), str(manifest))
    assert code == 1 and out == "" and "does not match the manifest" in err


def test_rotate_key_rewraps_then_the_old_kek_can_go(url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, url)
    seed(config, 2)
    config = write_config(tmp_path, url, kek=NEW_KEK, previous=[{"kek": OLD_KEK}])
    code, out, _ = run("rotate-key", "--config", str(config), "--json")
    report = json.loads(out)
    assert code == 0 and report["rewrapped"] == 1 and list(report["by_kek"]) == [report["kek"]]
    config = write_config(tmp_path, url, kek=NEW_KEK)           # old KEK removed: everything still opens
    assert run("archive", "--config", str(config))[0] == 0
    [manifest] = (tmp_path / "archive").glob("*.manifest.json")
    code, out, _ = run("restore", "--config", str(config), "--dry-run", "--json", str(manifest))
    assert code == 0 and json.loads(out)["readable"] == 2


def test_rotate_key_without_the_old_kek_fails_loudly(url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, url)
    seed(config, 1)
    config = write_config(tmp_path, url, kek=NEW_KEK)
    code, _, err = run("rotate-key", "--config", str(config))
    assert code == 1 and "could not be unwrapped" in err


@pytest.mark.parametrize(("change", "message"), [
    ({"store": "full"}, "transcripts.store: full keeps unmasked text"),
    ({"store": "sqlite:///x.db"}, "the database URL goes in transcripts.database"),
    ({"archive_after": "30d", "retention": "7d"}, "transcripts.archive_after: must be shorter than retention"),
])
def test_config_mistakes_stop_with_one_line(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    config = {"upstreams": {"up": {"url": "http://127.0.0.1:9"}}, "routes": [],
              "transcripts": {"database": f"sqlite:///{tmp_path}/t.db", **change}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    code, _, err = run("purge", "--config", str(path))
    assert code == 2 and message in err and err.count("\n") == 1


def test_the_top_level_command_routes_here(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert chatguard(["transcripts", "purge", "--config", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read config file" in capsys.readouterr().err
