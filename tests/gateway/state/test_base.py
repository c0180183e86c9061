"""The StateStore behaviour every backend must show, run on memory, on the real Redis and on the fallback."""

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.state import LocalFallback, MemoryStore, StateStore
from tests.gateway.state._redis import store as redis_store


@pytest.fixture(params=["memory", "redis", "fallback"])
async def backend(request: pytest.FixtureRequest, prefix: str, raw: Redis) -> AsyncIterator[StateStore]:
    built: StateStore
    if request.param == "memory":
        built = MemoryStore()
    elif request.param == "redis":
        built = redis_store(prefix)
    else:
        built = LocalFallback(redis_store(prefix), MemoryStore())
    assert isinstance(built, StateStore)
    try:
        yield built
    finally:
        await built.aclose()


async def eventually(check: Callable[[], Awaitable[Any]], expected: Any, limit: float = 10.0) -> None:
    """Poll until `check()` returns `expected` (expiry happens at some point after the TTL)."""
    async with asyncio.timeout(limit):
        for _ in range(int(limit / 0.05) + 1):
            if await check() == expected:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"still not {expected!r} after {limit} s")


async def test_incr_accumulates_per_key(backend: StateStore) -> None:
    assert [await backend.incr("a", 1, 60) for _ in range(3)] == [1, 2, 3]
    assert await backend.incr("a", 5, 60) == 8
    assert await backend.incr("a", -2, 60) == 6
    assert await backend.incr("b", 1, 60) == 1


async def test_incr_window_starts_with_the_first_increment(backend: StateStore) -> None:
    await backend.incr("k", 1, 0.2)
    await eventually(lambda: backend.incr("k", 1, 0.2), 1)


async def test_hit_counts_the_sliding_window(backend: StateStore) -> None:
    counts = [await backend.hit("w", 2, now=1000.0 + t) for t in (0, 0.5, 1.0, 1.9, 2.0, 3.5, 10)]
    # at t=2.0 the event at t=0 falls out (boundary excluded); at t=10 only the new event is left
    assert counts == [1, 2, 3, 4, 4, 3, 1]
    assert await backend.hit("other", 2, now=1000.0) == 1


async def test_replayed_hits_may_arrive_out_of_order(backend: StateStore) -> None:
    counts = [await backend.hit("w", 10, now=t) for t in (100.0, 105.0, 103.0, 109.0, 114.0)]
    assert counts == [1, 2, 3, 4, 3]


async def test_hit_without_a_clock_uses_the_backend_clock(backend: StateStore) -> None:
    assert [await backend.hit("live", 60) for _ in range(3)] == [1, 2, 3]
    await eventually(lambda: backend.hit("short", 0.2), 1)


async def test_ban_lifecycle(backend: StateStore) -> None:
    assert await backend.banned("ip:203.0.113.9") is None
    ban = await backend.ban("ip:203.0.113.9", 60, "flooding")
    assert (ban.key, ban.reason) == ("ip:203.0.113.9", "flooding")
    assert ban.until - ban.since == pytest.approx(60, abs=0.01)
    assert await backend.banned("ip:203.0.113.9") == ban
    assert await backend.bans() == [ban]
    assert await backend.unban("ip:203.0.113.9") is True
    assert await backend.unban("ip:203.0.113.9") is False
    assert await backend.banned("ip:203.0.113.9") is None and await backend.bans() == []


async def test_bans_expire_and_list_soonest_first(backend: StateStore) -> None:
    long = await backend.ban("sub:mallory", 120, "brute force")
    short = await backend.ban("sub:eve", 0.2, "spam")
    assert await backend.bans() == [short, long]
    await eventually(lambda: backend.banned("sub:eve"), None)
    assert await backend.bans() == [long]


async def test_a_shorter_ban_never_shortens_a_longer_one(backend: StateStore) -> None:
    long = await backend.ban("sub:mallory", 3600, "escalated")
    assert await backend.ban("sub:mallory", 1, "minor") == long
    assert await backend.banned("sub:mallory") == long
    longer = await backend.ban("sub:mallory", 7200, "again")
    assert longer.reason == "again" and longer.until > long.until
    assert await backend.banned("sub:mallory") == longer


