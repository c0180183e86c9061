"""The retention worker with a hand-moved clock and durations of seconds, on real databases."""

from __future__ import annotations

from pathlib import Path

from gateway.database import Database, Lease
from gateway.keyring import KeyService
from gateway.transcripts.archive import DirectoryTarget, read_archive
from gateway.transcripts.config import LegalHold, Policy
from gateway.transcripts.retention import RetentionWorker
from gateway.transcripts.schema import ARCHIVES, CONVERSATIONS, MESSAGES
from gateway.transcripts.sealing import scope
from gateway.transcripts.store import TranscriptStore
from tests.gateway.transcripts.conftest import T0, record


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def worker(store: TranscriptStore, keys: KeyService, tmp_path: Path, clock: Clock, **routes: Policy) -> RetentionWorker:
    return RetentionWorker(store, keys, DirectoryTarget(tmp_path / "archive"), Policy(), routes,
                           batch=2, archive_batch=3, clock=clock, shred_grace=5)


async def count(db: Database, table: str = MESSAGES) -> int:
    return int(await db.fetchval(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608


async def test_archive_then_purge_then_shred(store: TranscriptStore, database: Database, keys: KeyService,
                                             tmp_path: Path) -> None:
    clock = Clock()
    run = worker(store, keys, tmp_path, clock, send=Policy(retention=60, archive_after=10))
    await store.write([record(f"old{i}", ts=T0 - 20 + i) for i in range(5)] + [record("new", ts=T0)])
    dry = await run.run_once(dry_run=True)
    assert (dry.archived_rows, dry.archives_written) == (5, 2) and await count(database) == 6
    report = await run.run_once()
    assert (report.archived_rows, report.archives_written, report.deleted_rows) == (5, 2, 0)
    assert await count(database) == 1 and await count(database, ARCHIVES) == 2
    manifests = sorted((tmp_path / "archive").glob("*.manifest.json"))
    restored = [r for m in manifests for r in (await read_archive(m.read_bytes(), keys, run.target)).rows]  # type: ignore[arg-type]
    assert len(restored) == 5
    key_id = (await keys.current(scope("!room:example.org"))).id
    clock.now = T0 + 61      # the last row is archived too, then all three archives are past retention,
    report = await run.run_once()   # and the conversation, with nothing left anywhere, loses its key
    assert (report.archived_rows, report.deleted_rows, report.deleted_archives) == (1, 0, 3)
    assert await count(database) == 0 and await count(database, ARCHIVES) == 0
    assert not list((tmp_path / "archive").glob("*"))
    assert report.shredded_conversations == 1 and await keys.find(key_id, fresh=True) is None
    assert await count(database, CONVERSATIONS) == 0


async def test_legal_hold_keeps_conversations_and_subjects(store: TranscriptStore, database: Database,
                                                           keys: KeyService, tmp_path: Path) -> None:
    clock = Clock()
    hold = LegalHold(conversations=("case-1",), subjects=("mallory",))
    run = worker(store, keys, tmp_path, clock, send=Policy(retention=5, legal_hold=hold))
    await store.write([record(conversation="case-1", ts=T0 - 100), record(conversation="plain", ts=T0 - 100),
                       record(conversation="with-mallory", subject="bob", ts=T0 - 100),
                       record(conversation="with-mallory", subject="mallory", ts=T0 - 1)])
    clock.now = T0 + 100
    report = await run.run_once()
    assert report.deleted_rows == 1 and report.held_rows == 3 and report.shredded_conversations == 1
    left = {r[0] for r in await database.fetch(f"SELECT DISTINCT conversation FROM {MESSAGES}")}  # noqa: S608
    assert left == {"case-1", "with-mallory"}


async def test_routes_keep_their_own_durations(store: TranscriptStore, database: Database, keys: KeyService,
                                               tmp_path: Path) -> None:
    clock = Clock()
    run = worker(store, keys, tmp_path, clock, short=Policy(retention=10), forever=Policy(retention=0))
    await store.write([record(route="short", ts=T0 - 20), record(route="forever", ts=T0 - 10_000),
                       record(route="gone-from-config", ts=T0 - 20)])   # unknown route: the default (keep)
    report = await run.run_once()
    assert report.deleted_rows == 1
    assert {r[0] for r in await database.fetch(f"SELECT route FROM {MESSAGES}")} == {"forever", "gone-from-config"}  # noqa: S608


async def test_one_instance_at_a_time_by_lease(store: TranscriptStore, database: Database) -> None:
    first, second = Lease(database, "transcripts.retention", "a", 60), Lease(database, "transcripts.retention", "b", 60)
    await first.setup()
    assert await first.acquire() and not await second.acquire()
