"""JSON documents: find string values by pointer, and splice new strings in at their exact offsets.

Pointers are RFC 6901 (`/content/body`, `~0` for `~`, `~1` for `/`) with two extra segments:
`*` matches every member of an object or every element of an array, and `@json` descends into a
string that itself holds a JSON document (Mattermost's `posted` event carries its post that way:
`/data/post/@json/message`). On an object or array, `@json` is a no-op, so a pointer keeps
working when a server sends that value as real JSON instead. Only string values are ever
returned; numbers, booleans and nulls at a pointer are ignored, never offered as text.

The walk only descends where some pointer leads; everything else is skipped with the C scanner
of the standard library, which validates it on the way. Objects on a pointer's way must not
repeat a key (the backend might read the other copy). Rendering replaces exactly the bytes of the
changed string literals: the rest of the document is forwarded as it came.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from gateway.codec._base import CodecError, Renderer, TextField

__all__ = [
    "JSON_STEP", "MAX_DEPTH", "WILDCARD", "JsonDoc", "Pointer", "State", "Walker",
    "check_document", "parse_document", "reject_constant", "states_of", "walk_document",
]

WILDCARD = "*"
JSON_STEP = "@json"
MAX_DEPTH = 64  # real chat payloads nest a dozen levels; deeper is an attack on the parser

State = tuple[tuple[str, ...], int]  # pointer segments and the index of the next one to match

_WS = re.compile(r"[ \t\n\r]*")
_SPACE = " \t\n\r"
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}


def reject_constant(name: str) -> float:
    raise CodecError(f"{name} is not JSON")


# The C scanners behind json.loads: one reads a value and returns where it ends, one a string.
_SCAN: Callable[[str, int], tuple[object, int]] = json.JSONDecoder(
    parse_constant=reject_constant).scan_once  # type: ignore[attr-defined]
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Pointer:
    """A parsed field pointer; `parse` raises ValueError with a message fit for a config error."""

    text: str
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Pointer:
        if text == "":
            return cls(text, ())
        if not text.startswith("/"):
            raise ValueError(f"a JSON pointer starts with '/', got {text!r}")
        segments = []
        for token in text[1:].split("/"):
            if re.search(r"~(?![01])", token):
                raise ValueError(f"bad escape in JSON pointer {text!r} ('~' must be followed by 0 or 1)")
            segments.append(token.replace("~1", "/").replace("~0", "~"))
        return cls(text, tuple(segments))


def escape(token: str) -> str:
    """A key as an RFC 6901 pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


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


def string_literal(text: str, original: str) -> str:
    """`text` as a JSON string literal, \\u-escaped if the literal it replaces was."""
    return json.dumps(text, ensure_ascii=original.isascii() and "\\u" in original)


