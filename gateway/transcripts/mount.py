"""Transcripts inside the gateway: databases opened at start, the sink, the scheduled retention worker.

One cleanup context owns them all, in order: databases connect and migrate (a failure stops
startup: transcripts that were asked for and cannot be kept must not be silently skipped), the
sink starts taking records, the retention worker runs every `worker.interval` under the lease in
the database (one instance at a time). At shutdown the worker stops, the sink writes what is
queued (bounded), and each database closes once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.database import Lease
from gateway.transcripts.access import TranscriptAccess
from gateway.transcripts.assemble import DataAtRest, assemble
from gateway.transcripts.metrics import TranscriptMetrics
from gateway.transcripts.retention import LEASE_NAME, holder_id, run_scheduled
from gateway.transcripts.sink import TranscriptSink

__all__ = ["Transcripts", "build"]


@dataclass
class Transcripts:
    """What the gateway holds while transcripts are on: the parts, the sink, the readers."""

    parts: DataAtRest
    sink: TranscriptSink
    access: TranscriptAccess
    _worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.parts.open()
        await self.sink.start()
        worker = self.parts.settings.worker
        if worker.enabled:
            assert self.parts.store is not None
            lease = Lease(self.parts.store.db, LEASE_NAME, holder_id(), float(worker.lease))
            await lease.setup()
            self._worker = asyncio.create_task(run_scheduled(self.parts.worker(), lease, float(worker.interval)),
                                               name="chatguard-transcript-retention")

    async def aclose(self) -> None:
        task, self._worker = self._worker, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.sink.aclose()
        await self.parts.aclose()

    def context(self) -> Callable[[web.Application], AsyncIterator[None]]:
        async def transcripts_ctx(_: web.Application) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.aclose()
        return transcripts_ctx


def build(settings: Any, registry: CollectorRegistry,
          notify: Callable[[dict[str, Any]], object] | None = None) -> Transcripts | None:
    """From validated settings; None when `transcripts.database` is not set (nothing is recorded)."""
    transcripts = settings.transcripts
    if not transcripts.enabled:
        return None
    parts = assemble(settings)
    assert parts.store is not None
    sink = TranscriptSink(parts.store, queue=transcripts.queue, batch=transcripts.batch,
                          metrics=TranscriptMetrics(registry), notify=notify)
    return Transcripts(parts, sink, parts.access())
