"""Memory backend specifics: monotonic expiry, bounded size that refuses instead of evicting."""

import pytest

from gateway.state import MAX_HITS, MemoryStore, StateUnavailable


class Clock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_expiry_follows_the_monotonic_clock_not_the_wall_clock(clock: Clock) -> None:
    wall = Clock(1.7e9)
    store = MemoryStore(clock=clock, wall=wall)
    ban = await store.ban("ip:203.0.113.9", 60, "spam")
    assert ban.until == 1.7e9 + 60
    wall.now += 86400  # the wall clock jumps a day; the ban must hold
    assert await store.banned("ip:203.0.113.9") == ban
    clock.now += 60
    assert await store.banned("ip:203.0.113.9") is None


async def test_every_family_expires(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await store.incr("n", 1, 10)
    await store.hit("w", 10)
    await store.ban("b", 10)
    await store.add("s", "m", 10)
    await store.put("v", b"x", 10)
    assert len(store) == 5
    clock.now += 10
    assert await store.bans() == [] and len(store) == 0
    assert await store.incr("n", 1, 10) == 1 and await store.add("s", "m", 10) is True
    assert await store.get("v") is None and await store.hit("w", 10) == 1


async def test_a_full_store_refuses_new_keys_instead_of_evicting(clock: Clock) -> None:
    store = MemoryStore(max_entries=3, clock=clock)
    await store.ban("attacker", 60, "flood")
    await store.add("totp:alice", "123456", 90)
    await store.incr("n", 1, 5)
    with pytest.raises(StateUnavailable, match="full"):
        await store.incr("spray-1", 1, 60)
    assert await store.banned("attacker") is not None  # nothing was evicted to make room
    assert await store.add("totp:alice", "123456", 90) is False
    assert await store.incr("n", 1, 5) == 2  # existing keys keep working
    clock.now += 5
    assert await store.incr("spray-1", 1, 60) == 1  # expired entries make room


async def test_rewriting_one_key_keeps_the_deadline_heap_small(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    for i in range(5000):
        clock.now += 0.001
        await store.hit("busy", 60, now=float(i))
        await store.put("v", b"x", 60)
    assert len(store) == 2
    assert len(store._heap) <= 2 * len(store) + 1024 + 1


async def test_hits_saturate_at_the_cap() -> None:
    store = MemoryStore()
    counts = [await store.hit("flood", 3600, now=1000.0 + i / 1e4) for i in range(MAX_HITS + 3)]
    assert counts[-4:] == [MAX_HITS] * 4 and counts[:3] == [1, 2, 3]


async def test_ban_with_a_later_end_replaces_the_reason(clock: Clock) -> None:
    store = MemoryStore(clock=clock)
    await store.ban("x", 10, "first")
    clock.now += 5
    later = await store.ban("x", 10, "second")
    clock.now += 9
    assert await store.banned("x") == later
