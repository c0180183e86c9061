"""Reads with a deadline that does not cancel the read: what arrives after the deadline is not lost."""

from __future__ import annotations

import asyncio

import pytest

from gateway.proxy.reads import Reads


async def test_a_read_outlives_the_wait_and_is_picked_up_by_the_next_call() -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    reads: Reads[str] = Reads(queue.get, "test-read")
    assert await reads.next(0.01) is None  # nothing yet: the caller gets a turn
    assert await reads.next(0.01) is None  # the same read is still waiting, no second one started
    queue.put_nowait("first")
    queue.put_nowait("second")
    assert await reads.next(5.0) == "first"
    assert await reads.next(None) == "second"
    assert queue.empty()


async def test_a_failed_read_raises_to_the_caller() -> None:
    async def broken() -> str:
        raise ConnectionResetError

    reads: Reads[str] = Reads(broken, "test-read")
    with pytest.raises(ConnectionResetError):
        await reads.next(5.0)


async def test_cancel_stops_a_waiting_read() -> None:
    started = asyncio.Event()

    async def forever() -> str:
        started.set()
        await asyncio.Event().wait()
        return ""

    reads: Reads[str] = Reads(forever, "test-read")
    assert await reads.next(0.01) is None
    assert started.is_set()
    reads.cancel()
    reads.cancel()  # twice is harmless
