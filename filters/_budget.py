"""One filter call under its budget: the CPU time of its own work, the wall time of its waits.

`asyncio.timeout` only fires while a coroutine waits: a filter that computes for two seconds
is never interrupted, and the event loop (every client of the worker) stalls meanwhile. So a
filter's coroutine is driven here step by step, the way a task would drive it, and each step
is timed with the thread's CPU clock: what other tasks compute while the filter waits is not
charged to it. A call whose steps add up to more than its limit is a failure even if it
answered (the caller fails closed); a call that waits past its limit is cancelled.

Most filters never wait: then the whole call is one step and no timer. Reading the thread's CPU
clock is a system call (several microseconds where system calls are slow, as in sandboxes), so steps
are timed with the cheap wall clock: a step's CPU time is at most its wall time, so while that fits
the limit the wall time is charged. Only a step whose wall time would not fit is charged by the CPU
clock: read at its end, less a reading taken before it began. That earlier reading is shared by the
thread's steps for up to `REFERENCE_AGE` seconds of wall time, or a tenth of the step's limit if that
is less (`cpu_reference`), so the clock is read a few hundred times a second at most, not once or
twice per filter per message. What ran on the thread between that reading and the step is charged to
the step too: never more than that age (a thread computes for no longer than the wall time that
passes), so it can fail a filter whose wall time overran and whose own CPU time came within that much
of its limit, and never pass one over it.

A long text is different: the worst shapes cost a millisecond or more of CPU per KB, and one call
would hold the event loop for all of it. A filter that only computes (`Filter.offloadable`) has a
text of `OFFLOAD_FROM` characters or more inspected elsewhere (`filters._offload`): in worker
processes, which run it with `drive` under the same budget, or on the filter thread here
(`offloaded`), where the event loop thread keeps serving, taking the interpreter lock back at least
every half millisecond while the filter computes. The CPU budget is the same, read from the clock
of the thread that computes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator
from concurrent.futures import ThreadPoolExecutor
from types import CoroutineType
from typing import Any

__all__ = ["OFFLOAD_FROM", "REFERENCE_AGE", "Expired", "OverBudget", "begin", "called", "cpu_reference", "drive",
           "metered", "offloaded"]

log = logging.getLogger("chatguard.filters")

OFFLOAD_FROM = 2048  # characters: from this length an offloadable filter computes off the event loop
SWITCH_INTERVAL = 0.0005  # seconds the filter thread may hold the interpreter lock while the loop waits


cpu_clock = time.thread_time
wall_clock = time.perf_counter
REFERENCE_AGE = 0.005  # seconds of wall time a reading of the CPU clock serves as a step's start


class _Reference(threading.local):
    """The last reading of this thread's CPU clock, after the wall clock just before it: `(wall, cpu)`,
    one pair (each attribute of a thread-local object is a look-up of the thread's own, twice a step)."""

    reading: tuple[float, float] = (-math.inf, 0.0)


_reference = _Reference()


def cpu_reference(age: float = REFERENCE_AGE, now: float | None = None) -> float:
    """A reading of this thread's CPU clock taken at most `age` seconds (wall) before `now` (the wall
    clock as the caller just read it; read here when not given)."""
    if now is None:
        now = wall_clock()
    wall, cpu = _reference.reading
    if now - wall > age:
        cpu = cpu_clock()  # after `now`: the age is never understated
        _reference.reading = (now, cpu)
    return cpu


class Expired(Exception):
    """A filter call was still waiting when its time was up (and was cancelled)."""


class OverBudget(Exception):
    """A filter call computed for longer than its limit (`cpu` seconds of its own steps)."""

    def __init__(self, cpu: float) -> None:
        super().__init__(f"{cpu:.3f}s of CPU")
        self.cpu = cpu


async def metered[T](awaitable: Awaitable[T], limit: float) -> tuple[T, float]:
    """`await coro`, returning its result and the CPU seconds its own steps took.

    Raises `OverBudget` once the steps add up to more than `limit`, `Expired` when it is
    still waiting `limit` seconds after the call began (it is cancelled, as a task would be, and
    gets as long again to clean up), and whatever the coroutine raises.
    """
    begun = begin(awaitable, limit)
    return begun if type(begun) is tuple else await begun  # type: ignore[misc]


def begin[T](awaitable: Awaitable[T], limit: float) -> tuple[T, float] | Coroutine[Any, Any, tuple[T, float]]:
    """`metered` without a coroutine of its own for a call that awaits nothing (most filter calls):
    its first step runs now, and a call that ended there gives `(result, cpu)` at once (or raises as
    `metered` does); one that waits gives the coroutine that drives the rest, to be awaited."""
    if type(awaitable) is CoroutineType:
        coro: Generator[Any, None, T] = awaitable  # type: ignore[assignment]  # send/throw/close alike
    else:
        try:
            coro = awaitable.__await__()
        except AttributeError:
            raise TypeError(f"object {type(awaitable).__name__} can't be used in 'await' expression") from None
    age = REFERENCE_AGE if limit >= 10 * REFERENCE_AGE else limit / 10
    started_wall = wall_clock()
    wall, started = _reference.reading  # `cpu_reference`, inline: this runs once per filter per message
    if started_wall - wall > age:
        started = cpu_clock()
        _reference.reading = (started_wall, started)
    try:
        waiting = coro.send(None)
    except StopIteration as done:  # most calls: one step that awaited nothing
        elapsed = wall_clock() - started_wall
        cpu = elapsed if elapsed <= limit else cpu_clock() - started  # `_step`, inline
        if cpu > limit:
            raise OverBudget(cpu) from None
        return done.value, cpu
    except BaseException:
        _close(coro)
        raise
    return _rest(coro, waiting, _step(started, started_wall, limit), age, limit)


def called[A, T](call: Callable[[A], T], argument: A, limit: float) -> tuple[T, float]:
    """`call(argument)` and the CPU seconds it took, charged as `begin` charges a call that awaits
    nothing (its wall time while that fits `limit`, else its CPU time): the same budget for a filter's
    synchronous answer (`Filter.inspect_now`), without a coroutine to create and drive. Raises
    `OverBudget` past `limit`, and whatever `call` raises."""
    age = REFERENCE_AGE if limit >= 10 * REFERENCE_AGE else limit / 10
    started_wall = wall_clock()
    wall, started = _reference.reading  # `cpu_reference`, inline
    if started_wall - wall > age:
        started = cpu_clock()
        _reference.reading = (started_wall, started)
    result = call(argument)
    elapsed = wall_clock() - started_wall
    cpu = elapsed if elapsed <= limit else cpu_clock() - started
    if cpu > limit:
        raise OverBudget(cpu)
    return result, cpu


async def _rest[T](coro: Generator[Any, None, T], waiting: Any, cpu: float, age: float,
                   limit: float) -> tuple[T, float]:
    """The steps of a call after its first one, which took `cpu` and yielded `waiting`."""
    deadline = 0.0
    error: BaseException | None = None
    expired = False
    try:
        while True:
            if cpu > limit:
                raise OverBudget(cpu)
            if not deadline:
                deadline = asyncio.get_running_loop().time() + limit - cpu
            try:
                error = await _wait(waiting, deadline)
            except TimeoutError:
                if expired:
                    raise Expired from None
                expired, error = True, asyncio.CancelledError()
                deadline = asyncio.get_running_loop().time() + limit
            started_wall = wall_clock()
            started = cpu_reference(age, started_wall)
            try:
                waiting = coro.send(None) if error is None else coro.throw(error)
            except StopIteration as done:
                cpu += _step(started, started_wall, limit - cpu)
                if cpu > limit:
                    raise OverBudget(cpu) from None
                if expired:
                    raise Expired from None  # it swallowed the cancellation and answered late
                return done.value, cpu
            except asyncio.CancelledError:
                if expired:
                    raise Expired from None
                raise
            cpu += _step(started, started_wall, limit - cpu)
    finally:
        _close(coro)


def _step(started: float, started_wall: float, room: float) -> float:
    """What one step is charged: its wall time while that fits `room` (its CPU time can only be
    less), else its exact CPU time."""
    elapsed = wall_clock() - started_wall
    return elapsed if elapsed <= room else cpu_clock() - started


def _close(coro: Generator[Any, None, Any]) -> None:
    """End an unfinished coroutine (a no-op once it finished); one that will not stop is dropped."""
    try:
        coro.close()
    except RuntimeError:
        pass  # it awaited again while being closed: nothing more to do for it


async def _wait(waiting: Any, deadline: float) -> BaseException | None:
    """Wait for what the coroutine yielded, as a task would; the error to throw into it, if any."""
    if waiting is None:  # a bare yield (asyncio.sleep(0)): let the loop run once
        await asyncio.sleep(0)
        return None
    if getattr(waiting, "_asyncio_future_blocking", None) is None:
        return RuntimeError(f"a filter awaited {type(waiting).__name__}, not an asyncio future")
    waiting._asyncio_future_blocking = False
    try:
        async with asyncio.timeout_at(deadline):
            await asyncio.wait((waiting,))
    except TimeoutError:
        waiting.cancel()
        raise
    except asyncio.CancelledError:
        waiting.cancel()  # the caller is cancelled: the filter's wait ends with it
        raise
    return None  # the future is done; the coroutine reads its result (or exception) itself


_thread: ThreadPoolExecutor | None = None


def _filter_thread() -> ThreadPoolExecutor:
    """One thread per process: long texts are inspected one after another, never all at once."""
    global _thread
    if _thread is None:
        # The event loop thread waits for the lock at most this long whenever it has work.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatguard-filter")
    return _thread


def drive[T](coro: Coroutine[Any, Any, T], limit: float) -> tuple[T, float]:
    """Run a computing-only coroutine to its end on this thread, with its CPU time (the filter thread, or
    a worker process of `filters._isolated`)."""
    started = cpu_clock()
    try:
        while True:
            if coro.send(None) is not None:
                raise RuntimeError("an offloadable filter awaited a future")
            if cpu_clock() - started > limit:  # a bare yield: a chance to stop an overrun early
                raise OverBudget(cpu_clock() - started)
    except StopIteration as done:
        cpu = cpu_clock() - started
        if cpu > limit:
            raise OverBudget(cpu) from None
        return done.value, cpu
    finally:
        coro.close()


async def offloaded[T](coro: Coroutine[Any, Any, T], limit: float) -> tuple[T, float]:
    """`metered`, for a filter that only computes, on the filter thread. A call still waiting for the
    thread (a long text before it) or still running `limit` seconds after its own start plus `limit`
    is abandoned (`Expired`): one not started yet never runs; one running is left to finish alone."""
    global _thread
    thread = _filter_thread()
    future = thread.submit(drive, coro, limit)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), 2 * limit)
    except TimeoutError:
        if not future.cancel() and _thread is thread:
            # Still computing: a thread cannot be stopped, so later texts get a new one instead of
            # queueing behind it; this one ends when the call does.
            log.error("a filter call still computing after twice its time limit was abandoned")
            thread.shutdown(wait=False)
            _thread = None
        raise Expired from None
