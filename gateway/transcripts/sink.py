"""The transcript sink: the request path offers records and returns at once.

`offer()` appends to a bounded in-memory queue or says no; it never waits. One background task
writes batches to the store; a batch not yet full waits `linger` (50 ms) for more records, so a
quiet gateway does not pay a transaction per message. When the store is slow or down the queue fills, and from then on
the route's `on_backlog` decides: `drop` forwards the message without its transcript (counted,
alerted once per episode), `refuse` makes the caller refuse the message (503). Records of one
payload go in together or not at all, so a transcript never holds half a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from gateway.database import DatabaseError
from gateway.keyring import KeyUnavailable
from gateway.transcripts.metrics import TranscriptMetrics
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.store import TranscriptStore

alert = logging.getLogger("chatguard.alert")
audit = logging.getLogger("chatguard.audit")
BACKOFF_START, BACKOFF_MAX = 0.1, 5.0
LINGER = 0.05   # seconds a part-filled batch waits for more records: one transaction per many, not per one
STORE_ERRORS = (DatabaseError, KeyUnavailable, OSError)


class TranscriptSink:
    def __init__(self, store: TranscriptStore, *, queue: int = 10_000, batch: int = 200,
                 metrics: TranscriptMetrics | None = None,
                 notify: Callable[[dict[str, Any]], object] | None = None, linger: float = LINGER) -> None:
        self.store = store
        self.limit = queue
        self.batch = batch
        self.linger = linger
        self.metrics = metrics or TranscriptMetrics()
        self._notify = notify
        self._queue: deque[TranscriptRecord] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._accepting = False
        self._backlogged = False
        self.error: str | None = None

    # the request path ----------------------------------------------------------------------

    def offer(self, records: Sequence[TranscriptRecord], route: str, on_backlog: str) -> bool:
        """Queue all of `records`, or none: False means the caller applies `on_backlog`."""
        if not records:
            return True
        if self._accepting and len(self._queue) + len(records) <= self.limit:
            self._queue.extend(records)
            self.metrics.depth.set(len(self._queue))
            self._wake.set()
            return True
        if on_backlog == "refuse":
            self.metrics.refused.labels(route).inc(len(records))
        else:
            self.metrics.dropped.labels(route).inc(len(records))
        self._backlog(route, on_backlog)
        return False

    def _backlog(self, route: str, on_backlog: str) -> None:
        if self._backlogged:
            return
        self._backlogged = True
        what = "messages are refused (503)" if on_backlog == "refuse" else "transcripts are dropped"
        cause = f"the store is failing ({self.error})" if self.error else "the store cannot keep up"
        message = f"transcript queue full on route {route}: {what}; {cause}"
        alert.error(message, extra={"fields": {"event": "transcripts.backlog", "route": route}})
        audit.warning(message, extra={"event": "transcripts.backlog", "route": route, "on_backlog": on_backlog,
                                      "queued": len(self._queue)})
        if self._notify is not None:
            with contextlib.suppress(Exception):   # an alert must never break the request
                self._notify({"event": "transcripts.backlog", "route": route, "on_backlog": on_backlog,
                              "detail": message})

    @property
    def depth(self) -> int:
        return len(self._queue)

    def status(self) -> dict[str, Any]:
        return {"queued": len(self._queue), "limit": self.limit, "error": self.error,
                "backlogged": self._backlogged}

    # lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._accepting = True
        self._task = asyncio.create_task(self._run(), name="chatguard-transcript-sink")

    async def flush(self, within: float = 10.0) -> bool:
        """Wait until everything queued now is written; False if that takes longer than `within`."""
        if self._task is None or self._task.done():
            return not self._queue
        try:
            async with asyncio.timeout(within):
                while self._queue:
                    self._idle.clear()
                    self._wake.set()
                    await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def aclose(self, within: float = 10.0) -> None:
        """Stop taking records, write what is queued (for at most `within`), stop the task."""
        self._accepting = False
        await self.flush(within)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._queue:
            alert.error("transcript sink closed with %d records not written", len(self._queue))
            for record in self._queue:
                self.metrics.dropped.labels(record.route).inc()
            self._queue.clear()
            self.metrics.depth.set(0)

    async def _run(self) -> None:
        backoff = BACKOFF_START
        lingered = False
        while True:
            if not self._queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            if not lingered and self.linger and self._accepting and len(self._queue) < self.batch:
                lingered = True
                await asyncio.sleep(self.linger)  # flush() and aclose() wait this out too
                continue
            lingered = False
            batch = [self._queue[i] for i in range(min(self.batch, len(self._queue)))]
            try:
                await self.store.write(batch)
            except STORE_ERRORS as exc:
                self.metrics.failures.inc()
                if self.error is None:
                    alert.error("transcript store failing: %s", exc)
                self.error = f"{type(exc).__name__}: {exc}"[:300]
                self._idle.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            for _ in batch:
                self._queue.popleft()
            self.metrics.written.inc(len(batch))
            self.metrics.depth.set(len(self._queue))
            backoff = BACKOFF_START
            if self.error is not None:
                alert.warning("transcript store recovered")
                self.error = None
            if self._backlogged and len(self._queue) < self.limit // 2:
                self._backlogged = False
