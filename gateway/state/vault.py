"""The masking filter's token vault on the gateway's state store.

With the redis backend every instance shares one vault, so a value tokenized by one
gateway process is unmasked by another. Only sealed bytes are stored (the filter
encrypts before `put`), and a store failure raises StateUnavailable, which the filter
chain treats as a filter error: the message is blocked, never passed unmasked.
"""

from __future__ import annotations

from gateway.state import StateStore

NAMESPACE = "vault:"


class StoreVault:
    """A `filters.masking.TokenVault` whose entries live in a StateStore under `vault:<token>`."""

    def __init__(self, store: StateStore, namespace: str = NAMESPACE) -> None:
        self._store = store
        self._namespace = namespace

    async def put(self, token: str, sealed: bytes, ttl: float) -> None:
        await self._store.put(self._namespace + token, sealed, ttl)

    async def get(self, token: str) -> bytes | None:
        return await self._store.get(self._namespace + token)
