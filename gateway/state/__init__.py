"""Shared state for the gateway: rate counters, sliding windows, bans, replay guards, tokens.

`open_store(settings.state)` builds the configured backend once at startup; the app
closes it on shutdown. Backends: `memory` (one process) and `redis` (every instance
and worker). See `StateStore` for the operations and `StateSettings` for the config.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.state.base import MAX_HITS, Ban, Screening, StateStore, StateUnavailable
from gateway.state.fallback import LocalFallback
from gateway.state.memory import MemoryStore
from gateway.state.redis import RedisStore
from gateway.state.settings import StateSettings

__all__ = [
    "MAX_HITS", "Ban", "LocalFallback", "MemoryStore", "RedisStore", "Screening", "StateSettings", "StateStore",
    "StateUnavailable", "open_store",
]


def open_store(settings: StateSettings, on_evict: Callable[[str], None] | None = None,
               on_error: Callable[[], None] | None = None) -> StateStore:
    """The store `settings` describe; opening connects lazily, so a Redis outage never stops startup.
    `on_evict(reason)` counts each rate counter the memory backend evicts (reason: entries or bytes);
    `on_error()` each Redis operation that failed."""

    def memory() -> MemoryStore:
        return MemoryStore(settings.max_entries, max_bans=settings.max_bans, max_bytes=int(settings.max_bytes),
                           on_evict=on_evict)

    if settings.backend == "memory":
        return memory()
    shared = RedisStore.from_settings(settings, on_error)
    if settings.on_error == "local":
        return LocalFallback(shared, memory())
    return shared
