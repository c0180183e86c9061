"""Following the other workers' audit files: whole lines only, rotation, the worker's own file left out."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from gateway.admin.console.siblings import Follower, sibling_files


def line(seq: int) -> bytes:
    return orjson.dumps({"seq": seq, "event": "filter.block"}) + b"\n"


def test_siblings_are_the_other_workers_active_files(tmp_path: Path) -> None:
    for name in ("audit.jsonl", "audit.w1.jsonl", "audit.w2.jsonl", "audit.20261206T100000Z.000000000001.jsonl",
                 "audit.w1.20261206T100000Z.000000000001.jsonl", "other.jsonl", "audit.anchor"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in sibling_files(tmp_path / "audit.w1.jsonl")] == ["audit.jsonl", "audit.w2.jsonl"]
    assert [p.name for p in sibling_files(tmp_path / "audit.jsonl")] == ["audit.w1.jsonl", "audit.w2.jsonl"]
    assert sibling_files(tmp_path / "missing" / "audit.jsonl") == []


def test_new_whole_lines_are_read_once_and_rotation_starts_over(tmp_path: Path) -> None:
    own, other = tmp_path / "audit.jsonl", tmp_path / "audit.w1.jsonl"
    own.write_bytes(line(100))
    other.write_bytes(line(1))
    follower = Follower(own)
    follower.skip_to_end()
    assert follower.poll() == []
    with other.open("ab") as file:
        file.write(line(2) + b"not json\n" + line(3)[:-4])  # the last one is still being written
    assert [e["seq"] for e in follower.poll()] == [2]
    with other.open("ab") as file:
        file.write(line(3)[-4:])
    assert [e["seq"] for e in follower.poll()] == [3]
    os.replace(other, tmp_path / "audit.w1.20261206T100000Z.000000000001.jsonl")  # rotated
    other.write_bytes(line(4))
    assert [e["seq"] for e in follower.poll()] == [4]
    (tmp_path / "audit.w2.jsonl").write_bytes(line(7))  # a worker that started later: from its start
    assert [e["seq"] for e in follower.poll()] == [7]
    with own.open("ab") as file:
        file.write(line(101))
    assert follower.poll() == []  # its own entries come through the logger
