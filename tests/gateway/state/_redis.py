"""The real Redis on 127.0.0.1:6379 for tests: unique key prefixes, clean-up, a port nobody listens on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from filters.options import Duration
from gateway.state import RedisStore, StateSettings
from tests.ports import closed_port as closed_port  # re-exported: the store tests import it from here

REDIS_URL = "redis://127.0.0.1:6379/0"
START_HINT = ("Redis is not answering on 127.0.0.1:6379; start it with: redis-server --daemonize yes "
              "--bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no")


def unique_prefix() -> str:
    """A key namespace no other test (or xdist worker) uses."""
    return f"cgtest:{uuid.uuid4().hex}:"




def store(prefix: str, url: str = REDIS_URL, timeout: float = 2.0) -> RedisStore:
    """A RedisStore with its own client (own connections), as a separate gateway process has."""
    return RedisStore.from_settings(StateSettings(backend="redis", url=url, prefix=prefix,
                                                   timeout=Duration(timeout)))


@asynccontextmanager
async def raw_redis(prefix: str) -> AsyncIterator[Redis]:
    """A plain client for looking behind the store; deletes the prefix's keys afterwards."""
    client = Redis.from_url(REDIS_URL)
    try:
        try:
            await client.ping()
        except Exception:
            pytest.fail(START_HINT)
        yield client
    finally:
        try:
            keys = [key async for key in client.scan_iter(match=prefix + "*", count=500)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
