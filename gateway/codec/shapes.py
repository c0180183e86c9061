"""JSON documents of one stream that differ from one read before only in the strings where text is read.

A streaming backend sends thousands of events of one shape (`{"choices":[{"delta":{"content":"..."}}]}`)
whose only change is the text. Reading each one whole (orjson, then the pointers over the parsed value)
costs more than anything else the relay does per event. A `Shapes` (one per stream or client connection, never shared) keeps
the shapes of documents the walk read: the text around each string it found a field in, byte for byte.
A document that is exactly that text around strings of JSON's own grammar has the same structure, the
same keys (repeated or special keys, EJSON objects, nesting: all as in the document read), and its fields
are those strings at the same paths: each is decoded by orjson, which refuses lone surrogate escapes as the
walk does. Anything else (another shape, a string that is not a plain JSON string, a field past the caps
where the walk would refuse) is no match: the caller reads the document the usual way.

A new shape is learnt by walking the document once more (`parse_document`: the offsets of its fields)
and only when the walk finds exactly the fields the codec gave; a field read from a number, a string
read as JSON (`@json`), or no field at all make no shape. Learning stops while shapes are not reused
(`learn` is then a no-op), so a stream of ever-new shapes costs about what it did.

A changed field is rendered as the walk renders it (`string_literal` spliced in place of the string),
so the bytes sent are the walk's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import orjson

from gateway.codec._base import CodecError, Extracted, FieldCaps, LimitExceeded, TextField
from gateway.codec.jsonpath import parse_document, string_literal
from gateway.codec.selection import Selection

__all__ = ["ConnectionShapes", "Shapes"]

# A JSON string as the grammar (RFC 8259) writes it: no raw control character, only the defined escapes.
# Runs of plain characters are taken whole and never given back (possessive): the grammar has one reading
# of any text (a backslash always starts an escape, a quote always ends), so nothing is lost, and the
# scan is one loop per run instead of one alternation per character, with no backtracking on a miss.
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]++|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*+"')
_KEPT = 4  # shapes kept per stream (most recently used first)
# Characters of a document around its field strings that a shape may keep: a chat envelope is a few hundred,
# and a stream or socket holds at most `_KEPT` of them (a client sending large documents of ever other
# shapes pins no more than this per shape, and those documents are read the usual way).
_KEPT_CHARS = 2048
_FREE_LEARNS = 8  # shapes learnt before any was reused; then one more per `_PER_LEARN` documents matched
_PER_LEARN = 4


class _Shape:
    __slots__ = ("paths", "segments")

    def __init__(self, segments: tuple[str, ...], paths: tuple[str, ...]) -> None:
        self.segments = segments  # the text before, between and after the field strings
        self.paths = paths


class Shapes:
    """The shapes of one stream's JSON documents (see above); `selection` and `caps` are its codec's."""

    __slots__ = ("_caps", "_hits", "_learnt", "_selection", "_shapes")

    def __init__(self, selection: Selection, caps: FieldCaps | None) -> None:
        self._selection = selection
        self._caps = caps
        self._shapes: list[_Shape] = []
        self._hits = 0
        self._learnt = 0

    def extract(self, text: str, original: bytes | str | None = None, encoding: str = "utf-8") -> Extracted | None:
        """The fields of `text` when it has a known shape (as `Codec.extract_frame` would give them, or
        `Codec.extract_http` for `original`, the body `text` was decoded from as `encoding`); None
        otherwise. Raises `LimitExceeded` as the codec would for a field past `max_chars`."""
        for number, shape in enumerate(self._shapes):
            spans = _match(shape.segments, text)
            if spans is None:
                continue
            caps = self._caps
            if len(spans) == 1:  # one field (most events): one value, no lists
                value = _string(text, *spans[0], caps)
                if value is None:
                    return None
                fields: tuple[TextField, ...] = (TextField(shape.paths[0], value),)
            else:
                try:
                    values = [orjson.loads(text[start:end]) for start, end in spans]
                except orjson.JSONDecodeError:
                    return None
                if caps is not None and max(map(len, values)) > caps.max_chars:
                    raise LimitExceeded("chars", caps.max_chars)
                fields = tuple([TextField(path, value) for path, value in zip(shape.paths, values, strict=True)])
            self._hits += 1
            if number:
                self._shapes.insert(0, self._shapes.pop(number))
            return _Spliced(text if original is None else original, fields, text, spans, encoding)
        return None

    def one(self, text: str) -> tuple[str, str, int, int] | None:
        """`(path, value, start, end)` of the one field of `text` when it has the shape read last and that shape
        has one field (most frames of a chat socket): the field `extract` gives, and where its string is, with
        no `Extracted` made (`spliced` makes it, should it be needed); None otherwise (ask `extract`). Raises
        `LimitExceeded` as `extract` does."""
        shapes = self._shapes
        if not shapes:
            return None
        shape = shapes[0]
        if len(shape.paths) != 1:
            return None
        spans = _match(shape.segments, text)
        if spans is None:
            return None
        start, end = spans[0]
        value = _string(text, start, end, self._caps)
        if value is None:
            return None
        self._hits += 1
        return shape.paths[0], value, start, end

    @staticmethod
    def spliced(text: str, found: tuple[str, str, int, int], original: bytes | str | None = None,
                encoding: str = "utf-8") -> Extracted:
        """What `extract` gives for `text` (`original` and `encoding` as it takes them), whose one field `one`
        found as `found`."""
        path, value, start, end = found
        return _Spliced(text if original is None else original, (TextField(path, value),), text, [(start, end)],
                        encoding)

    def learn(self, text: str, extracted: Extracted) -> None:
        """Keep the shape of `text`, whose fields the codec read as `extracted`, when it has one."""
        if not extracted.fields or self._learnt >= _FREE_LEARNS + self._hits // _PER_LEARN:
            return
        self._learnt += 1
        if len(text) - sum(len(field.text) for field in extracted.fields) > 2 * _KEPT_CHARS:
            return  # far too much around the fields (a field's string is never shorter than its text)
        walked: list[TextField] = []
        try:
            doc = parse_document(text, self._selection, walked)
        except CodecError:
            return
        if walked != list(extracted.fields) or doc.nested or doc.joined:
            return
        spans = sorted((start, end, index) for start, (end, index) in doc.leaves.items())
        if [index for _, _, index in spans] != list(range(len(walked))) or any(text[s] != '"' for s, _, _ in spans):
            return  # fields out of document order, or read from numbers
        segments, last = [], 0
        for start, end, _ in spans:
            segments.append(text[last:start])
            last = end
        segments.append(text[last:])
        if sum(map(len, segments)) > _KEPT_CHARS:
            return
        self._shapes.insert(0, _Shape(tuple(segments), tuple(field.path for field in walked)))
        del self._shapes[_KEPT:]


class _ShapedCodec(Protocol):
    def http_shapes(self) -> Shapes | None: ...


_SEEN = object()  # a codec one body of the connection was read with: the next one starts its shapes
_CODECS_KEPT = 8  # codecs (route directions) a connection keeps shapes for; then they start again


class ConnectionShapes:
    """The body shapes of one client connection, per codec (`Codec.http_shapes`); never shared.

    A kept-alive chat client sends its messages in one shape, and often reads answers of one: from
    its second body read with a codec on, that codec's shapes are kept, so a connection that sends
    one body never pays for learning a shape."""

    __slots__ = ("_by_codec",)

    def __init__(self) -> None:
        self._by_codec: dict[_ShapedCodec, object] = {}

    def of(self, codec: _ShapedCodec) -> Shapes | None:
        """`codec`'s shapes on this connection: None for the first body read with it, and for codecs
        that keep none."""
        found = self._by_codec.get(codec)
        if found is None:
            if len(self._by_codec) >= _CODECS_KEPT:
                self._by_codec.clear()
            self._by_codec[codec] = _SEEN
            return None
        if found is _SEEN:
            found = self._by_codec[codec] = codec.http_shapes()
        return found  # type: ignore[return-value]


def _string(text: str, start: int, end: int, caps: FieldCaps | None) -> str | None:
    """The value of the JSON string `text[start:end]` (quoted at both ends, `_match`); None when it is not one
    JSON string, or holds a lone surrogate escape (the codec refuses it, and says why). Raises `LimitExceeded`
    for a value past `caps.max_chars`, as the codec does."""
    try:
        value = orjson.loads(text[start:end])
    except orjson.JSONDecodeError:
        return None
    if type(value) is not str:  # pragma: no cover - quoted at both ends
        return None
    if caps is not None and len(value) > caps.max_chars:
        raise LimitExceeded("chars", caps.max_chars)
    return value


def _match(segments: tuple[str, ...], text: str) -> list[tuple[int, int]] | None:
    """Where the field strings of `text` are, when it is `segments` around JSON strings; else None."""
    if not text.startswith(segments[0]):
        return None
    at = len(segments[0])
    if len(segments) == 2:  # one field (most events): what lies between the two must be one JSON string,
        # which orjson tells as it reads it (`extract`): text quoted at both ends that it reads as one value
        # is one JSON string by the grammar (its strings are RFC 8259's; it refuses what follows a value)
        end = len(text) - len(segments[1])
        if end - at < 2 or not text.endswith(segments[1]) or text[at] != '"' or text[end - 1] != '"':
            return None
        return [(at, end)]
    spans: list[tuple[int, int]] = []
    for segment in segments[1:]:
        found = _STRING.match(text, at)
        if found is None:
            return None
        end = found.end()
        if not text.startswith(segment, end):
            return None
        spans.append((at, end))
        at = end + len(segment)
    return spans if at == len(text) else None


class _Spliced(Extracted):
    """The fields of a document read through its shape. What rendering needs (the text, the strings' spans)
    is kept as it is: most documents go on unchanged, so no renderer is made for them."""

    __slots__ = ("_spans", "_text")

    def __init__(self, original: bytes | str, fields: tuple[TextField, ...], text: str,
                 spans: list[tuple[int, int]], encoding: str) -> None:
        self.fields = fields
        self._original = original
        self._encoding = encoding
        self._text = text
        self._spans = spans

    def _rendered(self, changes: Mapping[int, str]) -> str | None:
        """The walk's rendering (`JsonDoc.render`): each changed string replaced by its new literal."""
        if not changes:  # pragma: no cover - `render` asks only with some
            return None
        text = self._text
        pieces: list[str] = []
        last = 0
        for index, (start, end) in enumerate(self._spans):
            if index in changes:
                pieces += (text[last:start], string_literal(changes[index], text[start:end]))
                last = end
        pieces.append(text[last:])
        return "".join(pieces)
