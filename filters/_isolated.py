"""A filter run in worker processes of its own, under a hard deadline (`isolate: process`).

The CPU budget (`filters._budget`) tells that a filter computed too long only once it returns:
Python code cannot be interrupted inside the process, so a filter that may legitimately be slow
(a model, a large dictionary) holds the worker's event loop, and every client of that worker,
while it computes. An isolated filter is built in `processes` worker processes instead, started
with `spawn` (a fresh interpreter: none of the gateway's sockets, threads or event loop), and each
message goes to an idle one while the event loop only waits. A call still running when the chain's
time limit for the filter is up is abandoned: its process is killed and a new one started, so the
limit is a hard deadline, and the chain counts the call as a failure (block, unless the route says
`fail: open`). While every process is busy or being replaced, messages wait for one; that wait is
part of the same deadline.

What isolation gives up: the shared state store and vault (the processes have neither), and
`stream()` (a stream's chunks are inspected one by one). Options must be plain YAML values.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
from collections.abc import Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from filters._api import AnyFilter, Direction, Filter, Message, Verdict

__all__ = ["FilterRaised", "IsolatedFilter", "IsolationFailed"]

log = logging.getLogger("chatguard.filters")

_SPAWN = multiprocessing.get_context("spawn")
START_WITHIN = 120.0  # seconds a new process may take to import and build its filter


class IsolationFailed(Exception):
    """A worker process could not build the filter or ended."""


class FilterRaised(IsolationFailed):
    """The filter raised in its worker process (named by type only: the text may quote the message);
    the process itself is fine."""


def plain(value: Any) -> Any:
    """Options as plain dicts and lists, so they cross to the worker process."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _serve(conn: Connection, name: str, use: str, options: dict[str, Any], path: str) -> None:
    """The worker process: build the filter once, then answer one message at a time."""
    from filters._registry import build

    try:
        flt = build(name, use, options, path)
    except Exception as exc:
        conn.send(("failed", type(exc).__name__))
        return
    conn.send(("ready", None))
    loop = asyncio.new_event_loop()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        try:
            conn.send(("ok", loop.run_until_complete(flt.inspect(message))))
        except Exception as exc:
            conn.send(("failed", type(exc).__name__))
    loop.close()


async def _receive(conn: Connection) -> tuple[str, Any]:
    """The worker's next answer, waited for on the event loop (never a blocking read)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[tuple[str, Any]] = loop.create_future()
    fd = conn.fileno()

    def readable() -> None:
        loop.remove_reader(fd)
        if answer.done():
            return
        try:
            answer.set_result(conn.recv())
        except (EOFError, OSError):
            answer.set_exception(IsolationFailed("worker process ended"))

    loop.add_reader(fd, readable)
    try:
        return await answer
    finally:
        loop.remove_reader(fd)


class _Worker:
    """One process and its end of the pipe."""

    __slots__ = ("conn", "process")

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    @classmethod
    async def start(cls, spec: tuple[str, str, dict[str, Any], str]) -> _Worker:
        ours, theirs = _SPAWN.Pipe()
        process = _SPAWN.Process(target=_serve, args=(theirs, *spec), daemon=True,
                                 name=f"chatguard-filter-{spec[0]}")
        await asyncio.to_thread(process.start)
        theirs.close()
        worker = cls(process, ours)
        try:
            kind, detail = await asyncio.wait_for(_receive(ours), START_WITHIN)
        except BaseException:
            await worker.stop()
            raise
        if kind != "ready":
            await worker.stop()
            raise IsolationFailed(f"building the filter failed: {detail}")
        return worker

    async def call(self, message: Message) -> Verdict:
        self.conn.send(message)
        kind, value = await _receive(self.conn)
        if kind != "ok":
            raise FilterRaised(str(value))
        verdict: Verdict = value
        return verdict

    async def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        await asyncio.to_thread(self.process.join, 10)


class IsolatedFilter(Filter):
    """`inner`, run in `processes` worker processes; built in this process too, to check its options
    at startup and answer `handles()` without asking a worker."""

    def __init__(self, inner: AnyFilter, name: str, use: str, options: Mapping[str, Any], path: str,
                 processes: int = 1) -> None:
        super().__init__(inner.options, inner.context)
        self.inner = inner
        self.processes = processes
        self._spec = (name, use, plain(options), path)
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def handles(self, direction: Direction) -> bool:
        return self.inner.handles(direction)

    async def start(self) -> None:
        """Start the worker processes (the gateway does this before it serves)."""
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(_Worker.start(self._spec) for _ in range(self.processes)))
        for worker in workers:
            self._all.add(worker)
            self._idle.put_nowait(worker)

    async def inspect(self, message: Message) -> Verdict:
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        worker = await self._idle.get()
        portable = dataclasses.replace(message, metadata=dict(message.metadata))
        try:
            verdict = await worker.call(portable)
        except FilterRaised:
            self._idle.put_nowait(worker)
            raise
        except BaseException:  # the deadline (cancelled) or a broken pipe: the process is abandoned
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return verdict

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` and start another in the background; it joins the idle ones when ready."""
        self._all.discard(worker)
        task = asyncio.get_running_loop().create_task(self._restart(worker), name="chatguard-filter-restart")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, worker: _Worker) -> None:
        await worker.stop()
        log.warning("isolated filter %s: worker process replaced", self._spec[0])
        if self._closed:
            return
        try:
            fresh = await _Worker.start(self._spec)
        except Exception:
            log.error("isolated filter %s: a new worker process failed to start", self._spec[0])
            return
        if self._closed:
            await fresh.stop()
            return
        self._all.add(fresh)
        assert self._idle is not None
        self._idle.put_nowait(fresh)

    async def aclose(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        workers, self._all = list(self._all), set()
        for worker in workers:
            await worker.stop()
        await self.inner.aclose()