class JsonDoc:
    """One JSON text and what was found in it: string fields and nested payloads, by offset."""

    __slots__ = ("leaves", "nested", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.leaves: dict[int, tuple[int, int]] = {}         # literal start -> (end, field index)
        self.nested: dict[int, tuple[int, Renderer]] = {}    # literal start -> (end, inner renderer)

    def render(self, changes: Mapping[int, str]) -> str | None:
        """The text with changed literals spliced in, or None when nothing in it changed."""
        splices: list[tuple[int, int, str]] = []
        replaced: set[int] = set()
        for start, (end, index) in self.leaves.items():
            if index in changes:
                splices.append((start, end, string_literal(changes[index], self.text[start:end])))
                replaced.add(start)
        for start, (end, inner) in self.nested.items():
            if start in replaced:  # the whole string was rewritten as a field: that wins
                continue
            rendered = inner(changes)
            if rendered is not None:
                splices.append((start, end, string_literal(rendered, self.text[start:end])))
        if not splices:
            return None
        splices.sort()
        pieces: list[str] = []
        last = 0
        for start, end, literal in splices:
            pieces += (self.text[last:start], literal)
            last = end
        pieces.append(self.text[last:])
        return "".join(pieces)


class Walker:
    """Walks one JsonDoc along pointer states, recording string fields into a shared list."""

    __slots__ = ("doc", "fields", "text")

    def __init__(self, doc: JsonDoc, fields: list[TextField]) -> None:
        self.doc = doc
        self.text = doc.text
        self.fields = fields

    def ws(self, pos: int) -> int:
        """Past any whitespace at `pos` (the end of the text is a valid answer)."""
        text = self.text
        if pos < len(text) and text[pos] in _SPACE:
            return _WS.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string too
        return pos

    def skip(self, pos: int) -> int:
        """End of the value at `pos`, validated but not looked into."""
        try:
            return int(_SCAN(self.text, pos)[1])
        except StopIteration:
            raise CodecError(f"expected a JSON value at offset {pos}") from None

    def string(self, pos: int) -> tuple[str, int]:
        if self.text[pos] != '"':
            raise CodecError(f"expected a JSON string at offset {pos}")
        value, end = scanstring(self.text, pos + 1, True)
        return value, end

    def add_field(self, start: int, end: int, path: str, text: str) -> None:
        if start not in self.doc.leaves:  # two pointers may select the same string: offer it once
            self.doc.leaves[start] = (end, len(self.fields))
            self.fields.append(TextField(path, text))

    def value(self, pos: int, states: Sequence[State], path: str) -> int:
        """Walk the value at `pos` for `states`; returns its end."""
        char = self.text[pos]
        if char == '"':
            text, end = self.string(pos)
            if any(i == len(segments) for segments, i in states):
                self.add_field(pos, end, path, text)
            inner = [(segments, i + 1) for segments, i in states if i < len(segments) and segments[i] == JSON_STEP]
            if inner:
                nested = parse_document(text, inner, self.fields, f"{path}/{JSON_STEP}")
                self.doc.nested[pos] = (end, nested.render)
            return end
        if char not in "{[":
            return self.skip(pos)
        while any(i < len(segments) and segments[i] == JSON_STEP for segments, i in states):
            states = [(s, i + 1) if i < len(s) and s[i] == JSON_STEP else (s, i) for s, i in states]
        pending = [(segments, i) for segments, i in states if i < len(segments)]
        if not pending:
            return self.skip(pos)
        if char == "{":
            def member(key: str, at: int) -> int:
                nxt = [(s, i + 1) for s, i in pending if s[i] == WILDCARD or s[i] == key]
                return self.value(at, nxt, f"{path}/{escape(key)}") if nxt else self.skip(at)
            return self.members(pos, member)

        def element(index: int, at: int) -> int:
            token = str(index)
            nxt = [(s, i + 1) for s, i in pending if s[i] == WILDCARD or s[i] == token]
            return self.value(at, nxt, f"{path}/{token}") if nxt else self.skip(at)
        return self.elements(pos, element)

    def members(self, pos: int, visit: Callable[[str, int], int]) -> int:
        """Visit each member of the object at `pos` (visit returns the member value's end)."""
        text, space, skip_space = self.text, _SPACE, _WS.match
        if text[pos] != "{":
            raise CodecError(f"expected a JSON object at offset {pos}")
        pos = self.ws(pos + 1)
        if text[pos] == "}":
            return pos + 1
        seen: set[str] = set()
        while True:
            if text[pos] != '"':
                raise CodecError(f"expected a JSON string at offset {pos}")
            key, pos = scanstring(text, pos + 1, True)
            if key in seen:
                raise CodecError("duplicate key in a JSON object")
            seen.add(key)
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            if text[pos] != ":":
                raise CodecError(f"expected ':' at offset {pos}")
            pos += 1
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            pos = visit(key, pos)
            if text[pos] in space:
                pos = skip_space(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos += 1
                if text[pos] in space:
                    pos = skip_space(text, pos).end()  # type: ignore[union-attr]
                continue
            if text[pos] == "}":
                return pos + 1
            raise CodecError(f"expected ',' or '}}' at offset {pos}")

    def elements(self, pos: int, visit: Callable[[int, int], int]) -> int:
        """Visit each element of the array at `pos` (visit returns the element's end)."""
        text = self.text
        if text[pos] != "[":
            raise CodecError(f"expected a JSON array at offset {pos}")
        pos = self.ws(pos + 1)
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self.ws(visit(index, pos))
            if text[pos] == "]":
                return pos + 1
            if text[pos] != ",":
                raise CodecError(f"expected ',' or ']' at offset {pos}")
            pos = self.ws(pos + 1)
            index += 1


def walk_document(text: str, fields: list[TextField],
                  root: Callable[[Walker, int], int]) -> JsonDoc:
    """Check `text`, let `root` walk its top value, and insist nothing follows it."""
    check_document(text)
    doc = JsonDoc(text)
    walker = Walker(doc, fields)
    try:
        end = walker.ws(root(walker, walker.ws(0)))
    except CodecError:
        raise
    except IndexError:
        raise CodecError("JSON text ends too early") from None
    except RecursionError:
        raise CodecError("JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and int() refusing a number of thousands of digits
        raise CodecError(f"invalid JSON: {exc}") from None
    if end != len(text):
        raise CodecError(f"unexpected data after the JSON value at offset {end}")
    return doc


def parse_document(text: str, states: Sequence[State], fields: list[TextField], path: str = "") -> JsonDoc:
    """Walk a whole JSON text for `states`, appending the string fields found to `fields`."""
    return walk_document(text, fields, lambda walker, pos: walker.value(pos, states, path))


def states_of(pointers: Sequence[Pointer]) -> list[State]:
    return [(pointer.segments, 0) for pointer in pointers]
