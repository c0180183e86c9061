"""Filters run in worker processes of their own, under a hard deadline.

Python code cannot be interrupted inside its process, and a thread shares the interpreter lock:
a filter computing on the gateway's event loop (or on a thread beside it) holds up every client of
that gateway worker while it computes. A `WorkerPool` builds filters in `processes` worker
processes instead, started with `spawn` (a fresh interpreter: none of the gateway's sockets,
threads or event loop), and each message goes to an idle one while the event loop only waits.
Two users, one mechanism:

- `isolate: process` (`IsolatedFilter`): every message of one filter that may legitimately be
  slow (a model, a large dictionary). The chain's time limit for it becomes a hard deadline.
- offloading (`filters._offload`): the long texts of filters that only compute (masking,
  threat), so that the event loop never runs their heavy work.

A call still running at its deadline is abandoned: its process is killed and a new one started
(in the background, with back-off while starts fail), and the caller fails closed. A worker that
died is replaced the same way. While every process is busy, messages wait for one, at most
`queue` of them (more fail at once: `PoolBusy`); the wait is part of the caller's deadline.

What crosses to a worker: the message (text, principal, metadata as plain values) and, back, the
verdict with its findings packed into arrays (`filters._packing`), so that a verdict of tens of
thousands of findings costs the event loop a memory copy and a few slices of object building, not a
pickle walk.
Everything is written and read without blocking the event loop. What isolation gives up: the
shared state store and vault (the processes have neither), and `stream()` (a stream's chunks are
inspected one by one). Options must be plain YAML values.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from filters._api import AnyFilter, Direction, Filter, Message, Refreshed, Verdict
from filters._budget import OverBudget, drive
from filters._contract import verdict_problem
from filters._packing import pack, unpack

__all__ = ["BadVerdict", "FilterRaised", "IsolatedFilter", "IsolationFailed", "PoolBusy", "PoolWatch", "WorkerPool"]

log = logging.getLogger("chatguard.filters")

_SPAWN = multiprocessing.get_context("spawn")
START_WITHIN = 120.0  # seconds a new process may take to import and build its filters
RESTART_PAUSE = (1.0, 30.0)  # seconds between failed starts of a replacement: first, longest

type Spec = tuple[str, Mapping[str, Any], str]  # a filter's `use`, its options, its config path


class IsolationFailed(Exception):
    """A worker process could not build its filters or ended."""


class FilterRaised(IsolationFailed):
    """The filter raised in its worker process (named by type only: the text may quote the message);
    the process itself is fine."""


class BadVerdict(IsolationFailed):
    """The filter answered something that breaks the verdict contract (the rule only, never content)."""


class PoolBusy(IsolationFailed):
    """Every worker process is busy and `queue` messages already wait: this one fails at once."""


class PoolWatch:
    """What a pool tells of its work as it happens (the gateway counts it: `chatguard_offload_*`); every
    method does nothing here. Called on the event loop, once per call or event: never per finding."""

    def waiting(self, count: int) -> None:
        """`count` calls wait for a busy process now."""

    def working(self, count: int) -> None:
        """`count` calls are in worker processes now."""

    def refused(self) -> None:
        """A call failed at once: `queue` calls already waited."""

    def abandoned(self) -> None:
        """A call was given up (its deadline) while a process computed it: the process is killed."""

    def replaced(self, reason: str) -> None:
        """A process is replaced: `killed` (an abandoned call) or `ended` (it died)."""

    def answered(self, seconds: float) -> None:
        """A call was answered `seconds` after it was made (waiting for a process included)."""


NO_WATCH = PoolWatch()


def plain(value: Any) -> Any:
    """Options as plain dicts and lists, so they cross to the worker process."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def portable(message: Message) -> Message:
    """`message` with its metadata as a plain dict (a read-only mapping does not pickle)."""
    return dataclasses.replace(message, metadata=dict(message.metadata))


