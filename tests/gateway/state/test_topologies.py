"""The store on a Sentinel-watched master and on a Redis Cluster, both started by the test, and one
server stopped and restarted under it: same operations, same sharing, fail closed, recover alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from redis.asyncio.cluster import RedisCluster

from filters.options import Duration
from gateway.state import RedisStore, StateSettings, StateUnavailable
from tests.gateway.state._redis import unique_prefix
from tests.gateway.state.servers import (
    ClusterSetup,
    RedisServer,
    SentinelSetup,
    cli,
    redis_cluster,
    redis_process,
    redis_sentinel,
)

__all__ = ["redis_cluster", "redis_process", "redis_sentinel"]  # fixtures used below


@asynccontextmanager
async def two_stores(url: str, prefix: str, op_timeout: float = 5.0) -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    """Two stores with their own clients: two gateway processes on one state."""
    settings = StateSettings(backend="redis", url=url, prefix=prefix, timeout=Duration(op_timeout))
    settings.validate("state")
    first, second = RedisStore.from_settings(settings), RedisStore.from_settings(settings)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def exercise(first: RedisStore, second: RedisStore) -> None:
    """Every operation, written through one store and read through the other."""
    totals = await asyncio.gather(*((first, second)[i % 2].incr("count", 1, 60) for i in range(40)))
    assert sorted(totals) == list(range(1, 41))
    counts = await asyncio.gather(*((first, second)[i % 2].hit("rate", 60) for i in range(20)))
    assert sorted(counts) == list(range(1, 21))
    added = await asyncio.gather(*((first, second)[i % 2].add("totp:ann", "123456", 90) for i in range(10)))
    assert added.count(True) == 1  # a code is accepted once, whichever instance sees it
    ban = await first.ban("ip:198.51.100.7", 60, "test")
    assert await second.banned("ip:198.51.100.7") == ban and await second.bans() == [ban]
    assert await second.unban("ip:198.51.100.7") is True and await first.banned("ip:198.51.100.7") is None
    await first.put("token", b"value", 60)
    assert await second.get("token") == b"value"
    assert await first.ping() and await second.ping()


async def test_sentinel(redis_sentinel: SentinelSetup) -> None:
    async with two_stores(redis_sentinel.url, unique_prefix()) as (first, second):
        await exercise(first, second)
    # What was written is on the master the Sentinel named.
    assert int(cli(redis_sentinel.master.port, "DBSIZE")) > 0


async def test_cluster_keeps_a_deployment_in_one_slot(redis_cluster: ClusterSetup) -> None:
    prefix = unique_prefix()
    async with two_stores(redis_cluster.url, prefix) as (first, second):
        assert first._prefix == "{" + prefix + "}"
        await exercise(first, second)
        await first.ban("subject:ann", 60)
        raw = first._client
        assert isinstance(raw, RedisCluster)
        keys = [key for node in redis_cluster.nodes
                for key in cli(node.port, "--scan", "--pattern", "{" + prefix + "}*").split()]
        assert len(keys) >= 5
        slots = {cli(redis_cluster.nodes[0].port, "CLUSTER", "KEYSLOT", key) for key in keys}
        assert len(slots) == 1


@pytest.mark.parametrize("url", [
    "redis+sentinel://127.0.0.1:{closed}/chatguard",
    "redis+cluster://127.0.0.1:{closed}",
])
async def test_unreachable_topologies_fail_closed(url: str) -> None:
    from tests.gateway.state._redis import closed_port

    async with two_stores(url.format(closed=closed_port()), unique_prefix(), op_timeout=0.5) as (first, _):
        with pytest.raises(StateUnavailable):
            await first.incr("n", 1, 60)
        assert await first.ping() is False


async def _eventually(check: Callable[[], object], within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            if await check():  # type: ignore[misc]
                return
        except StateUnavailable:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the store did not recover")
        await asyncio.sleep(0.1)


async def test_a_restarted_server_is_used_again_without_a_new_client(redis_process: RedisServer) -> None:
    async with two_stores(redis_process.url, unique_prefix(), op_timeout=0.5) as (first, _):
        assert await first.incr("n", 1, 60) == 1
        redis_process.stop()
        with pytest.raises(StateUnavailable):
            await first.incr("n", 1, 60)
        redis_process.start()
        await _eventually(first.ping)
        assert await first.incr("n", 1, 60) == 1  # nothing persisted: a fresh count, but counting again


@pytest.mark.slow
async def test_sentinel_failover_is_followed(redis_sentinel: SentinelSetup) -> None:
    setup = redis_sentinel
    async with two_stores(setup.url, unique_prefix(), op_timeout=0.5) as (first, second):
        await first.ban("ip:203.0.113.9", 600, "before failover")
        await asyncio.to_thread(cli, setup.master.port, "WAIT", "1", "5000")  # on the replica too
        setup.master.stop()
        # The Sentinel promotes the replica; the clients ask the Sentinel again when they reconnect.
        await _eventually(lambda: _async(lambda: setup.master_port() == setup.replica.port), within=30)
        await _eventually(second.ping, within=30)
        assert await second.banned("ip:203.0.113.9") is not None  # written before the failover
        assert await first.incr("after", 1, 60) == 1


async def _async(check: Callable[[], bool]) -> bool:
    return await asyncio.to_thread(check)
