"""Archives: compressed JSON lines, every row sealed, with a manifest that proves the whole.

Each line is one message row sealed under its conversation's data key, bound to the archive
id and the line number: erasing a conversation (deleting its keys) leaves its archived rows
unreadable, and a line moved, dropped or swapped does not open. The manifest names the
counts, the time span and SHA-256 of the file and of its content, and carries an HMAC under
a key of the archive's own; `read_archive` checks all of it before anything is restored.
Files go through an `ArchiveTarget` (a directory today; an object store fits the same four calls).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
import os
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson

from gateway.keyring import KeyService, KeyUnavailable, SealError
from gateway.transcripts.schema import COLUMNS
from gateway.transcripts.sealing import scope
from gateway.transcripts.store import StoredRow

FORMAT = "chatguard-transcripts-archive/1"
MANIFEST_SUFFIX, DATA_SUFFIX = ".manifest.json", ".jsonl.gz"
MAC_SCOPE = "transcripts-archive:"
MAX_INFLATE = 64   # a data file may not inflate to more than this many times its size
_BYTES = {"text", "full_text"}


class ArchiveError(ValueError):
    """An archive that must not be restored: missing, altered, or not one of ours."""


class ArchiveTarget(Protocol):
    """Where archive files live."""

    def describe(self, name: str) -> str: ...

    async def put(self, name: str, data: bytes) -> str: ...

    async def get(self, name: str) -> bytes: ...

    async def delete(self, name: str) -> None: ...


class DirectoryTarget:
    """A local (or mounted) directory; files are written whole (temp file, fsync, rename)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def describe(self, name: str) -> str:
        return str(self.root / name)

    def _put(self, name: str, data: bytes) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        final, temp = self.root / name, self.root / f".{name}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
        return str(final)

    async def put(self, name: str, data: bytes) -> str:
        return await asyncio.to_thread(self._put, name, data)

    async def get(self, name: str) -> bytes:
        return await asyncio.to_thread((self.root / name).read_bytes)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread((self.root / name).unlink, True)


@dataclass(frozen=True)
class Written:
    id: str
    location: str
    sha256: str
    rows: int


def _aad(archive_id: str, index: int, key_id: str) -> bytes:
    return f"chatguard archive row\x00{archive_id}\x00{index}\x00{key_id}".encode()


def _mac(key: bytes, manifest: dict[str, Any]) -> str:
    body = orjson.dumps({k: v for k, v in manifest.items() if k != "mac"}, option=orjson.OPT_SORT_KEYS)
    return hmac.new(key, b"chatguard archive manifest\x00" + body, hashlib.sha256).hexdigest()


def _row_json(row: StoredRow) -> bytes:
    return orjson.dumps({name: (base64.b64encode(value).decode() if name in _BYTES and value is not None else value)
                         for name, value in zip(COLUMNS, astuple(row), strict=True)})


def _row_of(payload: bytes) -> StoredRow:
    data = orjson.loads(payload)
    if not isinstance(data, dict) or set(data) != set(COLUMNS):
        raise ArchiveError("a row does not have the expected columns")
    for name in _BYTES:
        if data[name] is not None:
            data[name] = base64.b64decode(data[name])
    return StoredRow(*(data[name] for name in COLUMNS))


def _iso(ts_us: int) -> str:
    return datetime.fromtimestamp(ts_us / 1_000_000, UTC).isoformat().replace("+00:00", "Z")


