"""What a JSON walk must never see: nesting deeper than MAX_DEPTH, and lone surrogate escapes.

Both are refused before any walk starts: deep nesting is an attack on the parser (real chat
payloads nest a dozen levels), and a lone surrogate is text that no UTF-8 backend can store,
which JavaScript and Python parsers accept while others replace or refuse it.
"""

from __future__ import annotations

import re
from itertools import accumulate

from gateway.codec._base import CodecError

__all__ = ["MAX_DEPTH", "check_document"]

MAX_DEPTH = 64
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# A pair of surrogate escapes, or one alone; a literal prefix, so the text between is scanned at C speed.
_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_document(text: str) -> None:
    """Refuse what the walk must never see: nesting deeper than MAX_DEPTH, lone surrogate escapes."""
    if text.count("[") + text.count("{") > MAX_DEPTH:  # fewer openings cannot nest deeper
        brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
        if brackets and max(accumulate(_DELTA[c] for c in brackets)) > MAX_DEPTH:
            raise CodecError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if "\\u" in text:
        _check_surrogates(text)


def _check_surrogates(text: str) -> None:
    """Refuse a surrogate escape that is not half of a pair. Only what looks like a surrogate escape is
    visited, a pair at a time; it is one when an even number of backslashes stands before it
    (`\\\\uD800` is a backslash and letters), counted back over a run no other candidate shares, so
    the work stays linear. What follows a high surrogate spelled as letters is an escape itself."""
    if "\\ud" not in text and "\\uD" not in text:
        return
    for found in _SURROGATE.finditer(text):
        start = before = found.start()
        while before and text[before - 1] == "\\":
            before -= 1
        # an escape alone, or a backslash and letters followed by the escape of a low surrogate
        if ((start - before) % 2 == 0) == (found.group(1) is None):
            raise CodecError("JSON string holds a lone surrogate escape")
