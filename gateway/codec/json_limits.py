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
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
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
    high_end = -1  # where the last unpaired high surrogate escape ended
    for found in _ESCAPE.finditer(text):
        code = int(found.group(1), 16) if found.group(1) else -1
        if high_end >= 0:
            if 0xDC00 <= code <= 0xDFFF and found.start() == high_end:
                high_end = -1
                continue
            raise CodecError("JSON string holds a lone surrogate escape")
        if 0xD800 <= code <= 0xDBFF:
            high_end = found.end()
        elif 0xDC00 <= code <= 0xDFFF:
            raise CodecError("JSON string holds a lone surrogate escape")
    if high_end >= 0:
        raise CodecError("JSON string holds a lone surrogate escape")
