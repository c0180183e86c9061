"""on_error: local: serve from memory while Redis is down, log it once, go back when it returns; bans made
meanwhile are written back, and bans known before the outage stay enforced during it."""

import asyncio
import contextlib
import logging

import pytest

from gateway.state import LocalFallback, MemoryStore, StateUnavailable
from gateway.state.events import StateEvent
from tests.gateway.state._redis import closed_port, store, unique_prefix
from tests.gateway.state.servers import RedisServer, redis_process  # noqa: F401 (fixture)
from tests.helpers import until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Switchable(MemoryStore):
    """Stands in for a Redis that goes down and comes back (the real outage is tested below)."""

    down = False

    async def incr(self, key: str, by: int, ttl: float) -> int:
        if self.down:
            raise StateUnavailable("down")
        return await super().incr(key, by, ttl)


async def test_unreachable_redis_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    shared = store("cgtest:", url=f"redis://:topsecret@127.0.0.1:{closed_port()}/0", timeout=0.5)
    fallback = LocalFallback(shared, MemoryStore())
    with caplog.at_level(logging.INFO, logger="chatguard.state"):
        assert [await fallback.incr("k", 1, 60) for _ in range(3)] == [1, 2, 3]
        await fallback.ban("ip:203.0.113.1", 60, "spam")
        assert await fallback.banned("ip:203.0.113.1") is not None
        assert await fallback.add("totp:a", "111111", 90) is True
        assert await fallback.add("totp:a", "111111", 90) is False
    assert fallback.degraded and await fallback.ping() is False
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "local" in r.getMessage()]
    assert len(warnings) == 1 and "topsecret" not in caplog.text
    await fallback.aclose()


async def test_shared_store_is_retried_after_a_pause_and_resumes(caplog: pytest.LogCaptureFixture) -> None:
    clock, shared, local = Clock(), Switchable(), MemoryStore()
    fallback = LocalFallback(shared, local, retry=5, clock=clock)
    assert await fallback.incr("k", 1, 60) == 1
    shared.down = True
    with caplog.at_level(logging.INFO, logger="chatguard.state"):
        assert await fallback.incr("k", 1, 60) == 1  # served locally
        shared.down = False
        assert await fallback.incr("k", 1, 60) == 2  # still local until the pause is over
        clock.now += 5
        assert await fallback.incr("k", 1, 60) == 2  # shared again
    assert not fallback.degraded
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.INFO]


async def test_caller_bugs_are_not_outages() -> None:
    fallback = LocalFallback(Switchable(), MemoryStore())
    with pytest.raises(ValueError):
        await fallback.incr("k", 1, 0)
    assert not fallback.degraded


async def test_bans_made_during_an_outage_are_written_back_when_redis_returns(
        redis_process: RedisServer) -> None:  # noqa: F811
    """The real outage: bans raised while Redis is down reach the shared store (and every instance
    listening on it) once it answers again; a ban lifted meanwhile stays lifted."""
    prefix = unique_prefix()
    fallback = LocalFallback(store(prefix, url=redis_process.url, timeout=0.5), MemoryStore(), retry=0.2)
    other = store(prefix, url=redis_process.url)
    try:
        await other.ban("ip:198.51.100.2", 300, "before the outage")
        redis_process.stop()
        await fallback.ban("ip:198.51.100.1", 300, "during the outage")
        await fallback.unban("ip:198.51.100.2")
        assert fallback.degraded and fallback.pending == 2
        assert await fallback.banned("ip:198.51.100.1") is not None
        redis_process.start()
        await asyncio.sleep(0.3)  # past `retry`: the next call tries Redis again
        await fallback.incr("any", 1, 60)
        await until(lambda: fallback.pending == 0, "the write-back")
        written = await other.banned("ip:198.51.100.1")
        assert written is not None and written.reason == "during the outage"
        assert await other.banned("ip:198.51.100.2") is None
    finally:
        await fallback.aclose()
        await other.aclose()


async def test_bans_known_before_an_outage_stay_enforced_during_it(redis_process: RedisServer) -> None:  # noqa: F811
    prefix = unique_prefix()
    fallback = LocalFallback(store(prefix, url=redis_process.url, timeout=0.5), MemoryStore(), retry=60)
    other = store(prefix, url=redis_process.url)
    await other.ban("subject:early", 300, "before this process listened")
    heard: list[StateEvent] = []
    started = asyncio.Event()

    async def gap() -> None:
        started.set()

    listener = asyncio.get_running_loop().create_task(fallback.listen(heard.append, gap))
    try:
        await asyncio.wait_for(started.wait(), 30)
        await other.ban("subject:late", 300, "while it listened")
        await until(lambda: any(e.key == "subject:late" for e in heard), "the ban event")
        redis_process.stop()
        for key in ("subject:early", "subject:late"):
            assert await fallback.banned(key) is not None, key
        assert fallback.degraded
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await fallback.aclose()
        await other.aclose()
