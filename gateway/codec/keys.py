"""Object keys read the way the backend reads them.

- Case folding (`fold_key`): Go's `encoding/json` matches a struct field whatever the case of the key,
  by simple Unicode case folding (`Message`, `MESSAGE`, `meſſage` with a long s, `tıtle` with a
  dotless i all fill the same field). `fold_key` maps a key to one representative of its fold class,
  the smallest character reachable through lower, upper and single-character case folding, which
  is what Go's `foldRune` picks; ASCII keys fold to upper case.
- Keys no chat payload needs and some backends treat specially are refused: `__proto__`
  anywhere (a JavaScript backend that copies the body with `Object.assign` or a deep merge makes
  its value the prototype, so `msg.text` reads text the gateway never saw as `text`), and, on a
  pointer's way, the objects Meteor's EJSON rewrites before a method sees them: `{"$escape": {...}}`
  (it unwraps one level, showing keys the pointers did not see), and where text is read,
  `$binary` and `$type` (bytes or a custom type instead of the text inspected). `$date` and the
  other converters only make values that hold no text, so they pass.
- Keys holding a control character (`\u0000`, `\n`, DEL, C1...) anywhere: a backend that reads keys
  as C strings stops at NUL and sees another key (`text\u0000x` becomes `text`), others strip or
  mangle controls; no chat payload needs them, so the reading cannot differ.
"""

from __future__ import annotations

import functools
import json
import re

from gateway.codec._base import CodecError

__all__ = ["PROTO", "check_ejson", "fold_key", "refuse_special_keys"]

PROTO = "__proto__"
# Key sets of the objects EJSON.fromJSONValue replaces with something a pointer cannot follow.
_EJSON_UNWRAPS = frozenset({"$escape"})
_EJSON_NOT_TEXT = frozenset({frozenset({"$binary"}), frozenset({"$type", "$value"})})
# A \u escape of an ASCII letter or `_`: the only way to spell __proto__ without the literal text.
_ESCAPED_NAME_CHAR = re.compile(r"\\u00(?:4[1-9a-fA-F]|5[0-9aAfF]|6[1-9a-fA-F]|7[0-9aA])")
# What may spell a control character in a JSON text: an escape, or DEL and C1 written as themselves
# (C0 cannot stand unescaped in valid JSON). A hit only means the keys are looked at one by one.
_ESCAPED_CONTROL = re.compile(r"\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])")
_RAW_CONTROL = re.compile(r"[\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    reached = {char}
    todo = [char]
    while todo:
        current = todo.pop()
        for other in (current.lower(), current.upper(), current.casefold()):
            if len(other) == 1 and other not in reached:
                reached.add(other)
                todo.append(other)
    return min(reached)


def fold_key(key: str) -> str:
    """The representative of `key`'s case-fold class (two keys Go would match fold alike)."""
    if key.isascii():
        return key.upper()
    return "".join(_fold_char(char) for char in key)


def check_ejson(keys: set[str], text: bool) -> None:
    """Refuse an object on a pointer's way that EJSON would replace before the backend reads it
    (`text`: the object sits where text is read)."""
    if len(keys) > 2:
        return
    if keys == _EJSON_UNWRAPS or (text and frozenset(keys) in _EJSON_NOT_TEXT):
        raise CodecError(f"an EJSON {'/'.join(sorted(keys))} object on a text path")


def refuse_special_keys(text: str) -> None:
    """Refuse a JSON text (already validated) with a `__proto__` key or a key holding a control
    character anywhere in it.

    Most texts cannot hold either, which substring tests at C speed show (a regular expression scans
    only a text that has the characters it looks for); the others have their keys read by the C
    decoder, never a character at a time in Python, so a megabyte costs milliseconds."""
    proto = PROTO in text or ("\\u00" in text and _ESCAPED_NAME_CHAR.search(text) is not None)
    control = _may_hold_control(text)
    if not proto and not control:
        return

    def members(pairs: list[tuple[str, object]]) -> None:
        for key, _ in pairs:
            if key == PROTO:
                raise CodecError("a __proto__ key in a JSON object")
            if control and _CONTROL.search(key):
                raise CodecError("a JSON object key holds a control character")

    try:
        json.loads(text, object_pairs_hook=members, parse_int=_nothing, parse_float=_nothing,
                   parse_constant=_nothing)
    except ValueError as exc:  # not reached for a validated text; refused rather than passed
        raise CodecError(f"invalid JSON: {exc}") from None


def _may_hold_control(text: str) -> bool:
    """Whether `text` may spell a control character (an escape, or DEL/C1 as itself). Substring tests
    answer first where they suffice: most texts hold no backslash, and in an ASCII text the only raw
    character of the class is DEL."""
    if "\\" in text and _ESCAPED_CONTROL.search(text) is not None:
        return True
    return "\x7f" in text if text.isascii() else _RAW_CONTROL.search(text) is not None


def _nothing(_: str) -> None:
    """Numbers and constants are not keys: not even converted."""