def _serve(conn: Connection, specs: dict[str, Spec], nice: int = 0) -> None:
    """The worker process: build the filters once, then answer one request at a time.

    `("one", name, message, limit)`: filter `name`'s verdict. With a `limit` the filter must only
    compute: it runs under that CPU budget (`filters._budget`) and its verdict is checked here, off the
    gateway's loop; without one it runs on this process's own event loop and may await. Answers:
    `("ok", packed, "", cpu)`, `("bad", None, problem, cpu)`, `("over", cpu)` or `("raised", exception
    type)`. `("chain", ...)`: a payload's fields through chain steps (`filters._batch.serve`), answered
    `("chain", results, log lines)` after any number of `("tick",)`."""
    from filters._batch import serve  # the registry and the chain reach the filters, which import the facade
    from filters._refresh import Refresher
    from filters._registry import build

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the gateway ends us
    if nice:
        os.nice(nice)
    try:
        built = {name: build(name, use, options, path) for name, (use, options, path) in specs.items()}
    except Exception as exc:
        conn.send_bytes(pickle.dumps(("failed", type(exc).__name__)))
        return
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    loop = asyncio.new_event_loop()
    tick = pickle.dumps(TICK, protocol=pickle.HIGHEST_PROTOCOL)
    refresher = Refresher(built.values())  # files the filters read (feeds), re-read while no call waits
    while True:
        try:
            wait = refresher.wait()
            while wait is not None and (wait == 0 or not conn.poll(wait)):  # busy or idle, each in its turn
                refresher.run()
                wait = refresher.wait()
            request = pickle.loads(conn.recv_bytes())  # noqa: S301  # from the gateway, its own pipe
        except (EOFError, OSError):
            break
        answer: tuple[Any, ...]
        if request[0] == "chain":
            try:
                _, steps, template, fields, tick_every = request
                answer = serve(built, loop, steps, template, fields, tick_every, lambda: conn.send_bytes(tick))
            except Exception as exc:
                answer = ("raised", type(exc).__name__)
        else:
            answer = _one(built[request[1]], loop, request[2], request[3])
        conn.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    loop.close()


TICK = ("tick",)  # a worker still at work on a chain request: the gateway's deadline starts again


def _one(flt: AnyFilter, loop: asyncio.AbstractEventLoop, message: Message, limit: float | None) -> tuple[Any, ...]:
    """One filter's answer to one message (see `_serve`)."""
    try:
        if limit is None:
            started = time.thread_time()
            verdict = loop.run_until_complete(flt.inspect(message))
            cpu = time.thread_time() - started
        else:
            verdict, cpu = drive(flt.inspect(message), limit)
        problem = verdict_problem(verdict, message.text)
        return ("bad", None, problem, cpu) if problem else ("ok", pack(verdict), "", cpu)
    except OverBudget as over:
        return ("over", over.cpu)
    except Exception as exc:
        return ("raised", type(exc).__name__)


_JOINED = 1 << 16  # bytes of a message up to which its header is written with it (a copy is cheaper than a write)


class _Channel:
    """The gateway's end of a worker's pipe: whole messages (multiprocessing's framing: a 4-byte length,
    or -1 and an 8-byte one) written and read on the event loop without ever blocking it."""

    __slots__ = ("sock",)

    def __init__(self, conn: Connection) -> None:
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        conn.close()
        self.sock.setblocking(False)

    async def send(self, payload: bytes) -> None:
        size = len(payload)
        header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)
        loop = asyncio.get_running_loop()
        if size <= _JOINED:  # one write: the worker wakes once for the message, not for its header first
            await loop.sock_sendall(self.sock, header + payload)
            return
        await loop.sock_sendall(self.sock, header)
        await loop.sock_sendall(self.sock, payload)

    async def receive(self) -> Any:
        (size,) = struct.unpack("!i", await self._exactly(4))
        if size == -1:
            (size,) = struct.unpack("!Q", await self._exactly(8))
        return pickle.loads(await self._exactly(size))  # noqa: S301  # our own worker, over a private pipe

    async def _exactly(self, size: int) -> bytearray:
        loop = asyncio.get_running_loop()
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            count = await loop.sock_recv_into(self.sock, view[got:])
            if count == 0:
                raise IsolationFailed("worker process ended")
            got += count
        return buffer

    def close(self) -> None:
        self.sock.close()


