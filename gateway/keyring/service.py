"""The key service: a data key per scope, wrapped by the KEK, unwrapped on demand and cached.

Callers never see wrapped bytes or the KEK: they ask for the current `DataKey` of a scope (made
on first use), seal with it, and store its `id` next to the ciphertext; later `find(id)` opens
it again. `rotate(scope)` starts a new version (new data uses it, old data still opens);
`rewrap()` moves every data key to the current KEK without touching what they sealed;
`erase(scope)` deletes the scope's keys (crypto-shredding).

Unwrapped keys stay in memory for `cache_ttl`: another instance's erase is honoured by this one
within that time. `find(..., fresh=True)` always asks the store (used before showing data).
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.database import Database
from gateway.keyring.kek import NONCE, KeyWrapper
from gateway.keyring.store import WrappedKey, WrappedKeyStore

log = logging.getLogger("chatguard.keys")
REWRAP_BATCH = 500


class KeyUnavailable(RuntimeError):
    """A data key exists but cannot be unwrapped (its KEK is not configured, or the row was altered)."""


class SealError(ValueError):
    """Ciphertext that does not open with this key and associated data (tampered, or another key's)."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """One version of a scope's AES-256-GCM key. `seal` output is nonce (12 bytes) + ciphertext + tag."""

    id: str
    scope: str
    version: int
    material: bytes = field(repr=False)

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + AESGCM(self.material).encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes = b"") -> bytes:
        try:
            return AESGCM(self.material).decrypt(sealed[:NONCE], sealed[NONCE:], aad)
        except (InvalidTag, ValueError):
            raise SealError(f"ciphertext does not open with data key {self.id}") from None


@dataclass(frozen=True)
class RewrapReport:
    kek_id: str
    rewrapped: int = 0
    failed: tuple[str, ...] = ()      # key ids whose KEK is not configured or whose wrapping is damaged
    by_kek: dict[str, int] = field(default_factory=dict)   # after the run


def new_key_id() -> str:
    """Random, so an id in a stored envelope says nothing about its scope."""
    return base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")


class KeyService:
    """Data keys for any number of scopes; one instance per process, shared by its users."""

    def __init__(self, db: Database, current: KeyWrapper, previous: Sequence[KeyWrapper] = (), *,
                 cache_ttl: float = 60.0, cache_size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = WrappedKeyStore(db)
        self.current_kek = current
        self._wrappers = {w.kek_id: w for w in (*previous, current)}
        self._ttl = cache_ttl
        self._size = cache_size
        self._clock = clock
        self._by_id: OrderedDict[str, tuple[float, DataKey]] = OrderedDict()
        self._latest: dict[str, str] = {}

    async def setup(self) -> None:
        """Create or upgrade the key table (at start)."""
        await self.store.setup()

    # using keys ----------------------------------------------------------------------------

    async def current(self, scope: str) -> DataKey:
        """The key new data in `scope` is sealed with; made (version 1) on first use."""
        cached = self._cached(self._latest.get(scope, ""))
        if cached is not None:
            return cached
        wrapped = await self.store.latest(scope)
        if wrapped is None:
            return await self._create(scope, 1)
        return self._remember(await self._unwrap(wrapped), latest=True)

    async def find(self, key_id: str, *, fresh: bool = False) -> DataKey | None:
        """The key with this id, or None when it never existed or was erased."""
        if not fresh:
            cached = self._cached(key_id)
            if cached is not None:
                return cached
        wrapped = await self.store.by_id(key_id)
        if wrapped is None:
            self._by_id.pop(key_id, None)
            return None
        return self._remember(await self._unwrap(wrapped), latest=False)

    async def rotate(self, scope: str) -> DataKey:
        """Start a new version for `scope`: new data uses it, data sealed before still opens."""
        wrapped = await self.store.latest(scope)
        return await self._create(scope, 1 if wrapped is None else wrapped.version + 1)

    async def erase(self, scope: str) -> int:
        """Delete every key of `scope`: what they sealed can never be opened again. Returns the count."""
        removed = await self.store.delete_scope(scope)
        self._latest.pop(scope, None)
        for key_id in removed:
            self._by_id.pop(key_id, None)
        return len(removed)

    # rotation of the KEK -------------------------------------------------------------------

    async def rewrap(self, *, batch: int = REWRAP_BATCH, dry_run: bool = False) -> RewrapReport:
        """Re-wrap every data key not yet under the current KEK. Safe to repeat and to run beside live
        instances that hold both KEKs; sealed data is not touched."""
        target = self.current_kek.kek_id
        rewrapped, failed, after = 0, [], ""
        while True:
            keys = await self.store.not_wrapped_by(target, after, batch)
            if not keys:
                break
            after = keys[-1].key_id
            for key in keys:
                try:
                    material = await self._unwrap_bytes(key)
                except KeyUnavailable:
                    failed.append(key.key_id)
                    continue
                if dry_run:
                    rewrapped += 1
                    continue
                wrapped = await self.current_kek.wrap(material, key.context)
                if await self.store.replace_wrapping(key, target, wrapped):
                    rewrapped += 1
        return RewrapReport(target, rewrapped, tuple(failed), await self.store.count_by_kek())

    # internals -----------------------------------------------------------------------------

    async def _create(self, scope: str, version: int) -> DataKey:
        material = AESGCM.generate_key(bit_length=256)
        draft = WrappedKey(new_key_id(), scope, version, self.current_kek.kek_id, b"")
        wrapped = await self.current_kek.wrap(material, draft.context)
        row = WrappedKey(draft.key_id, scope, version, draft.kek_id, wrapped)
        if await self.store.add(row, int(time.time() * 1_000_000)):
            return self._remember(DataKey(row.key_id, scope, version, material), latest=True)
        winner = await self.store.latest(scope)   # another instance made this version first
        if winner is None:
            raise KeyUnavailable(f"data key for a scope vanished while being created (version {version})")
        return self._remember(await self._unwrap(winner), latest=True)

    async def _unwrap_bytes(self, key: WrappedKey) -> bytes:
        wrapper = self._wrappers.get(key.kek_id)
        if wrapper is None:
            raise KeyUnavailable(f"data key {key.key_id} is wrapped by KEK {key.kek_id}, which is not "
                                 "configured (list it under keys.previous until rotate-key has run)")
        try:
            return await wrapper.unwrap(key.wrapped, key.context)
        except ValueError:
            raise KeyUnavailable(f"data key {key.key_id} does not unwrap with KEK {key.kek_id}") from None

    async def _unwrap(self, key: WrappedKey) -> DataKey:
        return DataKey(key.key_id, key.scope, key.version, await self._unwrap_bytes(key))

    def _remember(self, key: DataKey, *, latest: bool) -> DataKey:
        self._by_id[key.id] = (self._clock() + self._ttl, key)
        self._by_id.move_to_end(key.id)
        if latest:
            self._latest[key.scope] = key.id
        while len(self._by_id) > self._size:
            old_id, (_, old) = self._by_id.popitem(last=False)
            if self._latest.get(old.scope) == old_id:
                del self._latest[old.scope]
        return key

    def _cached(self, key_id: str) -> DataKey | None:
        item = self._by_id.get(key_id)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._by_id[key_id]
            return None
        return item[1]
