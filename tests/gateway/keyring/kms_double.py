"""A stand-in key-management service for the KMS plug point (no cloud KMS can run here).

It keeps its master key in process and answers like a remote KMS would: opaque wrapped
bytes that name the key version, refusal when the context differs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

CALLS: list[str] = []


class DoubleKms:
    def __init__(self, key_name: str) -> None:
        self.key_name = key_name
        self._aead = ChaCha20Poly1305(bytes.fromhex("11" * 32))

    @property
    def kek_id(self) -> str:
        return f"kms:{self.key_name}"

    async def wrap(self, key: bytes, context: bytes) -> bytes:
        CALLS.append("wrap")
        nonce = os.urandom(12)
        return b"v1" + nonce + self._aead.encrypt(nonce, key, context)

    async def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        CALLS.append("unwrap")
        try:
            return self._aead.decrypt(wrapped[2:14], wrapped[14:], context)
        except InvalidTag:
            raise ValueError("kms refused to unwrap") from None


def make(options: Mapping[str, Any]) -> DoubleKms:
    name = options.get("key_name")
    if not isinstance(name, str):
        raise ValueError("key_name is required")
    return DoubleKms(name)


def not_a_wrapper(options: Mapping[str, Any]) -> object:
    return object()
