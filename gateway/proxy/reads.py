"""Reading from a peer with a deadline that does not cancel the read.

A relay holding gathered text (`limits.stream_flush`) must wake up when it is due even though
the peer sends nothing, yet a read cut short by a timeout may lose what it was reading, and
aiohttp marks a WebSocket whose `receive()` was cancelled as closed abnormally. So the read runs
as a task that outlives the wait: the next call picks it up where it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["Reads"]


class Reads[T]:
    """Successive results of `read()`, each waited for at most a given time; never shared."""

    __slots__ = ("_name", "_read", "_task")

    def __init__(self, read: Callable[[], Awaitable[T]], name: str) -> None:
        self._read = read
        self._name = name
        self._task: asyncio.Task[T] | None = None

    async def next(self, within: float | None) -> T | None:
        """The next result; None when none came within `within` seconds (None: wait as long as it takes)."""
        if within is not None:
            if self._task is None:
                self._task = asyncio.get_running_loop().create_task(_awaited(self._read()), name=self._name)
            done, _ = await asyncio.wait((self._task,), timeout=within)
            if not done:
                return None
        if self._task is None:
            return await self._read()
        task, self._task = self._task, None
        return await task

    def cancel(self) -> None:
        """Stop a read still waiting: the relay ends here."""
        task, self._task = self._task, None
        if task is None:
            return
        if not task.done():
            task.cancel()
        elif not task.cancelled():
            task.exception()  # retrieved, so it is not reported as lost


async def _awaited[T](awaitable: Awaitable[T]) -> T:
    return await awaitable
