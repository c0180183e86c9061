"""One filter call under its budget: the CPU time of its own work, the wall time of its waits.

`asyncio.timeout` only fires while a coroutine waits: a filter that computes for two seconds
is never interrupted, and the event loop (every client of the worker) stalls meanwhile. So a
filter's coroutine is driven here step by step, the way a task would drive it, and each step
is timed with the thread's CPU clock: what other tasks compute while the filter waits is not
charged to it. A call whose steps add up to more than its limit is a failure even if it
answered (the caller fails closed); a call that waits past its limit is cancelled.

Most filters never wait: then the whole call is one step, two clock reads and no timer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Generator
from typing import Any

__all__ = ["Expired", "OverBudget", "metered"]


cpu_clock = time.thread_time


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
    try:
        coro: Generator[Any, None, T] = awaitable.__await__()
    except AttributeError:
        raise TypeError(f"object {type(awaitable).__name__} can't be used in 'await' expression") from None
    cpu = 0.0
    deadline = 0.0
    error: BaseException | None = None
    expired = False
    try:
        while True:
            started = cpu_clock()
            try:
                waiting = coro.send(None) if error is None else coro.throw(error)
            except StopIteration as done:
                cpu += cpu_clock() - started
                if cpu > limit:
                    raise OverBudget(cpu) from None
                if expired:
                    raise Expired from None  # it swallowed the cancellation and answered late
                return done.value, cpu
            except asyncio.CancelledError:
                if expired:
                    raise Expired from None
                raise
            cpu += cpu_clock() - started
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
    finally:
        _close(coro)


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
