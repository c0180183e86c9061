"""Memory backend specifics: monotonic expiry; bounded entries and bytes, where rate counters are evicted
(least recently used first, counted) and bans, replay guards and tokens never are."""

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


async def test_rate_counters_are_evicted_least_recently_used_first_and_counted(clock: Clock) -> None:
    evicted: list[str] = []
    store = MemoryStore(max_entries=3, clock=clock, on_evict=evicted.append)
    await store.ban("attacker", 60, "flood")  # bans have their own budget
    await store.add("totp:alice", "123456", 90)
    await store.incr("old", 1, 60)
    await store.hit("recent", 60)
    await store.incr("old", 1, 60)  # used again: "recent" is now the least recently used
    assert await store.incr("new-client", 1, 60) == 1  # room made, not refused
    assert evicted == ["entries"] and store.evictions == 1
    assert await store.incr("old", 1, 60) == 3  # kept
    assert await store.banned("attacker") is not None  # never evicted
    assert await store.add("totp:alice", "123456", 90) is False  # nor a replay guard


async def test_an_attacker_rotating_addresses_never_locks_out_new_clients(clock: Clock) -> None:
    evicted: list[str] = []
    store = MemoryStore(max_entries=100, clock=clock, on_evict=evicted.append)
    for i in range(5000):  # a /64 gives an attacker any number of addresses
        await store.hit(f"shield:rate:2001:db8::{i:x}", 60)
    assert await store.hit("shield:rate:198.51.100.7", 60) == 1
    assert len(store) <= 100 and len(evicted) == 4901


async def test_bans_have_their_own_budget_and_are_never_evicted(clock: Clock) -> None:
    store = MemoryStore(max_entries=2, max_bans=2, clock=clock)
    await store.ban("ip:192.0.2.1", 60)
    await store.ban("ip:192.0.2.2", 30)
    for i in range(50):
        await store.incr(f"n{i}", 1, 60)  # rate counters churn; the bans stay
    with pytest.raises(StateUnavailable, match="ban budget"):
        await store.ban("ip:192.0.2.3", 60)  # refused (the caller fails closed), never one in force dropped
    assert [ban.key for ban in await store.bans()] == ["ip:192.0.2.2", "ip:192.0.2.1"]
    await store.ban("ip:192.0.2.1", 120)  # lengthening one in force needs no room
    clock.now += 30
    await store.ban("ip:192.0.2.3", 60)  # an expired ban made room


async def test_replay_guards_and_tokens_are_refused_rather_than_evicted(clock: Clock) -> None:
    store = MemoryStore(max_entries=2, clock=clock)
    await store.add("totp:alice", "123456", 90)
    await store.put("vault:t1", b"sealed", 90)
    with pytest.raises(StateUnavailable, match="full"):
        await store.add("totp:bob", "654321", 90)
    with pytest.raises(StateUnavailable, match="full"):
        await store.incr("n", 1, 60)  # nothing evictable left either
    assert await store.add("totp:alice", "123456", 90) is False
    clock.now += 90
    assert await store.add("totp:bob", "654321", 90) is True  # expired entries make room


async def test_the_byte_bound_holds_by_evicting_rate_windows(clock: Clock) -> None:
    evicted: list[str] = []
    store = MemoryStore(max_bytes=256 * 1024, clock=clock, on_evict=evicted.append)
    for client in range(40):
        for i in range(500):  # 500 events per window: about 16 KB each
            await store.hit(f"shield:rate:{client}", 60, now=1000.0 + i / 1000)
    assert store.size <= 256 * 1024
    assert evicted and set(evicted) == {"bytes"}
    assert await store.hit("shield:rate:39", 60, now=1001.0) == 501  # the newest window is whole
    await store.put("vault:t", b"x" * 100_000, 60)  # a value can still be stored by evicting windows
    assert store.size <= 256 * 1024
    with pytest.raises(StateUnavailable, match="bytes"):
        await store.put("vault:u", b"x" * 300_000, 60)  # larger than the whole budget: refused


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
