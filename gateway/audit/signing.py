"""Ed25519 keys for checkpoint signatures: loading and a short key id.

Checkpoints carry the key id so a verifier holding several public keys (after a key
rotation) can tell which one to use, and a wrong key is reported as such.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def load_private_key(pem: str | bytes) -> Ed25519PrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a readable unencrypted PEM private key ({exc.__class__.__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 key, got {type(key).__name__.removeprefix('_')}")
    return key


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """A public key PEM, or the public half of a private key PEM."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"PRIVATE KEY" in data:
        return load_private_key(data).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a readable PEM public key ({exc.__class__.__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 key, got {type(key).__name__.removeprefix('_')}")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(private: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.urlsafe_b64encode(private.sign(payload)).decode().rstrip("=")


def signature_ok(public: Ed25519PublicKey, payload: bytes, sig: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        public.verify(raw, payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
