"""Tokenize style: originals kept encrypted under a token, readable only with the key.

The vault stores sealed bytes only (AES-256-GCM, the token and type bound in as
associated data), so a Redis-backed vault or a dump of it reveals nothing without
the key held by the gateway. Tokens are keyed digests of the value: the same card
gets the same token, and the vault does not grow with every mention.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from filters.options import OptionsError

TOKEN_PREFIX = "tok_"  # noqa: S105 (a label, not a secret)


@runtime_checkable
class TokenVault(Protocol):
    """Where sealed originals live; the gateway may supply a shared (Redis) one."""

    async def put(self, token: str, sealed: bytes, ttl: float) -> None:
        """Store `sealed` under `token` for `ttl` seconds (overwriting is fine)."""
        ...

    async def get(self, token: str) -> bytes | None:
        """The sealed bytes under `token`, or None if unknown or expired."""
        ...


class MemoryVault:
    """A bounded in-process vault: least recently used entries go first when full."""

    def __init__(self, max_items: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_items
        self._clock = clock

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, token: str, sealed: bytes, ttl: float) -> None:
        self._items[token] = (self._clock() + ttl, sealed)
        self._items.move_to_end(token)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def get(self, token: str) -> bytes | None:
        item = self._items.get(token)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[token]
            return None
        self._items.move_to_end(token)
        return item[1]


def parse_key(text: str, path: str) -> bytes:
    """A 256-bit key written as 64 hex digits or base64; anything else is a config error."""
    raw = text.strip()
    key: bytes | None = None
    if len(raw) == 64:
        try:
            key = bytes.fromhex(raw)
        except ValueError:
            key = None
    if key is None:
        try:
            key = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_" if "-" in raw or "_" in raw
                                   else None, validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) != 32:
        raise OptionsError(path, "expected a 256-bit key: 64 hex digits or 32 bytes in base64")
    return key


class Sealer:
    """Derives tokens and seals/opens originals with one 256-bit key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._token_key = hmac.new(key, b"chatguard masking token id", hashlib.sha256).digest()

    def token(self, kind: str, canonical: str) -> str:
        digest = hmac.new(self._token_key, f"{kind}\x00{canonical}".encode(), hashlib.sha256).digest()
        return TOKEN_PREFIX + base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")

    def seal(self, token: str, kind: str, value: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, value.encode(), f"{kind}\x00{token}".encode())

    def open(self, token: str, kind: str, sealed: bytes) -> str | None:
        """The original, or None if the bytes were not sealed for this token and type."""
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], f"{kind}\x00{token}".encode()).decode()
        except (InvalidTag, ValueError):
            return None
