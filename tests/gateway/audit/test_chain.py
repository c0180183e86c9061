"""The chain on disk: links, checkpoints, rotation by size and day, resuming after a restart."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.audit.chain import AuditChain, ChainError
from gateway.audit.config import AuditSettings
from gateway.audit.entry import GENESIS
from gateway.audit.verify import verify_files
from tests.gateway.audit.conftest import Clock, chain_files, events, write_all

Settings = Callable[..., AuditSettings]


def entries(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_genesis_links_and_exact_checkpoints(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings(checkpoint_every=5)
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(12))
    chain.close()
    written = entries(Path(settings.path))
    assert written[0]["prev"] == GENESIS and written[0]["seq"] == 1
    assert [e["seq"] for e in written] == list(range(1, 16))
    assert all(b["prev"] == a["hash"] for a, b in zip(written, written[1:], strict=False))
    checkpoints = [(e["seq"], e["reason"]) for e in written if e["event"] == "checkpoint"]
    assert checkpoints == [(6, "count"), (12, "count"), (15, "shutdown")]
    assert all(e["hash_of_chain_so_far"] == e["prev"] for e in written if e["event"] == "checkpoint")
    assert verify_files([Path(settings.path)], [signing_key.public_key()]).ok


def test_interval_checkpoint_only_when_something_is_unsigned(make_settings: Settings) -> None:
    clock = Clock()
    settings = make_settings(checkpoint_interval="1m")
    chain = AuditChain(settings, clock=clock)
    chain.open()
    chain.tick()
    clock.advance(minutes=2)
    chain.tick()
    assert chain.seq == 0
    write_all(chain, events(2))
    chain.tick()
    assert chain.seq == 2
    clock.advance(seconds=61)
    chain.tick()
    assert entries(Path(settings.path))[-1]["reason"] == "interval"


def test_size_rotation_keeps_the_chain(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings(rotate_size="4KiB")
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(60))
    chain.close()
    files = chain_files(settings)
    assert len(files) >= 3
    for older, newer in zip(files, files[1:], strict=False):
        closing, opening = entries(older)[-1], entries(newer)[0]
        assert (closing["event"], closing["reason"]) == ("checkpoint", "rotate")
        assert opening["prev"] == closing["hash"]
        assert older.stat().st_size < 4096 + 1024
    report = verify_files(files, [signing_key.public_key()])
    assert report.ok and report.entries == 60 + len(files)


def test_day_rotation(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    clock = Clock()
    settings = make_settings()
    chain = AuditChain(settings, clock=clock)
    chain.open()
    write_all(chain, events(3))
    clock.advance(days=1)
    chain.tick()
    write_all(chain, events(2))
    chain.close()
    files = chain_files(settings)
    assert [p.name for p in files] == ["audit.20300102T120000Z.000000000004.jsonl", "audit.jsonl"]
    assert verify_files(files, [signing_key.public_key()]).ok


def test_restart_continues_the_chain(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings()
    for _ in range(2):
        chain = AuditChain(settings, clock=Clock())
        chain.open()
        write_all(chain, events(3))
        chain.close()
    assert chain.resume_note == {"resumed_seq": 4}
    report = verify_files([Path(settings.path)], [signing_key.public_key()])
    assert report.ok and report.entries == 8


def test_restart_after_rotation_continues_from_the_newest_archive(make_settings: Settings,
                                                                  signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings()
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(3))
    chain.rotate()
    chain.close()
    # Even right after a rotation the trail is closed by a shutdown checkpoint (in a new active file):
    # a trail ending with a rotated file could otherwise be one whose active file was deleted.
    [closing] = [json.loads(line) for line in Path(settings.path).read_text().splitlines()]
    assert (closing["event"], closing["reason"]) == ("checkpoint", "shutdown")
    again = AuditChain(settings, clock=Clock())
    again.open()
    write_all(again, events(1))
    again.close()
    assert verify_files(chain_files(settings), [signing_key.public_key()]).ok


def test_damaged_tail_is_set_aside_not_overwritten(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    """A crash mid-line: the damaged file is kept as evidence, the chain goes on from its last good entry."""
    settings = make_settings()
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(3))
    chain.close()
    with open(settings.path, "ab") as f:
        f.write(b'{"event":"login.fail')
    again = AuditChain(settings, clock=Clock())
    again.open()
    write_all(again, events(1))
    again.close()
    damaged, active = chain_files(settings)
    assert again.resume_note == {"damaged_tail": damaged.name, "resumed_seq": 4}
    last_good = orjson.loads(damaged.read_bytes().splitlines()[-2])
    assert entries(active)[0]["prev"] == last_good["hash"]
    report = verify_files([damaged, active], [signing_key.public_key()])
    assert report.problem is not None and report.problem.kind == "truncated"
    assert verify_files([active], [signing_key.public_key()], partial=True).ok


@pytest.mark.parametrize("content", [b"garbage\n", b'{"seq": 1, "hash": "x"}\n'], ids=["garbage", "bad-hash"])
def test_no_intact_entry_refuses_to_continue(make_settings: Settings, content: bytes) -> None:
    settings = make_settings()
    Path(settings.path).write_bytes(content)
    with pytest.raises(ChainError, match="refusing to continue"):
        AuditChain(settings).open()


def test_missing_directory(make_settings: Settings, tmp_path: Path) -> None:
    settings = make_settings(path=str(tmp_path / "nowhere" / "audit.jsonl"))
    with pytest.raises(ChainError, match="does not exist"):
        AuditChain(settings).open()


def test_failed_write_is_retried_without_duplicates(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings()
    chain = AuditChain(settings, clock=Clock())
    chain.open()
    write_all(chain, events(2))
    assert chain._fd is not None
    os.close(chain._fd)              # the descriptor goes bad under the chain, like a lost disk
    with pytest.raises(OSError):
        chain.append(events(1, start=2))
    assert chain.seq == 2
    write_all(chain, events(1, start=2))
    chain.close()
    report = verify_files([Path(settings.path)], [signing_key.public_key()])
    assert report.ok and report.entries == 4
