"""Meteor DDP messages, bare (Rocket.Chat's `/websocket`) or inside SockJS frames (`/sockjs/...`).

A DDP message is one JSON object. Method calls (`"msg": "method"`) are selected by method name,
collection updates (`added`, `changed`, `addedBefore`) by collection name, method results
(`"msg": "result"`, which name no method) by `#result`; `*` selects all of them. Pointers
address the whole DDP message: `/params/0/msg` for `sendMessage`, `/fields/args/*/msg` for
`stream-room-messages`, `/result/messages/*/msg` for `loadHistory` answers.

Meteor reads `params`, `fields` and `result` through EJSON, which rewrites some objects before a
method sees them (`{"$escape": {...}}` loses a level): such an object on a pointer's way is
refused by the JSON walk, as are repeated keys anywhere in the message.

SockJS frames from the server: `o` (open), `h` (heartbeat), `c[code,"reason"]` (close),
`a["msg1","msg2"]` (messages, each a JSON string holding one DDP message), `m"msg"` (one message,
old servers). From the client: `["msg1",...]` or `"msg"`. A frame starting with `{` is bare DDP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from gateway.codec._base import CodecError, Renderer, TextField
from gateway.codec.jsonpath import Walker, check_document, parse_document, reject_constant, walk_document
from gateway.codec.selection import NamedSelections

__all__ = ["RESULT", "extract_ddp", "extract_enveloped", "extract_sockjs"]

RESULT = "#result"
_COLLECTION_MESSAGES = frozenset({"added", "changed", "addedBefore"})


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise CodecError("duplicate key in a DDP message")
    return result


def extract_ddp(text: str, selector: NamedSelections, fields: list[TextField],
                label: str = "", names: list[str] | None = None) -> Renderer | None:
    """Fields of one DDP message; None when it is not a selected method or collection.

    `names`, when given, receives the method name of a `method` message; one without a string
    name is recorded as "" so that access rules refuse it instead of waving it through.
    """
    check_document(text)
    try:
        message = json.loads(text, object_pairs_hook=_unique, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        raise CodecError("DDP message is not valid JSON") from None
    if not isinstance(message, dict):
        raise CodecError("DDP message is not a JSON object")
    kind = message.get("msg")
    name = message.get("method") if kind == "method" else (
        message.get("collection") if kind in _COLLECTION_MESSAGES else (RESULT if kind == "result" else None))
    if names is not None and kind == "method":
        names.append(name if isinstance(name, str) else "")
    if not isinstance(name, str):
        return None
    selection = selector.get(name)
    if selection is None:
        return None
    return parse_document(text, selection, fields, f"{label}{name}").render


def extract_sockjs(frame: str, selector: NamedSelections, fields: list[TextField],
                   names: list[str] | None = None) -> Renderer | None:
    """Fields of one SockJS frame or bare DDP message (method names into `names`, when given)."""
    if frame in ("o", "h"):
        return None
    head = frame[:1]
    if head == "c":
        return None
    if head == "{":
        return extract_ddp(frame, selector, fields, names=names)
    if head in ("a", "m"):
        start = 1
    elif head in ("[", '"'):
        start = 0
    else:
        raise CodecError("not a SockJS frame or DDP message")
    prefix = frame[:start]

    def message(walker: Walker, index: int, pos: int) -> int:
        text, end = walker.string(pos)
        render = extract_ddp(text, selector, fields, f"{prefix}[{index}]:", names)
        if render is not None:
            walker.doc.nested[pos] = (end, render)
        return end

    def root(walker: Walker, pos: int) -> int:
        if walker.text[pos] == '"':
            return message(walker, 0, pos)
        return walker.elements(pos, lambda index, at: message(walker, index, at))

    doc = walk_document(frame[start:], fields, root, selector.automaton)
    if not doc.nested:
        return None
    render = doc.render

    def rendered(changes: Mapping[int, str]) -> str | None:
        payload = render(changes)
        return None if payload is None else prefix + payload
    return rendered


def extract_enveloped(text: str, envelope: Sequence[str], selector: NamedSelections, fields: list[TextField],
                      names: list[str] | None = None, *, answer: bool = False) -> Renderer | None:
    """A JSON object whose string at `envelope` (pointer segments) holds one DDP message.

    Rocket.Chat's REST `method.call/<m>` and `method.callAnon/<m>` take `{"message": "<DDP>"}`
    and run the method the inner message names, answering `{"message": "<DDP result>"}`. A
    request without that string is refused: the backend would refuse it too, and nothing else
    is read. An `answer` may lack it (`{"success": false, "error": ...}`) or hold plain text
    there (`{"status": "error", "message": "You must be logged in"}`): that text is a field.
    """
    def follow(walker: Walker, pos: int, depth: int) -> int:
        if depth == len(envelope):
            inner, end = walker.string(pos)
            found.append(pos)
            if answer and not inner.lstrip().startswith("{"):
                walker.add_field(pos, end, "/" + "/".join(envelope), inner)
                return end
            render = extract_ddp(inner, selector, fields, "", names)
            if render is not None:
                walker.doc.nested[pos] = (end, render)
            return end
        return walker.members(pos, lambda key, at: follow(walker, at, depth + 1) if key == envelope[depth]
                              else walker.skip(at))

    found: list[int] = []
    doc = walk_document(text, fields, lambda walker, pos: follow(walker, pos, 0), selector.automaton)
    if not found and not answer:
        raise CodecError(f"no DDP message at /{'/'.join(envelope)}")
    return doc.render if doc.nested or doc.leaves else None
