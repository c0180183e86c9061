"""One audit entry: its canonical bytes, its hash, and what it may contain.

Writer and verifier must agree on the exact bytes that get hashed, so both go through
`canonical()` (orjson, sorted keys, plain JSON types only). Event fields are cleaned
here, once, before anything is hashed: keys that may carry a raw value (a message
text, a password, a token, a TOTP code, a secret) are dropped wherever they appear,
because an audit trail is kept for years and must never become a copy of the data
it protects.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

GENESIS = "0" * 64
RESERVED = frozenset({"seq", "ts", "event", "prev", "hash"})
CHECKPOINT = "checkpoint"
MAX_STRING = 1024
MAX_DEPTH = 8

# Key parts that mark a raw value. Matched against the words of a key
# (`accessToken`, `new_password`, `totp-code` all hit), plural forms included.
_SENSITIVE = frozenset({
    "text", "password", "passwd", "pwd", "passphrase", "token", "code", "secret", "otp", "totp",
    "cookie", "authorization", "credential", "credentials", "apikey", "body", "plaintext",
})
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


class Event(NamedTuple):
    """An event waiting to be chained: when it happened, what it was, its cleaned fields."""

    ts: str
    event: str
    fields: dict[str, Any]


def sensitive_key(key: str) -> bool:
    """True when a key's name says its value could be a secret or a raw message."""
    words = [w.lower() for w in _WORDS.findall(key)]
    if not words:
        return False
    joined = "".join(words)
    return any(w in _SENSITIVE or w.rstrip("s") in _SENSITIVE for w in words) or joined in _SENSITIVE


def _clean(value: Any, path: str, dropped: list[str], depth: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "...[truncated]"
    if depth >= MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for raw_key, item in value.items():
            key = str(raw_key)
            where = f"{path}.{key}" if path else key
            if sensitive_key(key):
                dropped.append(where)
                continue
            out[key] = _clean(item, where, dropped, depth + 1)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_clean(item, f"{path}[{i}]", dropped, depth + 1) for i, item in enumerate(items)]
    enum_value = getattr(value, "value", None)
    if enum_value is not None and isinstance(enum_value, str | int):
        return enum_value
    if isinstance(value, datetime):
        return iso(value)
    return _clean(str(value), path, dropped, depth)


def clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Event fields reduced to plain JSON, sensitive keys dropped (their names listed in `redacted`).

    Fields named like the chain's own keys are kept under a trailing underscore so an
    event can never overwrite `seq`, `prev` or `hash`.
    """
    dropped: list[str] = []
    cleaned = _clean(dict(fields), "", dropped, 0)
    out: dict[str, Any] = {}
    for key, value in cleaned.items():
        out[f"{key}_" if key in RESERVED or key == "redacted" else key] = value
    if dropped:
        out["redacted"] = dropped
    return out


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds and a `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(obj: Mapping[str, Any]) -> bytes:
    """The one serialisation that is hashed, signed and written."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def digest(body: Mapping[str, Any]) -> str:
    """Hex SHA-256 of an entry's canonical bytes without its `hash` key."""
    return hashlib.sha256(canonical(body)).hexdigest()


def seal(body: dict[str, Any]) -> tuple[str, bytes]:
    """Add `hash` to an entry body; returns the hash and the line to write (with newline)."""
    entry_hash = digest(body)
    return entry_hash, canonical({**body, "hash": entry_hash}) + b"\n"
