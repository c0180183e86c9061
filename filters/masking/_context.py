"""Judging a candidate by what surrounds it: words before it, the token it sits in.

Checksums cannot tell a card from an epoch timestamp that happens to pass Luhn, or a
phone number from an order number; the words in front of the value usually can.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_MAX_TOKEN = 256


def before(text: str, start: int, width: int = 32) -> str:
    """The lower-cased `width` characters before `start`."""
    return text[max(0, start - width):start].lower()


def has_word(text: str, words: re.Pattern[str]) -> bool:
    return words.search(text) is not None


def enclosing_token(text: str, start: int, end: int) -> str:
    """The whitespace-delimited token around `text[start:end]` (bounded, for long lines)."""
    left = start
    limit = max(0, start - _MAX_TOKEN)
    while left > limit and not _SPACE.match(text[left - 1]):
        left -= 1
    right = end
    limit = min(len(text), end + _MAX_TOKEN)
    while right < limit and not _SPACE.match(text[right]):
        right += 1
    return text[left:right]


def in_url(token: str) -> bool:
    return "://" in token or token.lower().startswith("www.")


def is_identifier(token: str) -> bool:
    """UUIDs and hex digests: long digit runs inside them are not values."""
    if _UUID.search(token):
        return True
    found = _HEX.search(token)
    return found is not None and any(c in "abcdefABCDEF" for c in found.group())


def ascii_alnum(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")