class _Worker:
    """One process and the gateway's end of its pipe."""

    __slots__ = ("channel", "process")

    def __init__(self, process: BaseProcess, channel: _Channel) -> None:
        self.process = process
        self.channel = channel

    @classmethod
    async def start(cls, specs: dict[str, Spec], label: str, nice: int = 0) -> _Worker:
        ours, theirs = _SPAWN.Pipe()
        process = _SPAWN.Process(target=_serve, args=(theirs, specs, nice), daemon=True, name=label)
        await asyncio.to_thread(process.start)
        theirs.close()
        worker = cls(process, _Channel(ours))
        try:
            kind, detail = await asyncio.wait_for(worker.channel.receive(), START_WITHIN)
        except BaseException:
            await worker.stop()
            raise
        if kind != "ready":
            await worker.stop()
            raise IsolationFailed(f"building the filters failed: {detail}")
        return worker

    async def stop(self) -> None:
        self.channel.close()
        if self.process.is_alive():
            self.process.kill()
        await asyncio.to_thread(self.process.join, 10)


class WorkerPool:
    """`processes` worker processes, each with every filter of `specs` built; see the module text.

    `queue`: how many calls may wait for a busy pool (None: no bound; the callers' deadlines bound them).
    `watch` is told of the pool's work as it happens. `nice` is added to the processes' niceness, so
    that where they compete for a core with the gateway's event loops, the loops win.
    """

    def __init__(self, specs: Mapping[str, Spec], processes: int, queue: int | None, label: str,
                 watch: PoolWatch = NO_WATCH, *, nice: int = 0) -> None:
        self.specs: dict[str, Spec] = {name: (use, plain(options), path) for name, (use, options, path) in specs.items()}
        self.processes = processes
        self.queue = queue
        self.label = label
        self.ready = False  # every first process has started
        self._starting: asyncio.Task[None] | None = None
        self._idle: list[_Worker] = []
        self._waiting: deque[asyncio.Future[_Worker]] = deque()
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.watch = watch
        self.nice = nice
        self._working = 0  # calls holding a process

    @property
    def idle(self) -> int:
        """Processes ready for a message now."""
        return len(self._idle)

    def pids(self) -> list[int]:
        return [worker.process.pid or 0 for worker in self._all]

    async def start(self) -> None:
        """Start every process; `IsolationFailed` (the pool closed) when one cannot build its filters."""
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(self._start(), name=f"{self.label}-start")
        await asyncio.shield(self._starting)

    def start_soon(self) -> None:
        """Start the processes in the background (a failure is logged; the pool stays not ready)."""
        if self._starting is None and not self._closed:
            self._starting = asyncio.get_running_loop().create_task(self._start(), name=f"{self.label}-start")
            self._starting.add_done_callback(_log_start_failure)

    async def _start(self) -> None:
        started = await asyncio.gather(*(_Worker.start(self.specs, self.label, self.nice) for _ in range(self.processes)),
                                       return_exceptions=True)
        workers = [w for w in started if isinstance(w, _Worker)]
        failed = [w for w in started if not isinstance(w, _Worker)]
        if failed or self._closed:
            for worker in workers:
                await worker.stop()
            if failed:
                raise failed[0]
            return
        for worker in workers:
            self._all.add(worker)
            self._release(worker)
        self.ready = True

    async def call(self, name: str, message: Message, limit: float | None) -> tuple[Verdict | None, str, float]:
        """Filter `name`'s verdict on `message` from a worker process: `(verdict, "", cpu)`, or `(None,
        problem, cpu)` when the verdict breaks the contract. `limit`: the CPU budget of a filter that only
        computes (`OverBudget` above it); None: the filter may await. Raises `PoolBusy`, `FilterRaised`,
        `IsolationFailed` (the process ended; it is replaced). Cancelling the call (a deadline) kills and
        replaces the process that computes it."""
        answer = await self._ask(("one", name, portable(message), limit))
        kind = answer[0]
        if kind == "ok":
            return await unpack(answer[1]), "", answer[3]
        if kind == "bad":
            return None, answer[2], answer[3]
        if kind == "over":
            raise OverBudget(answer[1])
        raise FilterRaised(str(answer[1]))

    async def call_chain(self, steps: tuple[tuple[str, float], ...], template: Message,
                         fields: list[tuple[str, str]], tick_every: float,
                         on_tick: Callable[[], None]) -> tuple[list[Any], list[tuple[int, str]]]:
        """A payload's fields through chain steps (`(name, limit)`, all of filters that only compute) in
        one worker process (`filters._batch.serve`): the packed results and the log lines of the steps.
        The process says it is still at work at least every `tick_every` seconds of a long request
        (`on_tick` is called). Raises as `call` does."""
        answer = await self._ask(("chain", steps, portable(template), fields, tick_every), on_tick)
        if answer[0] != "chain":
            raise FilterRaised(str(answer[1]))
        return answer[1], answer[2]

    async def _ask(self, request: tuple[Any, ...], on_tick: Callable[[], None] | None = None) -> tuple[Any, ...]:
        """`request`'s answer from an idle worker process (`on_tick` told of each tick before it)."""
        loop = asyncio.get_running_loop()
        asked = loop.time()
        worker = await self._acquire()
        self._working += 1
        self.watch.working(self._working)
        try:
            await worker.channel.send(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
            answer: tuple[Any, ...] = await worker.channel.receive()
            while answer == TICK and on_tick is not None:
                on_tick()
                answer = await worker.channel.receive()
        except BaseException as exc:  # the deadline (cancelled) or a broken pipe: the process is abandoned
            if isinstance(exc, asyncio.CancelledError):
                self.watch.abandoned()
            self._replace(worker, "killed" if isinstance(exc, asyncio.CancelledError) else "ended")
            if isinstance(exc, OSError):
                raise IsolationFailed("worker process ended") from None
            raise
        finally:
            self._working -= 1
            self.watch.working(self._working)
        self.watch.answered(loop.time() - asked)
        self._release(worker)
        return answer

    async def _acquire(self) -> _Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            self._replace(worker, "ended")
        if self._closed:
            raise IsolationFailed("worker processes closed")
        if self.queue is not None and len(self._waiting) >= self.queue:
            self.watch.refused()
            raise PoolBusy(f"{len(self._waiting)} messages already wait for a worker process")
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self.watch.waiting(len(self._waiting))
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # handed over just as the caller gave up
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)
            self.watch.waiting(len(self._waiting))

    def _release(self, worker: _Worker) -> None:
        """Hand `worker` to the longest waiting call, or keep it idle."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: _Worker, reason: str) -> None:
        """Kill `worker` and start another in the background; it serves as soon as it is ready."""
        self.watch.replaced(reason)
        self._all.discard(worker)
        task = asyncio.get_running_loop().create_task(self._restart(worker), name=f"{self.label}-restart")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, worker: _Worker) -> None:
        await worker.stop()
        log.warning("%s: worker process replaced", self.label)
        pause = RESTART_PAUSE[0]
        while not self._closed:
            try:
                fresh = await _Worker.start(self.specs, self.label, self.nice)
            except Exception as exc:
                log.error("%s: a new worker process failed to start (%s); retrying in %.0f s", self.label,
                          type(exc).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RESTART_PAUSE[1])
                continue
            if self._closed:
                await fresh.stop()
                return
            self._all.add(fresh)
            self._release(fresh)
            return

    async def aclose(self) -> None:
        self._closed = True
        tasks = [*self._tasks, *([self._starting] if self._starting is not None else [])]
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(IsolationFailed("worker processes closed"))
        workers, self._all, self._idle = list(self._all), set(), []
        for worker in workers:
            await worker.stop()


def _log_start_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("worker processes failed to start: %s", type(task.exception()).__name__)


class IsolatedFilter(Filter):
    """`inner`, run in `processes` worker processes; built in this process too, to check its options
    at startup and answer `handles()` without asking a worker."""

    def __init__(self, inner: AnyFilter, name: str, use: str, options: Mapping[str, Any], path: str,
                 processes: int = 1, watch: PoolWatch = NO_WATCH) -> None:
        super().__init__(inner.options, inner.context)
        self.inner = inner
        self.processes = processes
        self._name = name
        self.pool = WorkerPool({name: (use, options, path)}, processes, None, f"chatguard-filter-{name}", watch)

    def handles(self, direction: Direction) -> bool:
        return self.inner.handles(direction)

    @property
    def refresh_every(self) -> float:
        return self.inner.refresh_every

    def refresh(self) -> Refreshed:
        """This process's copy re-reads its files (and reports); the worker processes refresh their own."""
        return self.inner.refresh()

    async def start(self) -> None:
        """Start the worker processes (the gateway does this before it serves)."""
        await self.pool.start()

    async def inspect(self, message: Message) -> Verdict:
        if not self.pool.ready:
            await self.start()
        verdict, problem, _ = await self.pool.call(self._name, message, None)
        if verdict is None:
            raise BadVerdict(problem)
        return verdict

    async def aclose(self) -> None:
        await self.pool.aclose()
        await self.inner.aclose()
