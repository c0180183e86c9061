"""The masking filter's options, checked once at startup with exact key paths.

```yaml
filters:
  mask:
    use: masking
    options:
      detect: [card, ssn, iban, email, phone, ip, secret]   # default: all
      style: redact                   # redact | partial | hash | tokenize
      styles: {secret: redact, card: tokenize}   # per type (built-in or rule name)
      hash_key_file: /run/secrets/mask_hash_key  # needed by `hash` (16+ characters)
      vault_key_file: /run/secrets/mask_vault_key   # needed by `tokenize`: 64 hex or base64 of 32 bytes
      token_ttl: 30d
      directions: [inbound, outbound]
      mask_sample_ssns: false         # true: also mask the published sample SSNs (078-05-1120, ...)
      stream_hold: 512                # max characters a stream holds back
      websocket_streams: false        # true: outbound frames of a connection are one stream (token bots)
      max_values: 1000                # candidate values each detector examines per field
      over_max_values: redact         # redact: the rest of the field becomes [REDACTED]; block: refuse it
      rules:
        - {name: employee_id, pattern: "EMP-[0-9]{6}"}
        - {name: project, keywords: [falcon, "blue harbor"], style: redact}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from filters.masking import custom
from filters.masking.engine import BUILTIN, MAX_VALUES
from filters.masking.vault import parse_key
from filters.options import Duration, OptionsError, join

Style = Literal["redact", "partial", "hash", "tokenize"]
BuiltinType = Literal["card", "ssn", "iban", "email", "phone", "ip", "secret"]
DirectionName = Literal["inbound", "outbound"]
Overflowing = Literal["redact", "block"]


@dataclass(frozen=True)
class Rule:
    """A custom rule: a re2 regex, a keyword list, or both; `name` is its finding type."""

    name: str
    pattern: str | None = None
    keywords: tuple[str, ...] = ()
    case_sensitive: bool = False
    style: Style | None = None

    def validate(self, path: str) -> None:
        custom.check_name(self.name, join(path, "name"))
        if self.name in BUILTIN:
            raise OptionsError(join(path, "name"), f"{self.name!r} is a built-in type")
        custom.build(self.name, self.pattern, self.keywords, self.case_sensitive, path)


@dataclass(frozen=True)
class MaskingOptions:
    detect: tuple[BuiltinType, ...] = ("card", "ssn", "iban", "email", "phone", "ip", "secret")
    style: Style = "redact"
    styles: Mapping[str, Style] = field(default_factory=lambda: MappingProxyType({}))
    hash_key: str = ""  # HMAC key for style hash, 16+ characters (give hash_key_file)
    vault_key: str = ""  # AES-256 key for style tokenize: 64 hex or base64 of 32 bytes (give vault_key_file)
    token_ttl: Duration = Duration(30 * 86400)  # how long a tokenised value can be turned back
    directions: tuple[DirectionName, ...] = ("inbound", "outbound")  # which way messages are masked
    # Sample SSNs printed in advertising and documentation (078-05-1120, 219-09-9999, 457-55-5462)
    # were never issued to anyone; they are left readable unless this is set.
    mask_sample_ssns: bool = False
    stream_hold: int = 512
    # Off by default: a stream holds back the last word of a frame until the next one, right
    # for a bot streaming tokens, wrong for chat where every frame is a whole message.
    websocket_streams: bool = False
    rules: tuple[Rule, ...] = ()  # your own types: {name, pattern or keywords, style}
    # A field made of nothing but candidates (numbers, addresses, key-like strings) would cost
    # milliseconds per KB to examine one by one: past `max_values` candidates the rest of the field
    # is never let through unexamined but replaced by [REDACTED] (`redact`), or refused (`block`).
    max_values: int = MAX_VALUES
    over_max_values: Overflowing = "redact"

    def style_of(self, kind: str) -> Style:
        for rule in self.rules:
            if rule.name == kind and rule.style is not None:
                return rule.style
        return self.styles.get(kind, self.style)

    @property
    def types(self) -> tuple[str, ...]:
        return (*self.detect, *(rule.name for rule in self.rules))

    def validate(self, path: str) -> None:
        types = self.types
        for kind in self.styles:
            if kind not in types:
                raise OptionsError(join(join(path, "styles"), kind),
                                   f"unknown type (known: {', '.join(types)})")
        names = [rule.name for rule in self.rules]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise OptionsError(join(join(join(path, "rules"), i), "name"), f"duplicate rule {name!r}")
        used = {self.style_of(kind) for kind in types}
        if "hash" in used and len(self.hash_key) < 16:
            raise OptionsError(join(path, "hash_key"), "style hash needs a hash_key of 16+ characters")
        if "tokenize" in used:
            if not self.vault_key:
                raise OptionsError(join(path, "vault_key"), "style tokenize needs a vault_key")
            parse_key(self.vault_key, join(path, "vault_key"))
        if not 16 <= self.max_values <= 1_000_000:
            raise OptionsError(join(path, "max_values"), "expected 16..1000000 candidate values")
        if not 64 <= self.stream_hold <= 65536:
            raise OptionsError(join(path, "stream_hold"), "expected 64..65536 characters")
        if self.token_ttl <= 0:
            raise OptionsError(join(path, "token_ttl"), "expected a duration > 0")
