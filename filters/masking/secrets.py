"""Credentials: provider tokens with fixed prefixes, PEM private keys, JWTs and
`password=` / `api_key:` assignments whose value looks random.

Provider prefixes (`ghp_`, `AKIA`, `xoxb-`, ...) make these near-certain; the
assignment rule needs an entropy test so that "password: required" stays readable.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Iterator

import orjson

from filters.masking._context import ascii_alnum
from filters.masking._model import Detection

_AWS = ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA")
# (detector, literals one of which must occur, pattern); every pattern starts with a fixed literal and uses bounded classes.
_TOKENS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("aws_access_key", _AWS, re.compile(r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}")),
    ("github_token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), re.compile(r"gh[pousr]_[A-Za-z0-9]{36,255}")),
    ("github_token", ("github_pat_",), re.compile(r"github_pat_[A-Za-z0-9_]{22,255}")),
    ("gitlab_token", ("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "gloas-", "glcbt-", "glimt-",
                      "glagent-"), re.compile(r"gl(?:pat|dt|rt|ptt|ft|soat|oas|cbt|imt|agent)-[A-Za-z0-9_\-]{20,255}")),
    ("slack_token", ("xox",), re.compile(r"xox[abposre]-[A-Za-z0-9\-]{10,255}")),
    ("slack_token", ("xapp-",), re.compile(r"xapp-\d-[A-Za-z0-9\-]{10,255}")),
    ("slack_webhook", ("hooks.slack",), re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/\-]{20,255}")),
    ("stripe_key", ("sk_live_", "sk_test_", "rk_live_", "rk_test_"), re.compile(r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255}")),
    ("stripe_key", ("whsec_",), re.compile(r"whsec_[A-Za-z0-9]{20,255}")),
    ("google_api_key", ("AIza",), re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("google_oauth", ("ya29.",), re.compile(r"ya29\.[0-9A-Za-z_\-]{20,2048}")),
    ("google_oauth", ("GOCSPX-",), re.compile(r"GOCSPX-[0-9A-Za-z_\-]{28}")),
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]{5,4096}\.[A-Za-z0-9_\-]{2,16384}\.[A-Za-z0-9_\-]{0,4096}")
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?)-----")
_ASSIGNMENT = re.compile(
    r"(?i:\b(?:password|passwd|pwd|passphrase|pass|secret|client_secret|secret_key|api[_\-]?key|apikey|"
    r"access[_\-]?key|access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|bearer|token|private[_\-]?key|"
    r"aws_secret_access_key|credentials?))"
    r"[\"']?[ \t]{0,4}(?::|=|=>|:=|(?i:\bis\b))[ \t]{0,4}[\"']?([^\s\"',;<>]{6,512})"
)
_BEARER = re.compile(r"(?i:\bbearer)[ \t]{1,4}([A-Za-z0-9\-._~+/]{16,4096}=*)")
LITERALS = (*{lit for _, literals, _ in _TOKENS for lit in literals}, "eyJ", "-----BEGIN")
KEYWORDS = ("pass", "pwd", "secret", "token", "key", "bearer", "credential")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def random_looking(value: str) -> bool:
    """True for values that look generated rather than typed as a word."""
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    if len(value) >= 8 and entropy(value) >= 3.0 and classes >= 2:
        return True
    return len(value) >= 6 and classes >= 3


def _jwt_header(value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict) and "alg" in decoded


class SecretDetector:
    type = "secret"

    @staticmethod
    def hinted(text: str) -> bool:
        """Cheap test: could any secret be in `text`? (substring checks, no regex)"""
        if any(literal in text for literal in LITERALS):
            return True
        lowered = text.lower()
        return any(keyword in lowered for keyword in KEYWORDS)

    def detect(self, text: str) -> Iterator[Detection]:
        yield from self._tokens(text)
        if "eyJ" in text:
            yield from self._jwts(text)
        if "-----BEGIN" in text:
            yield from self._pem(text)
        lowered = text.lower()
        if any(keyword in lowered for keyword in KEYWORDS):
            yield from self._assignments(text)

    @staticmethod
    def _tokens(text: str) -> Iterator[Detection]:
        for name, literals, pattern in _TOKENS:
            if not any(literal in text for literal in literals):
                continue
            for found in pattern.finditer(text):
                start, end = found.start(), found.end()
                if start > 0 and ascii_alnum(text[start - 1]):
                    continue
                if end < len(text) and ascii_alnum(text[end]):
                    continue
                yield Detection("secret", start, end, name, 0.99, found.group())

    @staticmethod
    def _jwts(text: str) -> Iterator[Detection]:
        for found in _JWT.finditer(text):
            if found.start() > 0 and ascii_alnum(text[found.start() - 1]):
                continue
            if _jwt_header(found.group()):
                yield Detection("secret", found.start(), found.end(), "jwt", 0.99, found.group())

    @staticmethod
    def _pem(text: str) -> Iterator[Detection]:
        for found in _PEM_BEGIN.finditer(text):
            footer = f"-----END {found.group(1)}-----"
            stop = text.find(footer, found.end())
            # No footer (cut off, or split on a stream): mask to the end, fail closed.
            end = len(text) if stop < 0 else stop + len(footer)
            yield Detection("secret", found.start(), end, "private_key", 0.99, text[found.start():end])

    @staticmethod
    def _assignments(text: str) -> Iterator[Detection]:
        for found in _ASSIGNMENT.finditer(text):
            value = found.group(1)
            if random_looking(value):
                yield Detection("secret", found.start(1), found.end(1), "assignment", 0.85, value)
        for found in _BEARER.finditer(text):
            if random_looking(found.group(1)):
                yield Detection("secret", found.start(1), found.end(1), "bearer", 0.9, found.group(1))
