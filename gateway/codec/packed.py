"""MessagePack requests read as the JSON document they stand for, refusing what has no single reading.

Mattermost decodes a binary WebSocket request as MessagePack (vmihailenco/msgpack v5, into
`model.WebSocketRequest`), which the Calls plugin sends. Where actions are read, such a request is
turned into the JSON text of the same values, and that text is read exactly as a JSON request
(`gateway.codec.actions`), so one set of pointers and rules serves both. What Go would read
otherwise than this JSON, or what cannot be spelt as JSON, is refused:

- anything but a map on top (Go fills the struct from an array by position, and from nil with nothing);
- a key that is not a UTF-8 string (Go takes a binary key for a string, and builds maps of other key
  types below), a key repeated in one map (Go keeps the last member, and merges two `data` maps);
- an action that is not a string (Go takes a binary one and nil, as "", for one);
- at the top, `action`, `data` or `seq` in another case: Go's MessagePack names fields case-sensitively
  (`ACTION` is skipped) where its JSON reading folds case, so only the exact spelling is taken;
- extension types, the timestamp among them (Go decodes them to values of its own, and reads an extension
  header in front of a map as that map), strings that are not UTF-8, NaN and infinities, and data after
  the one value (Go ignores it; nothing a client sends has any);
- nesting deeper than the JSON walk allows (`json_limits.MAX_DEPTH`).

Binary values (`bin`) are data; one that is valid UTF-8 is read as the text a plugin may take it for.
Integers beyond what JavaScript holds exactly are read as their decimal text, so nothing is rounded.

A change the filters make is written back in place: only the changed string's bytes are replaced, kept a
string (or binary) with a length header no narrower than the original's; every other byte stays as it came.
A change to anything else (a number, an integer read as text) cannot be written back as Go would read it,
and is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import msgpack

from gateway.codec._base import CodecError, Extracted, Renderer, TextField
from gateway.codec.json_limits import MAX_DEPTH
from gateway.codec.keys import fold_key

__all__ = ["Packed", "PackedExtracted", "read_packed"]

_FIELDS = {fold_key(name): name for name in ("seq", "action", "data")}  # model.WebSocketRequest's tags
_EXACT_INT = 2**53
_MAPS = frozenset([*range(0x80, 0x90), 0xDE, 0xDF])
_ARRAYS = frozenset([*range(0x90, 0xA0), 0xDC, 0xDD])
_STRINGS = frozenset([*range(0xA0, 0xC0), 0xD9, 0xDA, 0xDB])
_BINARIES = frozenset([0xC4, 0xC5, 0xC6])
_REFUSED = frozenset([0xC1, 0xC7, 0xC8, 0xC9, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8])  # reserved, extension types
# Length headers, narrowest first: (largest length, first byte or None for fixstr, bytes of length).
_STR_HEADERS = ((31, None, 0), (0xFF, 0xD9, 1), (0xFFFF, 0xDA, 2), (0xFFFFFFFF, 0xDB, 4))
_BIN_HEADERS = ((0xFF, 0xC4, 1), (0xFFFF, 0xC5, 2), (0xFFFFFFFF, 0xC6, 4))


def _refuse_ext(code: int, data: bytes) -> Any:
    raise CodecError(f"a MessagePack extension type ({code}) in a WebSocket request")


def _scalar(value: Any) -> Any:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -_EXACT_INT <= value <= _EXACT_INT else str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CodecError("NaN or an infinity in a MessagePack request")
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")  # a plugin may read it as text
        except UnicodeDecodeError:
            return None  # data; holds no text
    raise CodecError(f"a MessagePack value of type {type(value).__name__} in a WebSocket request")


class Packed:
    """One MessagePack request: the JSON text of its values, and where each scalar (`leaves`, in document
    order, as the JSON text lists them) sits in the frame."""

    __slots__ = ("frame", "leaves", "text", "tree")

    def __init__(self, frame: bytes, tree: dict[str, Any], leaves: list[tuple[int, int]]) -> None:
        self.frame = frame
        self.tree = tree
        self.leaves = leaves
        self.text = json.dumps(tree, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def rewritten(self, text: str) -> bytes:
        """The frame with the strings the JSON text `text` changes replaced in place; CodecError when something
        else changed."""
        splices: list[tuple[int, int, bytes]] = []
        leaves = iter(self.leaves)

        def compare(old: Any, new: Any) -> None:
            if isinstance(old, dict):
                for key, value in old.items():
                    compare(value, new[key])
            elif isinstance(old, list):
                for value, changed in zip(old, new, strict=True):
                    compare(value, changed)
            else:
                start, end = next(leaves)
                if new != old or type(new) is not type(old):
                    splices.append((start, end, self._string(start, old, new)))
        try:
            compare(self.tree, json.loads(text))
        except (KeyError, TypeError, ValueError, StopIteration):  # pragma: no cover - renderers change literals only
            raise CodecError("a MessagePack request changed beyond its strings") from None
        out = bytearray()
        at = 0
        for start, end, data in splices:
            out += self.frame[at:start]
            out += data
            at = end
        out += self.frame[at:]
        return bytes(out)

    def _string(self, start: int, old: Any, new: Any) -> bytes:
        code = self.frame[start]
        if not (isinstance(old, str) and isinstance(new, str)) or code not in _STRINGS and code not in _BINARIES:
            raise CodecError("a filter would change a MessagePack value that is not a string: refused")
        data = new.encode("utf-8")
        headers = _BIN_HEADERS if code in _BINARIES else _STR_HEADERS
        width = next(i for i, (_, first, _) in enumerate(headers) if first == code or first is None and code < 0xC0)
        for largest, first, size in headers[width:]:
            if len(data) <= largest:
                head = bytes([0xA0 | len(data)]) if first is None else bytes([first]) + len(data).to_bytes(size, "big")
                return head + data
        raise CodecError("a rewritten MessagePack string is too long")  # pragma: no cover - frames are small


class _Reader:
    """Walks one frame with msgpack's Unpacker, value by value, to know where each one sits."""

    __slots__ = ("frame", "leaves", "unpacker")

    def __init__(self, frame: bytes) -> None:
        self.frame = frame
        self.leaves: list[tuple[int, int]] = []
        self.unpacker = msgpack.Unpacker(raw=False, ext_hook=_refuse_ext, strict_map_key=False,
                                         max_buffer_size=max(len(frame), 1))
        self.unpacker.feed(frame)

    def value(self, depth: int) -> Any:
        unpacker = self.unpacker
        start = unpacker.tell()
        code = self.frame[start]
        if code in _MAPS or code in _ARRAYS:
            if depth >= MAX_DEPTH:
                raise CodecError(f"MessagePack request nested deeper than {MAX_DEPTH} levels")
            if code in _ARRAYS:
                return [self.value(depth + 1) for _ in range(unpacker.read_array_header())]
            members: dict[str, Any] = {}
            for _ in range(unpacker.read_map_header()):
                if self.frame[unpacker.tell()] not in _STRINGS:
                    raise CodecError("a MessagePack map key that is not a string (Go reads binary ones as one)")
                key = unpacker.unpack()
                if key in members:
                    raise CodecError("a key repeated in a MessagePack map")
                if depth == 1 and key == "action" and self.frame[unpacker.tell()] not in _STRINGS:
                    raise CodecError("MessagePack request whose action is not a string (Go takes bin and nil for one)")
                members[key] = self.value(depth + 1)
            return members
        if code in _REFUSED:
            raise CodecError(f"MessagePack type byte {code:#04x} (reserved, or an extension) in a WebSocket request")
        value = _scalar(unpacker.unpack())
        self.leaves.append((start, unpacker.tell()))
        return value


