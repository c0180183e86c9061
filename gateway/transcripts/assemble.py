"""Build the data-at-rest pieces once from settings: databases, key service, store, worker, readers.

The gateway (app wiring) and `chatguard transcripts ...` use the same assembly, so a command
run by hand sees exactly what the gateway sees. The key store shares the transcript database
unless `keys.store` names another; a database opened twice under one URL is opened once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.database import Database, open_database
from gateway.keyring import KeyService, build_key_service
from gateway.transcripts.access import TranscriptAccess
from gateway.transcripts.archive import ArchiveTarget, DirectoryTarget
from gateway.transcripts.config import Policy, TranscriptSettings, policies
from gateway.transcripts.retention import RetentionWorker
from gateway.transcripts.store import TranscriptStore


@dataclass
class DataAtRest:
    """What is open while the gateway (or a command) runs; `aclose()` closes every database once."""

    keys: KeyService | None = None
    store: TranscriptStore | None = None
    target: ArchiveTarget | None = None
    default: Policy = field(default_factory=Policy)
    by_route: dict[str, Policy] = field(default_factory=dict)
    settings: TranscriptSettings = field(default_factory=TranscriptSettings)
    databases: list[Database] = field(default_factory=list)

    async def open(self) -> None:
        """Connect and migrate; raises DatabaseError / MigrationError so startup fails closed."""
        for db in self.databases:
            await db.open()
        if self.keys is not None:
            await self.keys.setup()
        if self.store is not None:
            await self.store.setup()

    async def aclose(self) -> None:
        for db in self.databases:
            await db.aclose()

    def worker(self) -> RetentionWorker:
        if self.store is None:
            raise RuntimeError("transcripts are not configured (transcripts.database)")
        return RetentionWorker(self.store, self.keys, self.target, self.default, self.by_route,
                               batch=self.settings.worker.batch, archive_batch=self.settings.archive.batch)

    def access(self) -> TranscriptAccess:
        if self.store is None:
            raise RuntimeError("transcripts are not configured (transcripts.database)")
        hold = self.default.legal_hold
        for policy in self.by_route.values():
            hold = hold.joined(policy.legal_hold)
        return TranscriptAccess(self.store, self.keys, hold, self.target)


def assemble(settings: Any) -> DataAtRest:
    """From validated `Settings`; nothing is contacted until `open()`."""
    transcripts: TranscriptSettings = settings.transcripts
    opened: dict[str, Database] = {}

    def database(url: str) -> Database:
        if url not in opened:
            opened[url] = open_database(url)
        return opened[url]

    parts = DataAtRest(settings=transcripts)
    keys_url = settings.keys.store or transcripts.database
    if settings.keys.enabled and keys_url:
        parts.keys = build_key_service(settings.keys, database(keys_url))
    if transcripts.enabled:
        parts.store = TranscriptStore(database(transcripts.database), parts.keys, max_text=transcripts.max_text)
        parts.default, parts.by_route = policies(settings)
        if transcripts.archive.dir:
            parts.target = DirectoryTarget(transcripts.archive.dir)
    parts.databases = list(opened.values())
    return parts
