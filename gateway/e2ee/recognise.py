"""Is a client's message end-to-end encrypted, plaintext, or no message event at all?

Read the way each protocol marks it, never by guessing from the bytes:
- Matrix: the event type in the send path (`/rooms/{room}/send/m.room.encrypted/{txn}`);
  every other type sent to a room is a plaintext message event.
- XMPP: a `<message>` stanza carrying OMEMO (`<encrypted>` in `eu.siacs.conversations.axolotl`
  or `urn:xmpp:omemo:2`) is encrypted; one with a `<body>` and no such element is plaintext.
  Presences, IQs and chat states are not message events. The fallback `<body>` an OMEMO client
  adds for old clients stays plaintext to the filters (it is read and filtered like any body).
- Custom apps: a JSON pointer whose value is a (non-empty) string of ciphertext.
"""

from __future__ import annotations

import enum
import json
import pyexpat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from gateway.codec import Pointer

__all__ = ["MATRIX_ENCRYPTED", "OMEMO_NAMESPACES", "Kind", "Recogniser"]

MATRIX_ENCRYPTED = "m.room.encrypted"
OMEMO_NAMESPACES = frozenset({"eu.siacs.conversations.axolotl", "urn:xmpp:omemo:2"})
_SEP = "\x1f"


class Kind(enum.Enum):
    ENCRYPTED = "encrypted"
    PLAINTEXT = "plaintext"
    NONE = "none"            # not a message event (state, presence, receipts, ...): no policy applies


@dataclass(frozen=True, slots=True)
class Recogniser:
    """How one route's client messages are recognised; built once per route."""

    event_type: str = ""                  # Matrix: the path variable naming the event type
    pointers: tuple[Pointer, ...] = ()    # custom apps: where ciphertext lives
    omemo: bool = False                   # the route reads XMPP stanzas: OMEMO marks encryption

    @property
    def active(self) -> bool:
        return bool(self.event_type or self.pointers or self.omemo)

    @property
    def reads_body(self) -> bool:
        return bool(self.pointers or self.omemo)

    def kinds(self, params: Mapping[str, str], payload: bytes | str) -> frozenset[Kind]:
        """Every kind of message event `payload` holds (a BOSH body may hold several stanzas)."""
        if self.event_type:
            event_type = params.get(self.event_type)
            if event_type is not None:
                return frozenset({Kind.ENCRYPTED if event_type == MATRIX_ENCRYPTED else Kind.PLAINTEXT})
        if self.omemo:
            return xmpp_kinds(payload.encode() if isinstance(payload, str) else payload)
        if self.pointers:
            return frozenset({json_kind(payload, self.pointers)})
        return frozenset({Kind.NONE})


def json_kind(payload: bytes | str, pointers: Sequence[Pointer]) -> Kind:
    """ENCRYPTED when a pointer reaches a non-empty string; a JSON message without one is PLAINTEXT.
    A body that is not JSON is NONE here: the route's codec refuses it."""
    doc = load_json(payload)
    if doc is _UNREADABLE:
        return Kind.NONE
    for pointer in pointers:
        if any(isinstance(value, str) and value for value in _values(doc, pointer.segments)):
            return Kind.ENCRYPTED
    return Kind.PLAINTEXT


_UNREADABLE = object()


def load_json(payload: bytes | str) -> object:
    """The document as the route's codec reads it (Python's own parser: big numbers, 1e400 and all,
    so nothing the codec accepts is unreadable here); `_UNREADABLE` when it does not parse."""
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _values(node: object, segments: Sequence[str]) -> Iterator[object]:
    if not segments:
        yield node
        return
    head, rest = segments[0], segments[1:]
    if isinstance(node, dict):
        children = node.values() if head == "*" else ([node[head]] if head in node else [])
    elif isinstance(node, list):
        children = node if head == "*" else ([node[int(head)]] if head.isdigit() and int(head) < len(node) else [])
    else:
        return
    for child in children:
        yield from _values(child, rest)


class _Refused(Exception):
    """A DTD: never expanded here (the XMPP codec refuses the payload with the reason)."""


def _refuse_dtd(*_: object) -> None:
    raise _Refused


class _Stanzas:
    """expat callbacks: the kind of each top-level `<message>` (inside a BOSH `<body>` too)."""

    def __init__(self) -> None:
        self.depth = 0
        self.top = 0                 # depth of stanzas: 1, or 2 inside a BOSH <body/>
        self.message: list[bool] | None = None  # [has body, has OMEMO] of the open message stanza
        self.kinds: set[Kind] = set()

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(_SEP)
        self.depth += 1
        if self.depth == 1:
            self.top = 2 if local == "body" and namespace == "http://jabber.org/protocol/httpbind" else 1
        if self.depth == self.top and local == "message":
            self.message = [False, False]
        elif self.message is not None and self.depth == self.top + 1:
            if local == "body":
                self.message[0] = True
            elif local == "encrypted" and namespace in OMEMO_NAMESPACES:
                self.message[1] = True

    def end(self, name: str) -> None:
        if self.message is not None and self.depth == self.top:
            has_body, omemo = self.message
            if omemo:
                self.kinds.add(Kind.ENCRYPTED)
            elif has_body:
                self.kinds.add(Kind.PLAINTEXT)
            self.message = None
        self.depth -= 1


def xmpp_kinds(data: bytes) -> frozenset[Kind]:
    """Kinds of the message stanzas in one XMPP payload; NONE when it holds no message (or does not
    parse: the route's XMPP codec refuses it with the reason)."""
    if not data.strip():
        return frozenset({Kind.NONE})
    parser = pyexpat.ParserCreate(encoding="UTF-8", namespace_separator=_SEP)
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    stanzas = _Stanzas()
    parser.StartElementHandler = stanzas.start
    parser.EndElementHandler = stanzas.end
    parser.StartDoctypeDeclHandler = _refuse_dtd   # so no entity is ever declared, let alone expanded
    try:
        parser.Parse(data, True)
    except (pyexpat.ExpatError, RecursionError, _Refused):
        return frozenset({Kind.NONE})
    return frozenset(stanzas.kinds) or frozenset({Kind.NONE})
