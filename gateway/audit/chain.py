"""The hash chain on disk: JSON lines, signed checkpoints, rotation that keeps the chain.

Each entry records the hash of the one before it, so changing, removing, inserting or
moving an entry breaks a link. Every N entries or T seconds a checkpoint signs the
hash of everything so far with the Ed25519 key: rewriting the whole chain would need
that key. A file is closed with a checkpoint before it is rotated, and the next file
starts from that checkpoint's hash, so a set of files verifies as one chain.

This class does blocking file I/O and is driven from one worker thread at a time
(see writer.py); nothing here runs on the event loop.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from gateway.audit.anchor import Witness
from gateway.audit.config import AuditSettings
from gateway.audit.entry import CHECKPOINT, GENESIS, Event, canonical, digest, iso, seal
from gateway.audit.signing import key_id, load_private_key, sign

TAIL_READ = 1024 * 1024


class ChainError(RuntimeError):
    """The chain cannot be continued safely (the operator has to look at the files)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def archive_pattern(active: Path) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(active.stem)}\.\d{{8}}T\d{{6}}Z\.\d{{12}}{re.escape(active.suffix)}$")


def archived_files(active: Path) -> list[Path]:
    """Rotated files of a chain, oldest first (their names sort by time, then sequence)."""
    pattern = archive_pattern(active)
    if not active.parent.is_dir():
        return []
    return sorted(p for p in active.parent.iterdir() if pattern.match(p.name))


def parse_entry(line: bytes) -> dict[str, Any] | None:
    """A stored line if it is a complete, self-consistent entry; None otherwise."""
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return None
    stored = entry.get("hash")
    body = {k: v for k, v in entry.items() if k != "hash"}
    if not isinstance(stored, str) or digest(body) != stored:
        return None
    return entry


