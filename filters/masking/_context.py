"""Judging a candidate by what surrounds it: words before it, the token it sits in.

Checksums cannot tell a card from an epoch timestamp that happens to pass Luhn, or a
phone number from an order number; the words in front of the value usually can.
Everything here reads a bounded window around the candidate, so its cost does not
grow with the message.
"""

from __future__ import annotations

from filters._patterns import Pattern, each_spans, found, text_pattern

_UUID = text_pattern(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = text_pattern(r"[0-9a-fA-F]{16,}")
_MAX_TOKEN = 256
_HEX_LETTERS = frozenset("abcdefABCDEF")


def before(text: str, start: int, width: int = 32) -> str:
    """The lower-cased `width` characters before `start`."""
    return text[max(0, start - width):start].lower()


def wordless(context: str) -> bool:
    """True when `context` holds only digits, spaces and dashes: no word can match in it (a cheap
    test that spares a regex search next to every number of a long list)."""
    return context.replace(" ", "").replace("-", "").isdigit() or not context.strip()


def has_word(text: str, words: Pattern) -> bool:
    return found(words, text)


def enclosing_token(text: str, start: int, end: int) -> str:
    """The whitespace-delimited token around `text[start:end]` (at most 256 characters each side)."""
    left = text[max(0, start - _MAX_TOKEN):start]
    right = text[end:end + _MAX_TOKEN]
    head = left.rsplit(None, 1)[-1] if left and not left[-1].isspace() else ""
    tail = right.split(None, 1)[0] if right and not right[0].isspace() else ""
    return head + text[start:end] + tail


def in_url(token: str) -> bool:
    return "://" in token or token.lower().startswith("www.")


def is_identifier(token: str) -> bool:
    """UUIDs and hex digests: long digit runs inside them are not values."""
    if len(token) < 16:
        return False
    if "-" in token and found(_UUID, token):
        return True
    if _HEX_LETTERS.isdisjoint(token):
        return False  # a digest needs a hex letter, and most numbers have none: no regex run
    return any(any(c in "abcdefABCDEF" for c in token[a:b]) for (a, b), *_ in each_spans(_HEX, token))


def ascii_alnum(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")
