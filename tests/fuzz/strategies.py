"""Inputs for the fuzz targets: well-formed payloads, then the same bytes cut, spliced and flipped.

Parsers reject random noise on the first byte, so most inputs start from a valid message of
the protocol and are then damaged: that is where parsers go wrong.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Strings that have broken parsers: escapes, surrogates, separators, markup, look-alike keys.
NASTY = st.sampled_from([
    "", "\x00", "\ufeff", "\ud800", "\\u0000", "%00", "%2e%2e", "%252e", "..", "/", "//", "\\", ";", "?", "#",
    "\r\n", "\n", "\r", "\u2028", "\u202e", "ſ", "K", "İ", "__proto__", "constructor", "$date", "<", "]]>",
    "&amp;", "&#0;", "\"", "'", "{", "}", "[", "]", ",", ":", "--", "=", "&", "+", "%", "\t", " ", "ß",
    "a" * 300, "😀", "\U0010ffff", "\x7f", "\x85", "42", "0", "-1", "1e999", "NaN",
])
TEXT = st.one_of(st.text(max_size=20), NASTY, st.builds(lambda a, b: a + b, NASTY, st.text(max_size=8)))
KEYS = st.one_of(st.sampled_from(["text", "body", "msg", "message", "messages", "Text", "TEXT", "content"]), TEXT)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False, allow_infinity=False),
              TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25)


def _json_text(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, indent=style - 1)


JSON_TEXT = st.builds(_json_text, JSON_VALUES, st.integers(0, 3))


@st.composite
def damaged(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """`base` cut, spliced, duplicated or with bytes flipped: near-valid input."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 4))
        at = draw(st.integers(0, len(data))) if data else 0
        if op == 0:
            del data[at:at + draw(st.integers(1, 8))]
        elif op == 1:
            data[at:at] = draw(st.binary(min_size=1, max_size=6))
        elif op == 2 and data:
            data[min(at, len(data) - 1)] ^= draw(st.integers(1, 255))
        elif op == 3:
            data[at:at] = draw(st.sampled_from(NASTY_BYTES))
        else:
            data += data[at:]
    return bytes(data)


NASTY_BYTES = [b"\x00", b"\xff", b"\xc0\xae", b"\xed\xa0\x80", b"\r\n", b"\r", b"\n\n", b'"', b"\\", b"{", b"]",
               b"<", b"&#x0;", b"%", b"--", b"\xef\xbb\xbf"]


def utf8(text: str) -> bytes:
    """Text as UTF-8, lone surrogates included (as the invalid bytes a hostile client sends)."""
    return text.encode("utf-8", "surrogatepass")


def either(valid: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Valid inputs, damaged ones, and plain random bytes."""
    return st.one_of(valid, damaged(valid), st.binary(max_size=200))
