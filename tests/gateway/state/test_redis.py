"""Redis backend: atomic across separate connections (gateway processes), and fail closed when Redis is not."""

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gateway.state import RedisStore, StateUnavailable
from gateway.state import redis as redis_backend
from tests.gateway.state._redis import closed_port, store

N = 200
Pair = tuple[RedisStore, RedisStore]


def both(pair: Pair) -> list[RedisStore]:
    """N calls spread over the two stores, interleaved."""
    return [pair[i % 2] for i in range(N)]


async def test_concurrent_incr_from_two_processes_loses_nothing(shared: Pair) -> None:
    totals = await asyncio.gather(*(s.incr("count", 1, 60) for s in both(shared)))
    assert sorted(totals) == list(range(1, N + 1))
    assert await shared[1].incr("count", 0, 60) == N


async def test_concurrent_hits_are_counted_exactly(shared: Pair) -> None:
    counts = await asyncio.gather(*(s.hit("rate", 60) for s in both(shared)))
    assert sorted(counts) == list(range(1, N + 1))


async def test_concurrent_replays_of_one_code_are_accepted_once(shared: Pair) -> None:
    added = await asyncio.gather(*(s.add("totp:alice", "123456", 90) for s in both(shared)))
    assert added.count(True) == 1


async def test_bans_are_shared_between_processes(shared: Pair) -> None:
    first, second = shared
    ban = await first.ban("ip:198.51.100.7", 60, "credential stuffing")
    assert await second.banned("ip:198.51.100.7") == ban
    assert await second.bans() == [ban]
    assert await second.unban("ip:198.51.100.7") is True
    assert await first.banned("ip:198.51.100.7") is None


async def test_prefixes_keep_deployments_apart(shared: Pair, raw: Redis, prefix: str) -> None:
    other = store(prefix + "other:")
    try:
        await shared[0].ban("x", 60)
        await shared[0].put("v", b"mine", 60)
        assert await other.banned("x") is None and await other.bans() == []
        assert await other.get("v") is None
    finally:
        await other.aclose()
        keys = [key async for key in raw.scan_iter(match=prefix + "*")]
        assert keys and all(key.startswith(prefix.encode()) for key in keys)


async def test_hit_counts_saturate_at_the_cap(shared: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_backend, "MAX_HITS", 5)
    counts = [await shared[0].hit("flood", 60, now=1000.0 + i / 100) for i in range(8)]
    assert counts == [1, 2, 3, 4, 5, 5, 5, 5]


async def test_scripts_survive_a_script_cache_flush(shared: Pair, raw: Redis) -> None:
    assert await shared[0].incr("c", 1, 60) == 1
    await raw.script_flush()
    assert await shared[0].incr("c", 1, 60) == 2


async def test_an_error_reply_fails_closed(shared: Pair, raw: Redis, prefix: str) -> None:
    await raw.set(prefix + "n:c", b"not a number")
    await raw.set(prefix + "w:r", b"not a sorted set")
    with pytest.raises(StateUnavailable):
        await shared[0].incr("c", 1, 60)
    with pytest.raises(StateUnavailable):
        await shared[0].hit("r", 60)


async def test_a_corrupt_ban_record_fails_closed(shared: Pair, raw: Redis, prefix: str) -> None:
    await raw.set(prefix + "b:x", b"{garbage")
    await raw.set(prefix + "b:y", b"[1, 2]")
    await raw.zadd(prefix + "bans", {"x": 4e9, "y": 4e9})
    for key in ("x", "y"):
        with pytest.raises(StateUnavailable):
            await shared[0].banned(key)
    with pytest.raises(StateUnavailable):
        await shared[0].bans()


@pytest.fixture
async def unreachable() -> AsyncIterator[RedisStore]:
    down = store("cgtest:", url=f"redis://user:s3cret-pass@127.0.0.1:{closed_port()}/0", timeout=0.5)
    try:
        yield down
    finally:
        await down.aclose()


async def test_unreachable_redis_refuses_every_operation(unreachable: RedisStore,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    operations = [
        unreachable.incr("k", 1, 60), unreachable.hit("k", 60), unreachable.ban("k", 60, "r"),
        unreachable.banned("k"), unreachable.unban("k"), unreachable.bans(),
        unreachable.add("k", "m", 60), unreachable.put("k", b"v", 60), unreachable.get("k"),
    ]
    with caplog.at_level(logging.INFO, logger="chatguard.state"):
        for operation in operations:
            with pytest.raises(StateUnavailable) as raised:
                await operation
            assert "s3cret" not in str(raised.value) and "***" in str(raised.value)
        assert await unreachable.ping() is False
    assert [r.getMessage() for r in caplog.records] == ["state store unreachable"]  # once per outage
    assert "s3cret" not in caplog.text


async def silent_server() -> tuple[asyncio.Server, int]:
    """Accepts connections and never answers: a hung Redis or a black-holed network."""
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.read(4096):
                pass
        finally:
            writer.close()
    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_redis_that_never_answers_times_out_into_a_refusal() -> None:
    server, port = await silent_server()
    hung = store("cgtest:", url=f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        with pytest.raises(StateUnavailable):
            await hung.banned("ip:192.0.2.1")
        with pytest.raises(StateUnavailable):
            await hung.add("totp:alice", "123456", 90)
    finally:
        await hung.aclose()
        server.close()
        await server.wait_closed()