def read_packed(frame: bytes) -> Packed:
    """One MessagePack WebSocket request read as JSON; CodecError for what has no single reading."""
    if not frame or frame[0] not in _MAPS:
        raise CodecError("MessagePack WebSocket request is not a map")
    reader = _Reader(frame)
    try:
        tree = reader.value(1)
        end = reader.unpacker.tell()
    except CodecError:
        raise
    except (ValueError, IndexError, msgpack.UnpackException):  # cut short, a bad length, bad UTF-8
        raise CodecError("WebSocket request is not one valid MessagePack value") from None
    if end != len(frame):
        raise CodecError("data after the MessagePack value of a WebSocket request")
    for key in tree:
        if _FIELDS.get(fold_key(key), key) != key:
            raise CodecError(f"MessagePack request key {key!r}: Go reads only the exact spelling")
    return Packed(frame, tree, reader.leaves)


class PackedExtracted(Extracted):
    """The fields of a MessagePack request, read through its JSON text; rendering writes changed strings
    back into the frame itself."""

    __slots__ = ("_packed",)

    def __init__(self, packed: Packed, fields: Sequence[TextField], renderer: Renderer) -> None:
        super().__init__(packed.text, fields, renderer)
        self._packed = packed

    def render(self, replacements: Mapping[int, str]) -> bytes | str:
        text = super().render(replacements)
        packed = self._packed
        if text is packed.text:
            return packed.frame
        return packed.rewritten(str(text))