async def test_add_accepts_each_member_once(backend: StateStore) -> None:
    assert await backend.add("totp:alice", "123456", 90) is True
    assert await backend.add("totp:alice", "123456", 90) is False  # replayed code
    assert await backend.add("totp:alice", "654321", 90) is True
    assert await backend.add("totp:bob", "123456", 90) is True


async def test_set_members_expire_one_by_one(backend: StateStore) -> None:
    assert await backend.add("s", "early", 0.2) is True
    assert await backend.add("s", "late", 60) is True
    await eventually(lambda: backend.add("s", "early", 60), True)
    assert await backend.add("s", "late", 60) is False


@pytest.mark.parametrize("value", [b"", b"sealed", bytes(range(256)), b"\x00" * 4096])
async def test_put_and_get_bytes(backend: StateStore, value: bytes) -> None:
    assert await backend.get("v") is None
    await backend.put("v", value, 60)
    assert await backend.get("v") == value
    await backend.put("v", b"newer", 60)
    assert await backend.get("v") == b"newer"


async def test_values_expire(backend: StateStore) -> None:
    await backend.put("v", b"x", 0.2)
    await eventually(lambda: backend.get("v"), None)


async def test_families_never_share_keys(backend: StateStore) -> None:
    await backend.incr("x", 7, 60)
    await backend.put("x", b"value", 60)
    await backend.ban("x", 60)
    await backend.add("x", "m", 60)
    assert await backend.incr("x", 0, 60) == 7
    assert await backend.get("x") == b"value"
    assert await backend.hit("x", 60) == 1


@pytest.mark.parametrize("hostile", ["b:x", "n:x", "v:x", "*", "x\r\nFLUSHALL\r\n", "", "k" * 4096,
                                     "\u202e\u0000\U0001f4a3", "bans"])
async def test_hostile_keys_reach_only_their_own_entry(backend: StateStore, hostile: str) -> None:
    await backend.ban("x", 60, "real")
    await backend.put("x", b"real", 60)
    await backend.incr(hostile, 1, 60)
    await backend.put(hostile, b"hostile", 60)
    assert await backend.ban(hostile, 60, "hostile") == await backend.banned(hostile)
    assert await backend.unban(hostile) is True
    assert await backend.get(hostile) == b"hostile" and await backend.get("x") == b"real"
    banned = await backend.banned("x")
    assert banned is not None and banned.reason == "real"
    assert [ban.key for ban in await backend.bans()] == ["x"]


@pytest.mark.parametrize("ttl", [0, -1, math.nan, math.inf])
async def test_ttls_must_be_positive_and_finite(backend: StateStore, ttl: float) -> None:
    operations = [
        backend.incr("k", 1, ttl), backend.hit("k", ttl), backend.ban("k", ttl),
        backend.add("k", "m", ttl), backend.put("k", b"", ttl),
    ]
    for operation in operations:
        with pytest.raises(ValueError, match="> 0"):
            await operation


async def test_ping_and_close_twice(backend: StateStore) -> None:
    assert await backend.ping() is True
    await backend.aclose()
    await backend.aclose()


async def test_screen_finds_the_first_ban_and_counts_nothing_then(backend: StateStore) -> None:
    await backend.ban("subject:alice", 60, "test")
    found = await backend.screen(["ip:a", "subject:alice", "pair:x"], ["throttle:ip:a"], [("rate:a", 60)])
    assert found.ban is not None and found.ban.key == "subject:alice" and found.counts == ()
    assert await backend.hit("rate:a", 60) == 1  # the banned request was not counted


async def test_screen_reports_flags_and_counts_every_hit(backend: StateStore) -> None:
    found = await backend.screen(["ip:b"], ["throttle:ip:b"], [("rate:b", 60), ("connect:b", 30)])
    assert found.ban is None and not found.flagged and found.counts == (1, 1)
    await backend.put("throttle:ip:b", b"1", 60)
    found = await backend.screen(["ip:b"], ["throttle:ip:b"], [("rate:b", 60)])
    assert found.flagged and found.counts == (2,)
    assert await backend.hit("connect:b", 30) == 2
    assert (await backend.screen([], [], [])).counts == ()
