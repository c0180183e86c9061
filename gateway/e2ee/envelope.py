"""`cg1:` envelopes: one field's text sealed for a backend that must only ever hold ciphertext.

    cg1:<key id>:<nonce>:<ciphertext and tag>      every part base64url without padding

AES-256-GCM under the conversation's data key from the key service (`gateway.keyring`); the
associated data binds the envelope to its key id, the key's scope (the conversation) and the
field's name (the last step of its path: `body`, `formatted_body`), so an envelope moved into
another field, or re-labelled with another key id, does not open. The key id is random and says
nothing about the conversation.
"""

from __future__ import annotations

import base64
import binascii
import re

from gateway.keyring import DataKey, SealError
from gateway.keyring.kek import NONCE

__all__ = ["PREFIX", "SCOPE_PREFIX", "Envelope", "EnvelopeError", "aad", "looks_sealed", "open_text",
           "scope", "seal_text"]

PREFIX = "cg1:"
SCOPE_PREFIX = "fields:"
_B64 = r"[A-Za-z0-9_-]+"
_SHAPE = re.compile(rf"cg1:({_B64}):({_B64}):({_B64})")
_TAG = 16


class EnvelopeError(ValueError):
    """Not a well-formed envelope (`reason` malformed), or it does not open with its key (tampered)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def scope(conversation: str) -> str:
    """The key-service scope of a conversation's field key."""
    return SCOPE_PREFIX + conversation


def aad(key_id: str, key_scope: str, field: str) -> bytes:
    return f"chatguard field\x00cg1\x00{key_id}\x00{key_scope}\x00{field}".encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeError("malformed", "envelope part is not base64url") from None


def looks_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


class Envelope:
    """A parsed envelope (not yet opened)."""

    __slots__ = ("ciphertext", "key_id", "nonce")

    def __init__(self, key_id: str, nonce: bytes, ciphertext: bytes) -> None:
        self.key_id = key_id
        self.nonce = nonce
        self.ciphertext = ciphertext

    @classmethod
    def parse(cls, text: str) -> Envelope:
        found = _SHAPE.fullmatch(text)
        if found is None:
            raise EnvelopeError("malformed", "not a cg1 envelope")
        nonce, sealed = _unb64(found.group(2)), _unb64(found.group(3))
        if len(nonce) != NONCE or len(sealed) < _TAG:
            raise EnvelopeError("malformed", "envelope nonce or ciphertext has the wrong length")
        return cls(found.group(1), nonce, sealed)


def seal_text(key: DataKey, field: str, text: str) -> str:
    """`text` as an envelope under `key` (a fresh random nonce each time)."""
    sealed = key.seal(text.encode("utf-8"), aad(key.id, key.scope, field))
    return f"{PREFIX}{key.id}:{_b64(sealed[:NONCE])}:{_b64(sealed[NONCE:])}"


def open_text(key: DataKey, field: str, envelope: Envelope) -> str:
    """The text sealed in `envelope` (which names `key`); EnvelopeError when it does not open."""
    if envelope.key_id != key.id:
        raise EnvelopeError("tampered", "envelope names another key")
    try:
        raw = key.open(envelope.nonce + envelope.ciphertext, aad(key.id, key.scope, field))
        return raw.decode("utf-8")
    except (SealError, UnicodeDecodeError):
        raise EnvelopeError("tampered", "envelope does not open (tampered, moved or another key's)") from None
