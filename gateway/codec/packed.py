"""MessagePack requests read as the JSON document they stand for, refusing what has no single reading.

Mattermost decodes a binary WebSocket request as MessagePack (vmihailenco/msgpack v5, into
`model.WebSocketRequest`), which the Calls plugin sends. Where actions are read, such a request is
turned into the JSON text of the same values, and that text is read exactly as a JSON request
(`gateway.codec.actions`), so one set of pointers and rules serves both. What Go would read
otherwise than this JSON, or what cannot be spelt as JSON, is refused:

- anything but a map on top (Go fills the struct from an array by position, and from nil with nothing);
- a key that is not a UTF-8 string (Go takes a binary key for a string, and builds maps of other key
  types below), a key repeated in one map (Go keeps the last member, and merges two `data` maps);
- at the top, `action`, `data` or `seq` in another case: Go's MessagePack names fields case-sensitively
  (`ACTION` is skipped) where its JSON reading folds case, so only the exact spelling is taken;
- extension types, the timestamp among them (Go decodes them to values of its own, and reads an extension
  header in front of a map as that map), strings that are not UTF-8, NaN and infinities, and data after
  the one value (Go ignores it; nothing a client sends has any);
- nesting deeper than the JSON walk allows (`json_limits.MAX_DEPTH`).

Binary values (`bin`) are data; one that is valid UTF-8 is read as the text a plugin may take it for.
Integers beyond what JavaScript holds exactly are read as their decimal text, so nothing is rounded.
A change the filters would make cannot be written back byte for byte (the original's encodings, float32
among them, are not kept), so it is refused: the request is blocked, never re-encoded.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack

from gateway.codec._base import CodecError
from gateway.codec.json_limits import MAX_DEPTH
from gateway.codec.keys import fold_key

__all__ = ["packed_as_json", "refuse_change"]

_FIELDS = {fold_key(name): name for name in ("seq", "action", "data")}  # model.WebSocketRequest's tags
_EXACT_INT = 2**53


class _Pairs(list[tuple[Any, Any]]):
    """A map's members in order, repeats kept."""


def _refuse_ext(code: int, data: bytes) -> Any:
    raise CodecError(f"a MessagePack extension type ({code}) in a WebSocket request")


def _value(value: Any, depth: int) -> Any:
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
    if depth >= MAX_DEPTH:
        raise CodecError(f"MessagePack request nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, _Pairs):
        return _map(value, depth + 1)
    if isinstance(value, list):
        return [_value(item, depth + 1) for item in value]
    raise CodecError(f"a MessagePack value of type {type(value).__name__} in a WebSocket request")


def _map(pairs: _Pairs, depth: int) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for key, item in pairs:
        if not isinstance(key, str):
            raise CodecError("a MessagePack map key that is not a string")
        if key in members:
            raise CodecError("a key repeated in a MessagePack map")
        members[key] = _value(item, depth)
    return members


def packed_as_json(frame: bytes) -> str:
    """The JSON text of one MessagePack WebSocket request; CodecError for what has no single reading."""
    try:
        message = msgpack.unpackb(frame, raw=False, object_pairs_hook=_Pairs, ext_hook=_refuse_ext,
                                  strict_map_key=True, use_list=True)
    except CodecError:
        raise
    except (ValueError, TypeError) as exc:  # truncated, extra data, bad UTF-8, too deep, a reserved byte
        raise CodecError(f"WebSocket request is not one valid MessagePack value ({type(exc).__name__})") from None
    if not isinstance(message, _Pairs):
        raise CodecError("MessagePack WebSocket request is not a map")
    for key, value in message:
        if isinstance(key, str) and _FIELDS.get(fold_key(key), key) != key:
            raise CodecError(f"MessagePack request key {key!r}: Go reads only the exact spelling")
        if key == "action" and not isinstance(value, str):
            raise CodecError("MessagePack request whose action is not a string (Go takes bin and nil for one)")
    return json.dumps(_map(message, 1), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def refuse_change(changes: object) -> str | None:
    """The renderer of a MessagePack request: a change cannot be written back as it came."""
    raise CodecError("a filter would change a MessagePack request: it is refused, not re-encoded")
