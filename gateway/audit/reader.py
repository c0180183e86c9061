"""Query the audit trail across rotation: the active file, then its archives, newest first.

The admin API asks for "the last N entries about X". Reading stops as soon as N are
found, and never looks at more than `max_files` files or `max_bytes` bytes, so one query
cannot make the admin listener read years of history. Lines are read backwards in
blocks, so the newest entries of a large file cost only the bytes after them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from gateway.audit.chain import archived_files

BLOCK = 64 * 1024
MAX_FILES = 50
MAX_BYTES = 256 * 1024 * 1024


def chain_newest_first(active: Path) -> list[Path]:
    """The active file (if present) followed by its rotated files, newest first."""
    files = [active] if active.is_file() else []
    return files + list(reversed(archived_files(active)))


def lines_backwards(path: Path, budget: list[int]) -> Iterator[bytes]:
    """The file's lines, last first; `budget[0]` (bytes left to read) is shared across files."""
    with path.open("rb") as file:
        position = file.seek(0, os.SEEK_END)
        tail = b""
        while position > 0 and budget[0] > 0:
            size = min(BLOCK, position, budget[0])
            position -= size
            budget[0] -= size
            file.seek(position)
            parts = (file.read(size) + tail).split(b"\n")
            tail = parts[0]  # may continue in the block before this one
            for line in reversed(parts[1:]):
                if line:
                    yield line
        if position == 0 and tail:
            yield tail


def _matches(entry: dict[str, Any], event: str | None, subject: str | None) -> bool:
    if event and not str(entry.get("event", "")).startswith(event):
        return False
    return not subject or entry.get("subject", entry.get("user")) == subject


def query(active: Path, event: str | None, subject: str | None, limit: int, *,
          max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> list[dict[str, Any]]:
    """The newest `limit` entries whose event starts with `event` and whose subject (or user) is
    `subject`, oldest first. Torn or foreign lines are skipped: `audit verify` reports damage."""
    found: list[dict[str, Any]] = []
    budget = [max_bytes]
    for path in chain_newest_first(active)[:max_files]:
        try:
            for line in lines_backwards(path, budget):
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and _matches(entry, event, subject):
                    found.append(entry)
                    if len(found) >= limit:
                        return found[::-1]
        except FileNotFoundError:
            continue  # rotated away between listing and opening: a later query sees it
        if budget[0] <= 0:
            break
    return found[::-1]
