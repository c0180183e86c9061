"""Placeholder styles: what replaces a detected value.

`redact` says only what was there, `partial` keeps what people need to talk about
it (last digits, the mail domain), `hash` keeps equality without the value (a
keyed HMAC, so nobody without the key can test guesses), `tokenize` points into the
vault so that permitted readers can get the original back.
"""

from __future__ import annotations

import hashlib
import hmac

from filters._patterns import text_pattern
from filters.masking._model import Detection

# What `tokenize` emits; the outbound side looks for exactly this shape.
TOKEN_PLACEHOLDER = text_pattern(r"\[([A-Z][A-Z0-9_]{0,31}) (tok_[A-Za-z0-9_\-]{22})\]")
_DIGIT_TYPES = frozenset({"card", "ssn", "phone"})


def label(kind: str) -> str:
    return kind.upper()


def canonical(detection: Detection) -> str:
    """The value as compared for hashes and tokens: separators and case do not matter."""
    if detection.type in _DIGIT_TYPES:
        return "".join(c for c in detection.value if c.isdigit())
    if detection.type in ("email", "ip", "iban"):
        return "".join(detection.value.split()).lower()
    return detection.value


def redact(detection: Detection) -> str:
    return f"[{label(detection.type)}]"


def partial(detection: Detection) -> str:
    """Enough to refer to the value, never enough to use it."""
    kind, value = detection.type, canonical(detection)
    if kind in ("card", "phone") and len(value) >= 10:
        return f"[{label(kind)} ****{value[-4:]}]"
    if kind == "ssn":
        return f"[SSN ***-**-{value[-4:]}]"
    if kind == "iban":
        return f"[IBAN {value[:2].upper()}****{value[-4:]}]"
    if kind == "email":
        return f"[EMAIL ***@{value.partition('@')[2]}]"
    if kind == "ip":
        if ":" in value:
            return f"[IP {':'.join(value.split(':')[:2])}:*]"
        return f"[IP {'.'.join(value.split('.')[:2])}.*.*]"
    if kind == "secret":
        return f"[SECRET {detection.detector}]"
    return redact(detection)


def hashed(detection: Detection, key: bytes) -> str:
    digest = hmac.new(key, f"{detection.type}\x00{canonical(detection)}".encode(), hashlib.sha256)
    return f"[{label(detection.type)}#{digest.hexdigest()[:8]}]"


def tokenized(detection: Detection, token: str) -> str:
    return f"[{label(detection.type)} {token}]"
