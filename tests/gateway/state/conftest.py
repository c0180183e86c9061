from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gateway.state import RedisStore
from tests.gateway.state._redis import raw_redis, store, unique_prefix


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
async def raw(prefix: str) -> AsyncIterator[Redis]:
    async with raw_redis(prefix) as client:
        yield client


@pytest.fixture
async def shared(prefix: str, raw: Redis) -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    """Two stores on one Redis with separate connections: two gateway processes.

    A generous timeout: these tests check atomicity under 200 concurrent calls, not speed, and the
    whole suite shares two cores."""
    first, second = store(prefix, timeout=15.0), store(prefix, timeout=15.0)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()
