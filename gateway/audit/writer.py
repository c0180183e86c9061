"""The audit writer: the request path hands over an event and returns at once.

`submit()` only cleans the fields and appends to a bounded in-memory queue; a
background task drains the queue into the hash chain on one dedicated thread (file
writes and fsync never run on the event loop) and, if configured, a second task
copies the written lines to PostgreSQL, so a slow database never delays the file.

When the queue is full or the file cannot be written, `on_failure` decides:
`refuse` turns `healthy` False so the gateway can refuse traffic it cannot audit;
`continue` keeps `healthy` True and logs an alert. Either way lost events are
counted and the count goes into the chain (`audit.dropped`) once writing works again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol, TypeVar

from gateway.audit.chain import AuditChain, utc_now
from gateway.audit.config import AuditSettings
from gateway.audit.entry import Event, clean_fields, iso

alert = logging.getLogger("chatguard.alert")   # not under chatguard.audit: alerts must not loop back in

T = TypeVar("T")
TICK = 1.0
BACKOFF_START, BACKOFF_MAX = 0.05, 5.0
COPY_BATCH = 500


class EntryCopy(Protocol):
    """Somewhere written lines are copied to (PostgreSQL in production)."""

    async def copy(self, lines: Sequence[bytes]) -> None: ...

    async def aclose(self) -> None: ...


class AuditWriter:
    """Owns the chain, the queue and the background tasks; `healthy` is what readiness asks."""

    def __init__(self, settings: AuditSettings, *, chain: AuditChain | None = None,
                 copy: EntryCopy | None = None, clock: Callable[[], datetime] = utc_now,
                 depth: Callable[[int], None] | None = None, failed: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self._depth = depth or (lambda queued: None)  # told the queue length as it changes (a metric)
        self._count_failure = failed or (lambda kind: None)  # told of each failure: write, dropped (a metric)
        self._chain = chain if chain is not None else AuditChain(settings, clock=clock)
        if copy is None and settings.postgres is not None:
            # local import: the database driver is only needed when a copy is configured
            from gateway.audit.postgres import PostgresCopy

            copy = PostgresCopy(settings.postgres)
        self._copy = copy
        self._clock = clock
        self._queue: deque[Event] = deque()
        self._retry: list[Event] = []
        self._copy_pending: deque[bytes] = deque()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatguard-audit")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stop = asyncio.Event()
        self._copy_wake = asyncio.Event()
        self._copy_idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._copy_task: asyncio.Task[None] | None = None
        self._accepting = False
        self._closed = False
        self._overflow = False
        self._dropped = 0
        self.dropped_total = 0
        self.error: str | None = None
        self.copy_error: str | None = None

    # the request path ----------------------------------------------------------------------

    def submit(self, event: str, fields: Mapping[str, Any] | None = None, *, ts: str | None = None) -> bool:
        """Queue an event; never blocks, never raises. False when the event had to be dropped."""
        try:
            if not self._accepting or len(self._queue) >= self.settings.queue_size:
                self._drop()
                return False
            self._queue.append(Event(ts or iso(self._clock()), str(event), clean_fields(fields or {})))
            self._depth(len(self._queue))
            self._notify(self._wake)
            return True
        except Exception:   # an event that cannot even be cleaned must not break the request
            alert.exception("audit event %r could not be queued", event)
            self._drop()
            return False

    @property
    def healthy(self) -> bool:
        """May traffic flow? Always True with `on_failure: continue`."""
        if self.settings.on_failure == "continue":
            return True
        return (self._accepting and self._task is not None and not self._task.done()
                and self.error is None and self.copy_error is None and not self._overflow
                and self._chain.anchor_error is None)

    def status(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "queued": len(self._queue) + len(self._retry),
                "dropped": self.dropped_total, "error": self.error, "copy_error": self.copy_error,
                "anchor_error": self._chain.anchor_error,
                "copy_pending": len(self._copy_pending), "seq": self._chain.seq}

    def _drop(self) -> None:
        self._count_failure("dropped")
        self._dropped += 1
        self.dropped_total += 1
        if not self._overflow:
            self._overflow = True
            action = "traffic is refused" if self.settings.on_failure == "refuse" else "continuing without them"
            self._notify_alert(f"audit queue full or writer stopped: dropping events, {action}")

    def _notify_alert(self, message: str) -> None:
        if self._loop is None or threading.get_ident() == self._loop_thread:
            alert.error(message, extra={"fields": {"event": "audit.alert"}})
        else:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(alert.error, message)

    def _notify(self, event: asyncio.Event) -> None:
        if self._loop is None or threading.get_ident() == self._loop_thread:
            event.set()
        else:   # a log call from another thread: asyncio objects belong to the loop's thread
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(event.set)

    # lifecycle -----------------------------------------------------------------------------

    async def _in_thread(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def start(self) -> None:
        """Open (or continue) the chain; raises if it cannot be written, so startup fails closed."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        try:
            await self._in_thread(self._chain.open)
        except BaseException:
            self._executor.shutdown(wait=False)
            raise
        self._accepting = True
        self.submit("audit.start", {"pid": os.getpid(), **self._chain.resume_note})
        if "anchor_mismatch" in self._chain.resume_note:
            alert.error("audit trail: %s", self._chain.resume_note["anchor_mismatch"],
                        extra={"fields": {"event": "audit.alert"}})
        self._task = asyncio.create_task(self._run(), name="chatguard-audit-writer")
        self._task.add_done_callback(self._task_ended)
        if self._copy is not None:
            self._copy_task = asyncio.create_task(self._run_copy(), name="chatguard-audit-copy")

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.error = f"writer stopped: {task.exception()!r}"
            alert.error("audit writer stopped unexpectedly: %r", task.exception())

    async def flush(self, within: float = 10.0) -> bool:
        """Wait until everything queued is in the file (and copied). False if that takes longer than `within`."""
        if self._task is None or self._task.done():
            return not self._queue and not self._retry
        try:
            async with asyncio.timeout(within):
                self._idle.clear()
                self._wake.set()
                await self._idle.wait()
                if self._copy_task is not None:
                    self._copy_idle.clear()
                    self._copy_wake.set()
                    await self._copy_idle.wait()
        except TimeoutError:
            return False
        return True

    async def aclose(self, within: float = 10.0) -> None:
        """Write what is queued, sign the end of the chain, close the file and the copy."""
        if self._closed:
            return
        self._closed = True
        self._accepting = False
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._finish(self._task, within)
        lost = len(self._queue) + len(self._retry)
        if lost:
            alert.error("audit writer closed with %d events not written", lost)
        try:
            await self._in_thread(self._chain.close)
        except OSError as exc:
            alert.error("audit chain could not be closed cleanly: %s", exc)
        self._copy_pending.extend(self._chain.take_written())
        self._copy_wake.set()
        if self._copy_task is not None:
            await self._finish(self._copy_task, within)
            if self._copy_pending:
                alert.error("audit copy closed with %d entries not copied", len(self._copy_pending))
        if self._copy is not None:
            with contextlib.suppress(Exception):
                await self._copy.aclose()
        self._executor.shutdown(wait=False)

    @staticmethod
    async def _finish(task: asyncio.Task[None], within: float) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(task), within)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # the chain task ------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = BACKOFF_START
        while True:
            if not self._queue and not self._retry:
                self._idle.set()
                if self._stop.is_set():
                    return
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(TICK, self.settings.checkpoint_interval)):
                        await self._wake.wait()
            self._wake.clear()
            batch = self._retry or self._take()
            try:
                while batch:
                    batch = batch[await self._in_thread(self._chain.append, batch):]
            except Exception as exc:
                self._retry = batch
                if not await self._pause_after(exc, backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            self._retry = []
            try:
                await self._in_thread(self._chain.tick)
            except Exception as exc:
                if not await self._pause_after(exc, backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_START
            self._written()

    async def _pause_after(self, exc: Exception, backoff: float) -> bool:
        """Record a sink failure and wait before retrying; False when the writer is stopping."""
        self._failed(exc)
        if self._stop.is_set():
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(backoff):
                await self._stop.wait()
        return not self._stop.is_set()

    def _take(self) -> list[Event]:
        batch: list[Event] = []
        if self._dropped:
            count, self._dropped = self._dropped, 0
            batch.append(Event(iso(self._clock()), "audit.dropped", {"count": count}))
        while self._queue and len(batch) < self.settings.batch:
            batch.append(self._queue.popleft())
        self._depth(len(self._queue))
        return batch

    def _failed(self, exc: Exception) -> None:
        self._count_failure("write")
        if self.error is None:
            action = "traffic is refused" if self.settings.on_failure == "refuse" else "continuing"
            alert.error("audit sink failed (%s): %s", exc, action)
        self.error = f"{type(exc).__name__}: {exc}"

    def _written(self) -> None:
        if self.error is not None:
            alert.warning("audit sink recovered")
            self.error = None
        if self._overflow and len(self._queue) < self.settings.queue_size // 2 and not self._dropped:
            self._overflow = False
        lines = self._chain.take_written()
        if lines and self._copy is not None:
            self._copy_pending.extend(lines)
            limit = self.settings.postgres.pending if self.settings.postgres else 100_000
            while len(self._copy_pending) > limit:
                self._copy_pending.popleft()
                self.copy_error = self.copy_error or "copy backlog overflow"
            self._copy_wake.set()

    # the copy task -------------------------------------------------------------------------

    async def _run_copy(self) -> None:
        assert self._copy is not None
        backoff = BACKOFF_START
        while True:
            if not self._copy_pending:
                self._copy_idle.set()
                if self._stop.is_set() and (self._task is None or self._task.done()):
                    return
                await self._copy_wake.wait()
                self._copy_wake.clear()
                continue
            lines = [self._copy_pending[i] for i in range(min(COPY_BATCH, len(self._copy_pending)))]
            try:
                await self._copy.copy(lines)
            except Exception as exc:
                if self.copy_error is None:
                    alert.error("audit copy failed (%s); the file is still written", exc)
                self.copy_error = f"{type(exc).__name__}: {exc}"
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(backoff):
                        await self._stop.wait()
                if self._stop.is_set() and self._task is not None and self._task.done():
                    return
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            for _ in lines:
                self._copy_pending.popleft()
            if self.copy_error is not None:
                alert.warning("audit copy recovered")
                self.copy_error = None
            backoff = BACKOFF_START
