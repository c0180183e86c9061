"""Shared state for the gateway: rate counters, sliding windows, bans, replay guards, tokens.

`open_store(settings.state)` builds the configured backend once at startup; the app
closes it on shutdown. Backends: `memory` (one process) and `redis` (every instance
and worker). See `StateStore` for the operations and `StateSettings` for the config.
"""

from __future__ import annotations

from gateway.state.base import MAX_HITS, Ban, Screening, StateStore, StateUnavailable
from gateway.state.fallback import LocalFallback
from gateway.state.memory import MemoryStore
from gateway.state.redis import RedisStore
from gateway.state.settings import StateSettings

__all__ = [
    "MAX_HITS", "Ban", "LocalFallback", "MemoryStore", "RedisStore", "Screening", "StateSettings", "StateStore",
    "StateUnavailable", "open_store",
]


def open_store(settings: StateSettings) -> StateStore:
    """The store `settings` describe; opening connects lazily, so a Redis outage never stops startup."""
    if settings.backend == "memory":
        return MemoryStore(settings.max_entries)
    shared = RedisStore.from_settings(settings)
    if settings.on_error == "local":
        return LocalFallback(shared, MemoryStore(settings.max_entries))
    return shared
