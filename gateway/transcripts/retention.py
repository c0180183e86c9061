"""The retention worker: archive what is past `archive_after`, delete what is past `retention`.

One run, in batches, reporting counts:
1. archive   rows older than their route's `archive_after` go into a sealed archive and leave
             the live table; restored copies are dropped again once their live time is over
2. purge     rows older than their route's `retention` are deleted; archives whose every
             member is past retention are deleted with their integrity key
3. shred     conversations with nothing left anywhere lose their data keys and index rows
Legal holds (joined across all policies) are never deleted, purged or shredded; they are
still archived, which moves data without losing it. The gateway runs this on a schedule
under a lease (one instance at a time); `chatguard transcripts archive|purge` runs it by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from gateway.database import DatabaseError, Lease
from gateway.keyring import KeyService
from gateway.transcripts.archive import DATA_SUFFIX, MAC_SCOPE, MANIFEST_SUFFIX, ArchiveTarget, write_archive
from gateway.transcripts.config import LegalHold, Policy
from gateway.transcripts.store import TranscriptStore

log = logging.getLogger("chatguard.transcripts")
audit = logging.getLogger("chatguard.audit")
LEASE_NAME = "transcripts.retention"
SHRED_GRACE = 3600.0   # a conversation quiet this long may lose its key (longer than any key cache)


class LeaseLost(RuntimeError):
    """Another instance holds the retention lease now; this run stops where it is."""


@dataclass
class RunReport:
    dry_run: bool = False
    archived_rows: int = 0
    archives_written: int = 0
    restored_dropped: int = 0
    deleted_rows: int = 0
    held_rows: int = 0
    deleted_archives: int = 0
    shredded_conversations: int = 0

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


class RetentionWorker:
    def __init__(self, store: TranscriptStore, keys: KeyService | None, target: ArchiveTarget | None,
                 default: Policy, by_route: Mapping[str, Policy], *, batch: int = 1000, archive_batch: int = 5000,
                 clock: Callable[[], float] = time.time, shred_grace: float = SHRED_GRACE) -> None:
        self.store = store
        self.keys = keys
        self.target = target
        self.default = default
        self.by_route = dict(by_route)
        self.batch = batch
        self.archive_batch = archive_batch
        self.clock = clock
        self.shred_grace = shred_grace
        hold = default.legal_hold
        for policy in self.by_route.values():
            hold = hold.joined(policy.legal_hold)
        self.hold: LegalHold = hold
        self.lease: Lease | None = None

    async def _still_ours(self) -> None:
        """Between batches: renew the lease, or stop when another instance took it over."""
        if self.lease is not None and not await self.lease.acquire():
            raise LeaseLost(f"lease {self.lease.name} was taken over by another instance")

    def policy(self, route: str) -> Policy:
        return self.by_route.get(route, self.default)

    async def _routes(self) -> list[str]:
        return sorted(set(self.by_route) | set(await self.store.routes()))

    # 1. archive ----------------------------------------------------------------------------

    async def archive(self, report: RunReport | None = None, *, dry_run: bool = False) -> RunReport:
        report = report or RunReport(dry_run=dry_run)
        now = self.clock()
        for route in await self._routes():
            after_time = self.policy(route).archive_after
            if not after_time:
                continue
            cutoff = int((now - after_time) * 1_000_000)
            if not dry_run:
                report.restored_dropped += await self.store.drop_restored(route, cutoff)
            position = (0, "")
            while True:
                rows = await self.store.older_than(route, cutoff, position, self.archive_batch)
                if not rows:
                    break
                position = (rows[-1].ts_us, rows[-1].id)
                report.archived_rows += len(rows)
                report.archives_written += 1
                if dry_run:
                    continue
                await self._still_ours()
                if self.keys is None or self.target is None:
                    raise RuntimeError("archiving needs keys and an archive directory")
                written = await write_archive(rows, self.keys, self.target, now)
                await self.store.record_archive(written.id, written.location, written.sha256, rows,
                                                int(now * 1_000_000))
        return report

    # 2. purge, 3. shred --------------------------------------------------------------------

    async def purge(self, report: RunReport | None = None, *, dry_run: bool = False) -> RunReport:
        report = report or RunReport(dry_run=dry_run)
        now = self.clock()
        held = await self.store.held(self.hold.conversations, self.hold.subjects)
        for route in await self._routes():
            retention = self.policy(route).retention
            if not retention:
                continue
            cutoff, position = int((now - retention) * 1_000_000), (0, "")
            while True:
                rows = await self.store.older_than(route, cutoff, position, self.batch, archived=None)
                if not rows:
                    break
                position = (rows[-1].ts_us, rows[-1].id)
                doomed = [r.id for r in rows if r.conversation not in held]
                report.held_rows += len(rows) - len(doomed)
                report.deleted_rows += len(doomed)
                if doomed and not dry_run:
                    await self._still_ours()
                    await self.store.delete(doomed)
        await self._purge_archives(now, held, report, dry_run)
        await self._shred(now, held, report, dry_run)
        return report

    async def _purge_archives(self, now: float, held: frozenset[str], report: RunReport, dry_run: bool) -> None:
        for archive_id, _location, members in await self.store.archives():
            def expired(route: str, last_us: int) -> bool:
                retention = self.policy(route).retention
                return bool(retention) and last_us < int((now - retention) * 1_000_000)
            if not members or any(c in held or not expired(r, last) for c, r, last in members):
                continue
            report.deleted_archives += 1
            if dry_run:
                continue
            if self.target is not None:
                await self.target.delete(archive_id + DATA_SUFFIX)
                await self.target.delete(archive_id + MANIFEST_SUFFIX)
            if self.keys is not None:
                await self.keys.erase(MAC_SCOPE + archive_id)
            await self.store.forget_archive(archive_id)

    async def _shred(self, now: float, held: frozenset[str], report: RunReport, dry_run: bool) -> None:
        before, after = int((now - self.shred_grace) * 1_000_000), ""
        while True:
            found = await self.store.emptied(before, after, self.batch)
            if not found:
                return
            after = found[-1]
            for conversation in found:
                if conversation in held:
                    continue
                report.shredded_conversations += 1
                if not dry_run:
                    await self.store.erase(conversation)

    async def run_once(self, *, dry_run: bool = False) -> RunReport:
        report = RunReport(dry_run=dry_run)
        await self.archive(report, dry_run=dry_run)
        await self.purge(report, dry_run=dry_run)
        return report


async def run_scheduled(worker: RetentionWorker, lease: Lease, interval: float) -> None:
    """Forever: every `interval`, if this instance gets the lease, run once and audit the counts."""
    worker.lease = lease
    while True:
        try:
            if await lease.acquire():
                try:
                    report = await worker.run_once()
                finally:
                    with contextlib.suppress(DatabaseError):
                        await lease.release()
                audit.info("transcripts retention", extra={"event": "transcripts.retention",
                                                           "holder": lease.holder, **report.as_dict()})
        except (DatabaseError, OSError, RuntimeError) as exc:
            log.error("transcript retention run failed: %s", exc)
        await asyncio.sleep(interval)
