"""open_store: the config picks the backend; closed stays closed, local falls back."""

import pytest

from filters.options import bind
from gateway.state import LocalFallback, MemoryStore, RedisStore, StateSettings, StateUnavailable, open_store
from tests.gateway.state._redis import REDIS_URL, closed_port


def settings(**data: object) -> StateSettings:
    return bind(StateSettings, data, "state")


async def test_memory_is_the_default() -> None:
    store = open_store(settings())
    assert isinstance(store, MemoryStore)
    await store.aclose()


async def test_redis_backend(prefix: str, raw: object) -> None:
    store = open_store(settings(backend="redis", url=REDIS_URL, prefix=prefix))
    assert isinstance(store, RedisStore) and await store.ping()
    await store.aclose()


@pytest.mark.parametrize(("on_error", "outcome"), [("closed", StateUnavailable), ("local", 1)])
async def test_on_error_with_redis_unreachable(on_error: str, outcome: object) -> None:
    store = open_store(settings(backend="redis", url=f"redis://127.0.0.1:{closed_port()}/0",
                                on_error=on_error, timeout=0.5))
    try:
        if outcome is StateUnavailable:
            with pytest.raises(StateUnavailable):
                await store.incr("k", 1, 60)
        else:
            assert isinstance(store, LocalFallback) and await store.incr("k", 1, 60) == outcome
    finally:
        await store.aclose()
