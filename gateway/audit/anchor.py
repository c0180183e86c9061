"""Anchors: proof, kept outside the trail, of how far the trail had come.

A hash chain shows that nothing inside it was changed, but not that nothing was cut off its
end: remove the last entries and what is left is still a valid, shorter chain. So every signed
checkpoint is also appended to a witness file (`audit.anchor`, on another volume, ideally
append-only: `chattr +a`), and the PostgreSQL copy, when configured, holds every entry.
`chatguard audit verify --anchor W [--anchor-dsn URL]` then fails a trail that ends before a
checkpoint the witness holds, whose checkpoint differs from the anchored one, or that the
database copy continues beyond.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gateway.audit.entry import CHECKPOINT, canonical, digest
from gateway.audit.signing import signature_ok


class AnchorError(ValueError):
    """A witness file that is not a list of signed checkpoints (altered, or not ours)."""


class Witness:
    """Appends checkpoint lines to the witness file (each write flushed to disk)."""

    def __init__(self, path: str | Path, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync

    def append(self, line: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def newest(self) -> dict[str, Any] | None:
        """The last complete checkpoint in the witness (no signature check: used at start-up)."""
        if not self.path.is_file():
            return None
        newest = None
        for raw in self.path.read_bytes().splitlines():
            try:
                entry = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if isinstance(entry, dict) and entry.get("event") == CHECKPOINT and isinstance(entry.get("seq"), int):
                newest = entry
        return newest


def read_witness(path: Path, keys: Mapping[str, Ed25519PublicKey]) -> list[dict[str, Any]]:
    """Every checkpoint in a witness file, each checked (hash and signature); AnchorError otherwise."""
    found = []
    for number, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            entry = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise AnchorError(f"{path}:{number}: not JSON") from None
        if not isinstance(entry, dict) or entry.get("event") != CHECKPOINT:
            raise AnchorError(f"{path}:{number}: not a checkpoint")
        if digest({k: v for k, v in entry.items() if k != "hash"}) != entry.get("hash"):
            raise AnchorError(f"{path}:{number}: content does not match its hash")
        key = keys.get(str(entry.get("key_id")))
        signed = canonical({k: v for k, v in entry.items() if k not in ("hash", "sig")})
        if key is None or not isinstance(entry.get("sig"), str) or not signature_ok(key, signed, entry["sig"]):
            raise AnchorError(f"{path}:{number}: signature does not verify with the given key(s)")
        found.append(entry)
    return found


def compare(anchors: list[dict[str, Any]], hashes: Mapping[int, str], last_seq: int,
            first_seq: int) -> str | None:
    """What is wrong with the trail given the anchored checkpoints (None: consistent)."""
    newest = max((int(a["seq"]) for a in anchors), default=0)
    if newest > last_seq:
        return (f"truncated: the anchor holds checkpoint seq {newest} but the trail ends at seq {last_seq}: "
                "entries were cut off its end")
    for anchor in sorted(anchors, key=lambda a: int(a["seq"])):
        seq = int(anchor["seq"])
        if seq < first_seq:
            continue   # before the files given (--partial)
        if hashes.get(seq) != anchor["hash"]:
            return f"altered: checkpoint seq {seq} in the trail is not the one anchored (the trail was rewritten)"
    return None


def database_successor(dsn: str, table: str, last_hash: str) -> int | None:
    """The seq of an entry in the PostgreSQL copy that follows the trail's last entry, if any."""
    import asyncpg

    from gateway.audit.postgres import quote_table

    async def query() -> int | None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            value = await conn.fetchval(f"SELECT seq FROM {quote_table(table)} WHERE prev = $1 LIMIT 1",  # noqa: S608
                                        last_hash)
            return int(value) if value is not None else None
        finally:
            await conn.close()

    return asyncio.run(query())