async def write_archive(rows: Sequence[StoredRow], keys: KeyService, target: ArchiveTarget, now: float) -> Written:
    """Seal `rows` into a new archive (data file first, manifest last: no manifest, no archive)."""
    if not rows:
        raise ValueError("nothing to archive")
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    archive_id = f"transcripts-{stamp}-{os.urandom(4).hex()}"
    lines = []
    for index, row in enumerate(rows):
        key = await keys.current(scope(row.conversation))
        sealed = key.seal(_row_json(row), _aad(archive_id, index, key.id))
        lines.append(orjson.dumps({"n": index, "k": key.id, "s": base64.b64encode(sealed).decode()}) + b"\n")
    content = b"".join(lines)
    data = gzip.compress(content, compresslevel=6, mtime=0)
    mac_key = await keys.current(MAC_SCOPE + archive_id)
    manifest: dict[str, Any] = {
        "format": FORMAT, "id": archive_id, "created": _iso(int(now * 1_000_000)), "rows": len(rows),
        "first": _iso(min(r.ts_us for r in rows)), "last": _iso(max(r.ts_us for r in rows)),
        "routes": dict(sorted(Counter(r.route for r in rows).items())),
        "conversations": len({r.conversation for r in rows}),
        "data": {"name": archive_id + DATA_SUFFIX, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                 "content_sha256": hashlib.sha256(content).hexdigest()},
        "mac_key": mac_key.id,
    }
    manifest["mac"] = _mac(mac_key.material, manifest)
    await target.put(manifest["data"]["name"], data)
    location = await target.put(archive_id + MANIFEST_SUFFIX, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return Written(archive_id, location, manifest["data"]["sha256"], len(rows))


@dataclass(frozen=True)
class ArchiveContents:
    manifest: dict[str, Any]
    rows: tuple[StoredRow, ...]     # rows whose keys still exist
    shredded: int                   # rows of erased conversations (unreadable by design)


async def read_manifest(raw: bytes, keys: KeyService) -> dict[str, Any]:
    """A manifest whose HMAC checks out (its key is looked up fresh)."""
    try:
        manifest = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ArchiveError("the manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"not a transcripts archive manifest (format {FORMAT})")
    try:
        key = await keys.find(str(manifest.get("mac_key")), fresh=True)
    except KeyUnavailable as exc:
        raise ArchiveError(f"the manifest's key cannot be unwrapped: {exc}") from None
    if key is None:
        raise ArchiveError("the manifest's key does not exist (archive deleted by retention, or not ours)")
    if not hmac.compare_digest(_mac(key.material, manifest), str(manifest.get("mac"))):
        raise ArchiveError("the manifest was altered (HMAC does not match)")
    return manifest


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    content = inflater.decompress(data, MAX_INFLATE * max(len(data), 1024))
    if inflater.unconsumed_tail or not inflater.eof:
        raise ArchiveError("the data file is damaged or inflates beyond its limit")
    return content


async def read_archive(manifest_raw: bytes, keys: KeyService, target: ArchiveTarget) -> ArchiveContents:
    """Every check first (manifest HMAC, size, both checksums, count, each row's seal), then the rows."""
    manifest = await read_manifest(manifest_raw, keys)
    info = manifest["data"]
    try:
        data = await target.get(str(info["name"]))
    except OSError as exc:
        raise ArchiveError(f"the data file cannot be read: {exc.strerror or exc}") from None
    if len(data) != info["bytes"] or hashlib.sha256(data).hexdigest() != info["sha256"]:
        raise ArchiveError("the data file does not match the manifest (size or SHA-256)")
    try:
        content = _inflate(data)
    except zlib.error:
        raise ArchiveError("the data file is not valid gzip") from None
    if hashlib.sha256(content).hexdigest() != info["content_sha256"]:
        raise ArchiveError("the data content does not match the manifest (SHA-256)")
    lines = content.splitlines()
    if len(lines) != manifest["rows"]:
        raise ArchiveError(f"the manifest counts {manifest['rows']} rows, the file holds {len(lines)}")
    rows, shredded = [], 0
    for index, line in enumerate(lines):
        item = orjson.loads(line)
        if item.get("n") != index:
            raise ArchiveError(f"row {index} is out of place")
        try:
            key = await keys.find(str(item["k"]), fresh=True)
        except KeyUnavailable as exc:
            raise ArchiveError(f"row {index}: {exc}") from None
        if key is None:
            shredded += 1
            continue
        try:
            payload = key.open(base64.b64decode(item["s"]), _aad(str(manifest["id"]), index, key.id))
        except (SealError, ValueError):
            raise ArchiveError(f"row {index} was altered (its seal does not open)") from None
        rows.append(_row_of(payload))
    return ArchiveContents(manifest, tuple(rows), shredded)
