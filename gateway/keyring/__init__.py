"""The key service: envelope encryption for data at rest (transcripts, encrypted message fields).

A data key per scope (AES-256-GCM), wrapped by a key-encryption key (KEK) from a file, the
environment or a KMS (`KeyWrapper`). Rotating the KEK re-wraps data keys only; erasing a
scope deletes its keys (crypto-shredding). How to use it: docs/keys.md.
"""

from gateway.database import Database
from gateway.keyring.config import KekSource, KeySettings, KmsSettings, parse_kek
from gateway.keyring.kek import KeyWrapper, LocalKek, WrapError, wrappers
from gateway.keyring.service import DataKey, KeyService, KeyUnavailable, RewrapReport, SealError

__all__ = [
    "DataKey", "KekSource", "KeyService", "KeySettings", "KeyUnavailable", "KeyWrapper", "KmsSettings",
    "LocalKek", "RewrapReport", "SealError", "WrapError", "build_key_service", "parse_kek", "wrappers",
]


def build_key_service(settings: KeySettings, db: Database, path: str = "keys") -> KeyService:
    """A key service over `db` from the `keys:` settings (call `setup()` before use)."""
    current, previous = wrappers(settings, path)
    return KeyService(db, current, previous, cache_ttl=float(settings.cache_ttl), cache_size=settings.cache_size)
