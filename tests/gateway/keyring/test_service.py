"""The key service on real SQLite and PostgreSQL: data keys, sealing, rotation, re-wrapping, shredding."""

from __future__ import annotations

import asyncio

import pytest

from gateway.database import Database, open_database
from gateway.keyring import KeyService, KeyUnavailable, LocalKek, SealError
from gateway.keyring.store import TABLE
from tests.gateway.keyring import kms_double

OLD, NEW = LocalKek(bytes(range(32))), LocalKek(bytes(range(1, 33)))


async def service(db: Database, current: LocalKek = OLD, *previous: LocalKek, **kw: float) -> KeyService:
    keys = KeyService(db, current, previous, **kw)
    await keys.setup()
    return keys


async def test_a_scope_keeps_its_key_and_scopes_differ(database: Database) -> None:
    keys = await service(database)
    first = await keys.current("transcripts:room-1")
    assert (await keys.current("transcripts:room-1")).id == first.id
    other = await keys.current("transcripts:room-2")
    assert other.id != first.id and other.material != first.material
    fresh = await service(database)   # another process: same key from the store
    found = await fresh.find(first.id)
    assert found is not None and found.material == first.material and found.version == 1


async def test_seal_binds_the_associated_data(database: Database) -> None:
    key = await (await service(database)).current("s")
    sealed = key.seal(b"hello", b"row-1")
    assert key.open(sealed, b"row-1") == b"hello"
    with pytest.raises(SealError):
        key.open(sealed, b"row-2")
    with pytest.raises(SealError):
        key.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), b"row-1")


async def test_rotating_a_scope_keeps_old_data_readable(database: Database) -> None:
    keys = await service(database)
    old = await keys.current("s")
    sealed = old.seal(b"before")
    new = await keys.rotate("s")
    assert new.version == 2 and (await keys.current("s")).id == new.id
    again = await keys.find(old.id)
    assert again is not None and again.open(sealed) == b"before"


async def test_erase_shreds_every_version(database: Database) -> None:
    keys = await service(database)
    one = await keys.current("transcripts:c")
    two = await keys.rotate("transcripts:c")
    kept = await keys.current("transcripts:other")
    assert await keys.erase("transcripts:c") == 2
    assert await keys.find(one.id) is None and await keys.find(two.id) is None
    assert await keys.find(kept.id) is not None
    assert (await keys.current("transcripts:c")).id not in (one.id, two.id)   # new data: a new key


async def test_another_instance_sees_an_erase_within_the_cache_time(database: Database) -> None:
    now = [0.0]
    reader = await service(database, cache_ttl=60, clock=lambda: now[0])
    eraser = await service(database)
    key = await reader.current("s")
    await eraser.erase("s")
    assert await reader.find(key.id, fresh=True) is None
    key = await reader.current("s")
    await eraser.erase("s")
    assert await reader.find(key.id) is not None      # cached ...
    now[0] += 61
    assert await reader.find(key.id) is None           # ... for at most cache_ttl


async def test_rewrap_moves_keys_to_the_new_kek_without_touching_data(database: Database) -> None:
    before = await service(database, OLD)
    keys = [await before.current(f"s{i}") for i in range(5)]
    sealed = [k.seal(f"m{i}".encode()) for i, k in enumerate(keys)]
    during = await service(database, NEW, OLD)          # new KEK current, old still accepted
    assert (await during.rewrap(dry_run=True)).rewrapped == 5
    report = await during.rewrap(batch=2)
    assert report.rewrapped == 5 and report.failed == () and report.by_kek == {NEW.kek_id: 5}
    assert (await during.rewrap()).rewrapped == 0       # repeatable
    after = await service(database, NEW)                # the old KEK is gone
    for i, key in enumerate(keys):
        found = await after.find(key.id)
        assert found is not None and found.open(sealed[i]) == f"m{i}".encode()
    with pytest.raises(KeyUnavailable, match="not configured"):
        await (await service(database, OLD)).find(keys[0].id)


async def test_a_key_without_its_kek_is_reported_not_lost(database: Database) -> None:
    await (await service(database, OLD)).current("s")
    report = await (await service(database, NEW)).rewrap()
    assert report.rewrapped == 0 and len(report.failed) == 1 and report.by_kek == {OLD.kek_id: 1}


async def test_a_wrapped_key_moved_to_another_scope_does_not_unwrap(database: Database) -> None:
    keys = await service(database)
    victim = await keys.current("transcripts:victim")
    await keys.current("transcripts:attacker")
    stolen = await database.fetchval(f"SELECT wrapped FROM {TABLE} WHERE key_id = $1", victim.id)  # noqa: S608
    await database.execute(f"UPDATE {TABLE} SET wrapped = $1 WHERE scope = $2", stolen,  # noqa: S608
                           "transcripts:attacker")
    with pytest.raises(KeyUnavailable):
        await (await service(database)).current("transcripts:attacker")


async def test_instances_racing_for_a_new_scope_agree_on_one_key(db_url: str) -> None:
    dbs = [open_database(db_url) for _ in range(3)]
    for db in dbs:
        await db.open()
    try:
        services = [await service(db) for db in dbs]
        found = await asyncio.gather(*(s.current("transcripts:new") for s in services))
        assert len({k.id for k in found}) == 1 and len({k.material for k in found}) == 1
    finally:
        for db in dbs:
            await db.aclose()


async def test_kms_plug_point_wraps_and_unwraps(database: Database) -> None:
    kms = kms_double.make({"key_name": "k1"})
    keys = KeyService(database, kms)
    await keys.setup()
    kms_double.CALLS.clear()
    key = await keys.current("s")
    again = await KeyService(database, kms).find(key.id)
    assert again is not None and again.material == key.material
    assert kms_double.CALLS == ["wrap", "unwrap"]
