from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.auth.config import LockoutSettings, RateLimitSettings
from gateway.auth.limits import Lockout, RateLimiter
from gateway.auth.state import MemoryAuthState


async def wait_until_unlocked(lockout: Lockout, user: str, client: str) -> None:
    for _ in range(200):
        if not await lockout.locked(user, client):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("lock never expired")


async def test_pair_lock_hits_only_that_address_and_expires(caplog: pytest.LogCaptureFixture) -> None:
    lockout = Lockout(MemoryAuthState(), LockoutSettings(pair_failures=3, pair_lock=0.3, user_failures=100))
    with caplog.at_level(logging.WARNING, "chatguard.audit"):
        for _ in range(3):
            await lockout.failure("alice", "10.0.0.1", "password")
    assert await lockout.locked("alice", "10.0.0.1")
    assert not await lockout.locked("alice", "10.0.0.2")
    assert any(getattr(r, "event", "") == "auth.lockout" for r in caplog.records)
    await wait_until_unlocked(lockout, "alice", "10.0.0.1")


async def test_user_backstop_locks_briefly_and_escalates_to_a_cap() -> None:
    settings = LockoutSettings(pair_failures=1000, user_failures=4, user_lock=0.1, user_lock_max=0.4)
    state = MemoryAuthState()
    lockout = Lockout(state, settings)
    for round_ in range(4):
        for i in range(4):
            await lockout.failure("alice", f"10.1.{round_}.{i}", "password")
        assert await lockout.locked("alice", "192.0.2.9")
        await wait_until_unlocked(lockout, "alice", "192.0.2.9")
    assert await state.incr("auth:lock:level:alice", 0, 60) == 4


async def test_rate_limit_counts_per_endpoint_and_client() -> None:
    limiter = RateLimiter(MemoryAuthState(), RateLimitSettings(requests=2, window=60))
    assert [await limiter.allow("login", "a") for _ in range(3)] == [True, True, False]
    assert await limiter.allow("login", "b")
    assert await limiter.allow("mfa", "a")
