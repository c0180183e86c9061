"""What every filter is given at construction: shared state, the token vault, a clock and a logger.

The gateway builds one `FilterContext` per config (its state store, a vault on that store, the
wall clock) and hands each filter a copy with its own logger. Outside a gateway (tests, tools)
`FilterContext()` has no store and no vault: a filter that needs shared state must then fail
closed (raise), and one that can keep its state in memory does so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

__all__ = ["FilterContext", "Store", "Vault"]


@runtime_checkable
class Store(Protocol):
    """The part of the gateway's state store a filter may use; every gateway instance sees the same data.

    Keys are the filter's own (prefix them with its name). A store that cannot answer raises,
    and the chain treats that as the filter failing: the message is blocked (fail closed).
    """

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes, ttl: float) -> None: ...

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        """Add `member` to a set; False when it was there already."""
        ...

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        """Record one event now (or at `now`, epoch seconds); the count within the last `window` seconds."""
        ...

    async def incr(self, key: str, by: int, ttl: float) -> int: ...


@runtime_checkable
class Vault(Protocol):
    """Where sealed originals of tokenized values live (only sealed bytes: the filter encrypts first)."""

    async def put(self, token: str, sealed: bytes, ttl: float) -> None: ...

    async def get(self, token: str) -> bytes | None: ...


def _default_log() -> logging.Logger:
    return logging.getLogger("chatguard.filters")


@dataclass(frozen=True, slots=True)
class FilterContext:
    """The gateway's services for a filter; every field has a default, so `FilterContext()` works anywhere."""

    store: Store | None = None       # shared state (None outside a gateway)
    vault: Vault | None = None       # sealed token originals (None: keep them in memory)
    clock: Callable[[], float] = time.time  # wall clock, epoch seconds
    log: logging.Logger = field(default_factory=_default_log)  # never log message text

    def for_filter(self, name: str) -> FilterContext:
        """The context for the configured filter `name`: its own logger (`chatguard.filters.<name>`)."""
        return replace(self, log=self.log.getChild(name))
