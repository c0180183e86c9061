"""on_error: local: serve from memory while Redis is down, log it once, go back when it returns."""

import logging

import pytest

from gateway.state import LocalFallback, MemoryStore, StateUnavailable
from tests.gateway.state._redis import closed_port, store


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
