"""Key-encryption keys: what wraps and unwraps data keys. A KMS plugs in behind `KeyWrapper`.

A local KEK wraps with AES-256-GCM; the wrapping context (key id, scope, version) is bound in
as associated data, so a wrapped key copied onto another row does not unwrap. Each KEK has a
stable id derived from it (never the key itself), recorded next to every data key it wraps:
that is how rotation knows which keys still need re-wrapping and which KEK opens which key.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from filters.options import OptionsError, join
from gateway.keyring.config import KekSource, KeySettings, KmsSettings

NONCE = 12


class WrapError(ValueError):
    """A wrapped key does not open with this KEK (wrong KEK, or the bytes were changed)."""


@runtime_checkable
class KeyWrapper(Protocol):
    """Wraps data keys under a key-encryption key. Implement this to plug in a KMS.

    `kek_id` must be stable for the same key and differ between keys; `unwrap` raises
    `WrapError` (or any ValueError) when the bytes were not wrapped by this key for `context`.
    """

    @property
    def kek_id(self) -> str: ...

    async def wrap(self, key: bytes, context: bytes) -> bytes: ...

    async def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...


class LocalKek:
    """A 256-bit KEK held in memory (read from a file or the environment at start)."""

    def __init__(self, material: bytes) -> None:
        if len(material) != 32:
            raise ValueError("a KEK is 32 bytes")
        self._aead = AESGCM(material)
        fingerprint = hmac.new(material, b"chatguard key-encryption key id", hashlib.sha256).hexdigest()
        self._id = f"local:{fingerprint[:16]}"

    @property
    def kek_id(self) -> str:
        return self._id

    async def wrap(self, key: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, key, context)

    async def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:NONCE], wrapped[NONCE:], context)
        except (InvalidTag, ValueError):
            raise WrapError(f"data key does not unwrap with KEK {self._id}") from None


def load_kms(settings: KmsSettings, path: str) -> KeyWrapper:
    """Import `factory` and call it with the options; what it returns must be a `KeyWrapper`."""
    module_name, _, attr = settings.factory.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise OptionsError(join(path, "factory"), f"cannot load {settings.factory!r}: {exc}") from None
    options: Mapping[str, Any] = settings.options
    try:
        wrapper = factory(options)
    except (TypeError, ValueError) as exc:
        raise OptionsError(join(path, "options"), f"{settings.factory} refused its options: {exc}") from None
    if not isinstance(wrapper, KeyWrapper):
        raise OptionsError(join(path, "factory"), f"{settings.factory} did not return a KeyWrapper")
    return wrapper


def wrapper_for(source: KekSource, path: str) -> KeyWrapper:
    if source.kms is not None:
        return load_kms(source.kms, join(path, "kms"))
    return LocalKek(source.material(path))


def wrappers(settings: KeySettings, path: str = "keys") -> tuple[KeyWrapper, tuple[KeyWrapper, ...]]:
    """The current KEK and the previous ones, built from config (errors name the key)."""
    if not settings.configured:
        raise OptionsError(join(path, "kek"), "no key-encryption key configured (kek_file, kek_env or kms)")
    current = wrapper_for(settings, path)
    previous = tuple(wrapper_for(source, join(join(path, "previous"), i))
                     for i, source in enumerate(settings.previous))
    return current, previous
