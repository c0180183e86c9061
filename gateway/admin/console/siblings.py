"""The other workers' audit files, followed so every worker's Live page shows every worker's traffic.

With `workers > 1` each worker writes its own chain (`audit.jsonl`, `audit.w1.jsonl`, ...) and serves
the admin listener on a shared port, so the page and its event stream may be served by any of them.
Each console follows its siblings' active files: every second it reads what was appended since the
last look (whole lines only, at most `MAX_READ` bytes a file), starting over when a file was rotated
or replaced. Its own entries it hears from the logger already.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import orjson

MAX_READ = 1024 * 1024
_WORKER = re.compile(r"^(?P<base>.+)\.w\d+$")


def sibling_files(own: Path) -> list[Path]:
    """The active audit files of the other workers beside `own` (rotated archives are not followed)."""
    match = _WORKER.match(own.stem)
    base = match["base"] if match else own.stem
    names = re.compile(rf"^{re.escape(base)}(\.w\d+)?{re.escape(own.suffix)}$")
    try:
        return sorted(p for p in own.parent.iterdir() if names.match(p.name) and p.name != own.name)
    except OSError:
        return []


class Follower:
    """Where each sibling file was read up to: (inode, offset)."""

    def __init__(self, own: Path) -> None:
        self.own = own
        self._read: dict[Path, tuple[int, int]] = {}

    def skip_to_end(self) -> None:
        """Start from now: what the files hold already came in through `seed`."""
        for path in sibling_files(self.own):
            try:
                stat = path.stat()
            except OSError:
                continue
            self._read[path] = (stat.st_ino, stat.st_size)

    def poll(self) -> list[dict[str, Any]]:
        """Entries appended to sibling files since the last poll, file by file, oldest first."""
        found: list[dict[str, Any]] = []
        for path in sibling_files(self.own):
            found.extend(self._new_in(path))
        return found

    def _new_in(self, path: Path) -> list[dict[str, Any]]:
        try:
            with path.open("rb") as file:
                stat = os.fstat(file.fileno())
                inode, offset = self._read.get(path, (stat.st_ino, 0))
                if inode != stat.st_ino or stat.st_size < offset:
                    offset = 0  # rotated or replaced: the new file from its start
                file.seek(offset)
                chunk = file.read(min(stat.st_size - offset, MAX_READ))
        except OSError:
            return []
        end = chunk.rfind(b"\n") + 1  # a line still being written is read next time
        self._read[path] = (stat.st_ino, offset + end)
        entries = []
        for line in chunk[:end].splitlines():
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries
