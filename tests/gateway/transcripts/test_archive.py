"""Archives on real files: round trip, every kind of tampering refused, crypto-shredding honoured."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from gateway.database import Database
from gateway.keyring import KeyService
from gateway.transcripts.archive import ArchiveError, DirectoryTarget, read_archive, write_archive
from gateway.transcripts.sealing import scope
from gateway.transcripts.store import StoredRow, TranscriptStore
from tests.gateway.transcripts.conftest import T0, record
from tests.gateway.transcripts.test_store import rows


async def archived(store: TranscriptStore, database: Database, keys: KeyService,
                   tmp_path: Path) -> tuple[list[StoredRow], Path, DirectoryTarget]:
    await store.write([record(f"secret-message-{i}", conversation=f"room-{i % 2}", ts=T0 + i) for i in range(6)])
    live = await rows(database)
    target = DirectoryTarget(tmp_path / "archive")
    written = await write_archive(live, keys, target, T0 + 100)
    return live, Path(written.location), target


async def test_round_trip_gives_back_the_same_rows(store: TranscriptStore, database: Database, keys: KeyService,
                                                   tmp_path: Path) -> None:
    live, manifest, target = await archived(store, database, keys, tmp_path)
    meta = json.loads(manifest.read_text())
    assert meta["rows"] == 6 and meta["conversations"] == 2 and meta["routes"] == {"send": 6}
    assert len(meta["data"]["sha256"]) == 64 and len(meta["data"]["content_sha256"]) == 64
    assert b"secret-message" not in gzip.decompress((manifest.parent / meta["data"]["name"]).read_bytes())
    contents = await read_archive(manifest.read_bytes(), keys, target)
    assert list(contents.rows) == live and contents.shredded == 0


def _edit_data(manifest: Path, change: str) -> None:
    meta = json.loads(manifest.read_text())
    data_file = manifest.parent / meta["data"]["name"]
    lines = gzip.decompress(data_file.read_bytes()).splitlines(keepends=True)
    if change == "drop-line":
        lines = lines[:-1]
    elif change == "swap-lines":
        lines[0], lines[1] = lines[1], lines[0]
    elif change == "flip-byte":
        data = bytearray(data_file.read_bytes())
        data[len(data) // 2] ^= 1
        data_file.write_bytes(bytes(data))
        return
    data_file.write_bytes(gzip.compress(b"".join(lines)))


@pytest.mark.parametrize("change", ["flip-byte", "drop-line", "swap-lines"])
async def test_an_altered_data_file_is_refused(store: TranscriptStore, database: Database, keys: KeyService,
                                               tmp_path: Path, change: str) -> None:
    _, manifest, target = await archived(store, database, keys, tmp_path)
    _edit_data(manifest, change)
    with pytest.raises(ArchiveError, match="does not match"):
        await read_archive(manifest.read_bytes(), keys, target)


@pytest.mark.parametrize("edit", ["rows", "checksums"])
async def test_a_manifest_rewritten_to_match_is_refused(store: TranscriptStore, database: Database,
                                                        keys: KeyService, tmp_path: Path, edit: str) -> None:
    """The attacker edits the data and fixes the manifest's counts and checksums: the HMAC catches it."""
    import hashlib
    _, manifest, target = await archived(store, database, keys, tmp_path)
    meta = json.loads(manifest.read_text())
    data_file = manifest.parent / meta["data"]["name"]
    lines = gzip.decompress(data_file.read_bytes()).splitlines(keepends=True)[:-1]
    content = b"".join(lines)
    data = gzip.compress(content)
    data_file.write_bytes(data)
    meta["data"].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        content_sha256=hashlib.sha256(content).hexdigest())
    if edit == "rows":
        meta["rows"] = 5
    manifest.write_text(json.dumps(meta))
    with pytest.raises(ArchiveError, match="manifest was altered"):
        await read_archive(manifest.read_bytes(), keys, target)


async def test_a_row_sealed_elsewhere_does_not_open_here(store: TranscriptStore, database: Database,
                                                         keys: KeyService, tmp_path: Path) -> None:
    """Two archives by the same keys: a line carried from one into the other (same position) is refused."""
    import hashlib

    from gateway.transcripts.archive import _mac
    _, first, target = await archived(store, database, keys, tmp_path)
    second_written = await write_archive(await rows(database), keys, target, T0 + 200)
    second = Path(second_written.location)
    one, two = json.loads(first.read_text()), json.loads(second.read_text())
    lines_one = gzip.decompress((first.parent / one["data"]["name"]).read_bytes()).splitlines(keepends=True)
    lines_two = gzip.decompress((second.parent / two["data"]["name"]).read_bytes()).splitlines(keepends=True)
    lines_two[0] = lines_one[0]
    content = b"".join(lines_two)
    data = gzip.compress(content)
    (second.parent / two["data"]["name"]).write_bytes(data)
    two["data"].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                       content_sha256=hashlib.sha256(content).hexdigest())
    mac_key = await keys.find(two["mac_key"])
    assert mac_key is not None   # an insider holding the MAC key re-signs the manifest ...
    two["mac"] = _mac(mac_key.material, two)
    second.write_text(json.dumps(two))
    with pytest.raises(ArchiveError, match="row 0 was altered"):   # ... the row's own seal still refuses
        await read_archive(second.read_bytes(), keys, target)


async def test_crypto_shredding_leaves_archived_rows_unreadable(store: TranscriptStore, database: Database,
                                                                keys: KeyService, tmp_path: Path) -> None:
    live, manifest, target = await archived(store, database, keys, tmp_path)
    await keys.erase(scope("room-0"))
    contents = await read_archive(manifest.read_bytes(), keys, target)
    assert contents.shredded == 3 and {r.conversation for r in contents.rows} == {"room-1"}
    raw = gzip.decompress((manifest.parent / json.loads(manifest.read_text())["data"]["name"]).read_bytes())
    assert b"room-0" not in raw   # nothing about the erased conversation is readable in the file


async def test_a_foreign_or_missing_file_is_refused(keys: KeyService, tmp_path: Path) -> None:
    target = DirectoryTarget(tmp_path)
    with pytest.raises(ArchiveError, match="not a transcripts archive"):
        await read_archive(b'{"format": "other"}', keys, target)
    with pytest.raises(ArchiveError, match="not JSON"):
        await read_archive(b"\x1f\x8b garbage", keys, target)
