"""Socket.IO v4 packets inside Engine.IO v4 frames (WebSocket) and payloads (HTTP long-polling).

Engine.IO: the first character is the packet type; only `4` (message) carries a Socket.IO packet,
every other type (open, close, ping, pong, upgrade, noop) passes untouched. Socket.IO:
`<type>[<attachments>-][/<namespace>,][<ack id>][JSON]`, e.g. `42["chat message",{"text":"hi"}]`,
`42/chat,["ev",...]`, `421["ev",...]`, `451-["upload",{"_placeholder":true,"num":0}]`.
Events (2) and binary events (5) are selected by name (`*`: every event); their pointers address
the event's arguments without the name: `/0` is the first argument, `/0/text` a key inside it,
`/*` every argument. Binary attachments travel in their own frames and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from gateway.codec._base import CodecError, Renderer, TextField
from gateway.codec.jsonpath import WILDCARD, Pointer, State, Walker, walk_document

__all__ = ["extract_engineio", "extract_polling"]

_PACKET = re.compile(r"([0-6])(?:(\d+)-)?(/[^,]*,|/[^,]*$)?(\d+)?")
_EVENTS = frozenset("25")
_RECORD_SEPARATOR = "\x1e"


def extract_engineio(frame: str, events: Mapping[str, Sequence[Pointer]], fields: list[TextField],
                     names: list[str] | None = None) -> Renderer | None:
    """Fields of one Engine.IO text packet; None when the packet carries nothing to inspect.

    `names`, when given, receives the event name of an event packet (for per-message access rules).
    """
    if not frame or frame[0] not in "0123456":
        raise CodecError("not an Engine.IO packet")
    if frame[0] != "4":
        return None
    header = _PACKET.match(frame, 1)
    if header is None:
        raise CodecError("not a Socket.IO packet")
    kind, namespace = header.group(1), header.group(3) or ""
    if kind not in _EVENTS:
        return None
    start = header.end()
    prefix = frame[:start]
    label = f"4{kind}{namespace}"

    def root(walker: Walker, pos: int) -> int:
        event: list[str] = []  # the event name, once read
        pointers: list[Pointer] = []

        def argument(index: int, at: int) -> int:
            if index == 0:
                name = _event_name(walker, at)
                if names is not None:
                    names.append(name)
                event.append(f"{label}[{name}]")
                pointers.extend([*events.get(name, ()), *events.get(WILDCARD, ())])
                return walker.skip(at)
            token = str(index - 1)
            states: list[State] = [(p.segments, 1) for p in pointers
                                   if p.segments and p.segments[0] in (WILDCARD, token)]
            if not states:
                return walker.skip(at)
            return walker.value(at, states, f"{event[0]}/{token}")
        end = walker.elements(pos, argument)
        if not event:
            raise CodecError("Socket.IO event without a name")
        return end

    doc = walk_document(frame[start:], fields, root)
    render = doc.render

    def rendered(changes: Mapping[int, str]) -> str | None:
        payload = render(changes)
        return None if payload is None else prefix + payload
    return rendered


def _event_name(walker: Walker, pos: int) -> str:
    char = walker.text[pos]
    if char == '"':
        return walker.string(pos)[0]
    if char == "-" or char.isdigit():  # socket.io-parser accepts numeric event names too
        return walker.text[pos:walker.skip(pos)]
    raise CodecError("Socket.IO event name must be a string or a number")


def extract_polling(payload: str, events: Mapping[str, Sequence[Pointer]], fields: list[TextField]) -> Renderer | None:
    """Engine.IO v4 long-polling payload: packets joined by the record separator (0x1e)."""
    packets = payload.split(_RECORD_SEPARATOR)
    parts: list[tuple[int, Renderer]] = []
    for position, packet in enumerate(packets):
        if packet.startswith("b"):  # base64 binary packet: an attachment, not text
            continue
        render = extract_engineio(packet, events, fields)
        if render is not None:
            parts.append((position, render))
    if not parts:
        return None

    def rendered(changes: Mapping[int, str]) -> str | None:
        out = list(packets)
        touched = False
        for position, render in parts:
            new = render(changes)
            if new is not None:
                out[position] = new
                touched = True
        return _RECORD_SEPARATOR.join(out) if touched else None
    return rendered