def _last_valid(path: Path) -> tuple[dict[str, Any] | None, bool]:
    """The last intact entry in a file's tail, and whether the file ends cleanly with it."""
    with path.open("rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - TAIL_READ))
        tail = f.read()
    lines = tail.split(b"\n")
    clean = tail.endswith(b"\n")
    candidates = lines[:-1] if clean else lines
    for index in range(len(candidates) - 1, -1, -1):
        entry = parse_entry(candidates[index])
        if entry is not None:
            return entry, clean and index == len(candidates) - 1
    return None, False


def _first_day(path: Path) -> str | None:
    with path.open("rb") as f:
        first = f.readline()
    try:
        ts = orjson.loads(first).get("ts")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return ts[:10] if isinstance(ts, str) else None


class AuditChain:
    """Appends events to the active file; rotates and checkpoints as configured."""

    def __init__(self, settings: AuditSettings, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.path = Path(settings.path)
        self._key = load_private_key(settings.signing_key)
        self._key_id = key_id(self._key.public_key())
        self._clock = clock
        self._fd: int | None = None
        self._size = 0
        self._day: str | None = None
        self.seq = 0
        self.last_hash = GENESIS
        self._since_checkpoint = 0
        self._unsigned_since = clock()
        self._written: list[bytes] = []
        self.resume_note: dict[str, Any] = {}
        self._witness = Witness(settings.anchor, fsync=settings.fsync) if settings.anchor else None
        self._unanchored: list[bytes] = []
        self.anchor_error: str | None = None

    # start ---------------------------------------------------------------------------------

    def open(self) -> None:
        """Continue the chain found on disk (active file, else newest archive), or start one."""
        if not self.path.parent.is_dir():
            raise ChainError(f"audit directory {str(self.path.parent)!r} does not exist")
        if self.path.exists() and self.path.stat().st_size > 0:
            last, clean = _last_valid(self.path)
            if last is None:
                raise ChainError(f"{self.path}: no intact entry in its tail; refusing to continue this chain")
            if not clean:
                damaged = self._archive_name(self._clock(), int(last["seq"]))
                os.replace(self.path, damaged)
                self.resume_note = {"damaged_tail": damaged.name}
            else:
                self._day = _first_day(self.path)
                self._size = self.path.stat().st_size
        else:
            archives = archived_files(self.path)
            last = _last_valid(archives[-1])[0] if archives else None
            if archives and last is None:
                raise ChainError(f"{archives[-1]}: no intact entry in its tail; refusing to continue this chain")
        if last is not None:
            self.seq, self.last_hash = int(last["seq"]), str(last["hash"])
            self.resume_note["resumed_seq"] = self.seq
        anchored = self._witness.newest() if self._witness is not None else None
        if anchored is not None and int(anchored["seq"]) > self.seq:
            self.resume_note["anchor_mismatch"] = (f"the anchor holds checkpoint seq {anchored['seq']} but the "
                                                   f"trail ends at seq {self.seq}: its end was cut off")
        self._fd_open()

    def _fd_open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            self._size = os.fstat(self._fd).st_size
            if self._size == 0:
                self._day = None
        return self._fd

    # writing -------------------------------------------------------------------------------

    def _write(self, lines: Sequence[bytes], seq: int, last_hash: str) -> None:
        """Write whole lines or nothing: a failed write is cut back so the file never holds half a line."""
        fd = self._fd_open()
        start = self._size
        data = memoryview(b"".join(lines))
        try:
            while data:
                data = data[os.write(fd, data):]
            if self.settings.fsync:
                os.fsync(fd)
        except OSError:
            self._discard(start)
            raise
        self._size = start + sum(len(line) for line in lines)
        self.seq, self.last_hash = seq, last_hash
        self._written.extend(lines)
        if self._day is None:
            self._day = iso(self._clock())[:10]

    def _discard(self, start: int) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
        with contextlib.suppress(OSError):
            os.close(fd)

    def append(self, events: Sequence[Event]) -> int:
        """Chain and write events up to the next checkpoint or size limit (rotating first if due).

        Returns how many were written: the caller passes the rest again, so a failure
        part-way never writes an event twice and checkpoints fall exactly every N entries.
        """
        if not events:
            return 0
        now = self._clock()
        if self._rotation_due(now):
            self.rotate(now)
        elif self._since_checkpoint >= self.settings.checkpoint_every:
            self.checkpoint("count", now)   # one that failed after the last write
        room = max(1, self.settings.checkpoint_every - self._since_checkpoint)
        limit = self.settings.rotate_size or float("inf")
        seq, prev, size = self.seq, self.last_hash, self._size
        lines: list[bytes] = []
        for item in events[:room]:
            if lines and size >= limit:
                break   # the rest goes into the next file
            seq += 1
            body = {**item.fields, "seq": seq, "ts": item.ts, "event": item.event, "prev": prev}
            prev, line = seal(body)
            lines.append(line)
            size += len(line)
        self._write(lines, seq, prev)
        if not self._since_checkpoint:
            self._unsigned_since = now
        self._since_checkpoint += len(lines)
        if self._since_checkpoint >= self.settings.checkpoint_every:
            with contextlib.suppress(OSError):   # retried before the next write or on the next tick
                self.checkpoint("count", now)
        return len(lines)

    def checkpoint(self, reason: str, now: datetime | None = None) -> None:
        """Sign the hash of the chain so far."""
        now = now or self._clock()
        body: dict[str, Any] = {
            "event": CHECKPOINT, "seq": self.seq + 1, "ts": iso(now), "prev": self.last_hash,
            "hash_of_chain_so_far": self.last_hash, "key_id": self._key_id, "reason": reason,
        }
        body["sig"] = sign(self._key, canonical(body))
        entry_hash, line = seal(body)
        self._write([line], self.seq + 1, entry_hash)
        self._since_checkpoint = 0
        self._unanchored.append(line)
        self.anchor()

    def anchor(self) -> None:
        """Copy written checkpoints to the witness; kept and retried (on each tick) while it fails."""
        if self._witness is None or not self._unanchored:
            return
        try:
            self._witness.append(b"".join(self._unanchored))
        except OSError as exc:
            self.anchor_error = f"cannot write the audit anchor: {exc.strerror or exc}"
            return
        self._unanchored.clear()
        self.anchor_error = None

    def tick(self) -> None:
        """Time-driven work: the day change, and no entry left unsigned longer than the interval."""
        now = self._clock()
        self.anchor()
        if self._rotation_due(now, by_size=False):
            self.rotate(now)
        elif self._since_checkpoint >= self.settings.checkpoint_every:
            self.checkpoint("count", now)
        elif self._since_checkpoint and (now - self._unsigned_since).total_seconds() >= self.settings.checkpoint_interval:
            self.checkpoint("interval", now)

    # rotation ------------------------------------------------------------------------------

    def _rotation_due(self, now: datetime, *, by_size: bool = True) -> bool:
        if self._size == 0:
            return False
        if by_size and self.settings.rotate_size and self._size >= self.settings.rotate_size:
            return True
        return self.settings.rotate_daily and self._day is not None and self._day != iso(now)[:10]

    def _archive_name(self, now: datetime, seq: int) -> Path:
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return self.path.with_name(f"{self.path.stem}.{stamp}.{seq:012d}{self.path.suffix}")

    def rotate(self, now: datetime | None = None) -> Path:
        """Close the active file with a checkpoint and move it aside; the next write opens a new one."""
        now = now or self._clock()
        self.checkpoint("rotate", now)
        target = self._archive_name(now, self.seq)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        os.replace(self.path, target)
        if self.settings.fsync:
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        self._size, self._day = 0, None
        return target

    def take_written(self) -> list[bytes]:
        """Lines written since the last call (for the optional database copy)."""
        written, self._written = self._written, []
        return written

    def close(self) -> None:
        """End the trail with a shutdown checkpoint (always: it is how verify tells closed from cut), then close."""
        try:
            if self.seq:
                self.checkpoint("shutdown")
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
