"""The `keys:` section: where the key-encryption key (KEK) comes from, and where data keys live.

```yaml
keys:
  kek_file: /run/secrets/chatguard-kek    # 32 bytes as 64 hex digits or base64; or kek_env, or kms
  previous: []                            # older KEKs, still accepted for unwrapping during a rotation
  store: ""                               # database URL for the wrapped data keys ("": transcripts.store)
  cache_ttl: 60s                          # how long an unwrapped data key is kept in memory
```
Exactly one KEK source per entry. The KEK itself never appears in an error message.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from filters.options import Duration, OptionsError, join

_FACTORY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_kek(text: str, path: str) -> bytes:
    """A 256-bit key from 64 hex digits or base64 (standard or URL-safe); else a config error."""
    raw = text.strip()
    key: bytes | None = None
    if len(raw) == 64 and all(c in "0123456789abcdefABCDEF" for c in raw):
        key = bytes.fromhex(raw)
    else:
        padded = raw + "=" * (-len(raw) % 4)
        for alphabet in (None, b"-_"):
            try:
                key = base64.b64decode(padded, altchars=alphabet, validate=True)
                break
            except (binascii.Error, ValueError):
                continue
    if key is None or len(key) != 32:
        raise OptionsError(path, "expected a 256-bit key: 64 hex digits or 32 bytes in base64")
    return key


@dataclass(frozen=True)
class KmsSettings:
    """A key-management service: `factory` ("package.module:callable") builds a `KeyWrapper` from `options`."""

    factory: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def validate(self, path: str) -> None:
        if not _FACTORY.match(self.factory):
            raise OptionsError(join(path, "factory"), f"expected package.module:callable, got {self.factory!r}")


@dataclass(frozen=True)
class KekSource:
    """One key-encryption key: the key itself (usually `kek_file`), an environment variable, or a KMS."""

    kek: str = field(default="", repr=False)
    kek_env: str = ""
    kms: KmsSettings | None = None

    @property
    def configured(self) -> bool:
        return bool(self.kek or self.kek_env or self.kms)

    def material(self, path: str) -> bytes:
        """The local KEK's bytes (from `kek` or the environment); config error when unusable."""
        if self.kek:
            return parse_kek(self.kek, join(path, "kek"))
        value = os.environ.get(self.kek_env, "")
        if not value:
            raise OptionsError(join(path, "kek_env"), f"environment variable {self.kek_env} is not set")
        return parse_kek(value, join(path, "kek_env"))

    def validate(self, path: str) -> None:
        given = [name for name in ("kek", "kek_env", "kms") if getattr(self, name)]
        if len(given) > 1:
            raise OptionsError(join(path, given[1]), f"give one of kek (or kek_file), kek_env, kms; not {' and '.join(given)}")
        if self.kek_env and not _ENV_NAME.match(self.kek_env):
            raise OptionsError(join(path, "kek_env"), f"expected an environment variable name, got {self.kek_env!r}")
        if self.kek or self.kek_env:
            self.material(path)


@dataclass(frozen=True)
class KeySettings(KekSource):
    """The current KEK (fields of `KekSource`), older ones for unwrapping, the store, the cache."""

    previous: tuple[KekSource, ...] = ()
    store: str = field(default="", repr=False)
    cache_ttl: Duration = Duration(60)
    cache_size: int = 10_000

    @property
    def enabled(self) -> bool:
        return self.configured

    def validate(self, path: str) -> None:
        super().validate(path)
        for i, source in enumerate(self.previous):
            if not source.configured:
                raise OptionsError(join(join(path, "previous"), i), "give one of kek_file, kek_env, kms")
        if self.previous and not self.configured:
            raise OptionsError(join(path, "kek"), "previous KEKs need a current one (kek_file, kek_env or kms)")
        if self.store and not self.store.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise OptionsError(join(path, "store"), "expected a sqlite:/// or postgresql:// URL")
        if self.cache_size < 1:
            raise OptionsError(join(path, "cache_size"), f"expected >= 1, got {self.cache_size}")
