"""Reading the audit trail backwards across rotation, within bounds."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from gateway.audit import reader


def write(path: Path, seqs: range, pad: int = 0) -> None:
    path.write_bytes(b"".join(orjson.dumps({"seq": i, "event": f"e.{i % 2}", "pad": "x" * pad}) + b"\n"
                              for i in seqs))


@pytest.mark.parametrize("pad", [0, 200, reader.BLOCK])  # lines shorter than, near and longer than a block
def test_lines_come_back_last_first_whatever_the_block_boundaries(tmp_path: Path, pad: int) -> None:
    path = tmp_path / "audit.jsonl"
    write(path, range(300), pad)
    seqs = [orjson.loads(line)["seq"] for line in reader.lines_backwards(path, [1 << 40])]
    assert seqs == list(range(299, -1, -1))


def test_torn_and_hostile_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b'{"seq":1,"event":"a"}\n[1,2]\n"str"\n\x00\xff\n{"seq":2,"event":"a"}\n{"seq":3,"ev')
    assert [e["seq"] for e in reader.query(path, None, None, 10)] == [1, 2]


def test_filters_by_event_prefix_and_subject(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in [
        {"seq": 1, "event": "auth.login", "user": "ann"}, {"seq": 2, "event": "authz.deny", "subject": "ann"},
        {"seq": 3, "event": "auth.login_failed", "user": "bob"}]))
    assert [e["seq"] for e in reader.query(path, "auth.", None, 10)] == [1, 3]
    assert [e["seq"] for e in reader.query(path, None, "ann", 10)] == [1, 2]


def test_reading_is_bounded_by_files_and_bytes(tmp_path: Path) -> None:
    active = tmp_path / "audit.jsonl"
    for day in range(1, 6):
        write(tmp_path / f"audit.202401{day:02d}T000000Z.{day * 10:012d}.jsonl", range(day * 10 - 9, day * 10 + 1))
    write(active, range(51, 61))
    assert len(reader.chain_newest_first(active)) == 6
    assert [e["seq"] for e in reader.query(active, None, None, 1000, max_files=2)] == list(range(41, 61))
    few = reader.query(active, None, None, 1000, max_bytes=active.stat().st_size // 2)
    assert 0 < len(few) < 10 and few[-1]["seq"] == 60
