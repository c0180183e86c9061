"""Socket.IO v4 packets inside Engine.IO v4 frames (WebSocket) and payloads (HTTP long-polling).

Engine.IO: the first character is the packet type; only `4` (message) carries a Socket.IO packet,
every other type (open, close, ping, pong, upgrade, noop) passes untouched, but only in its exact
v4 form (`2`, `3probe`, `0{...}`): `12:42[...]`, a v3 polling payload, is not a close packet. Socket.IO:
`<type>[<attachments>-][/<namespace>,][<ack id>][JSON]`, e.g. `42["chat message",{"text":"hi"}]`,
`42/chat,["ev",...]`, `421["ev",...]`, `451-["upload",{"_placeholder":true,"num":0}]`.

Events (2) and binary events (5) are selected by name (`*`: every event); their pointers address
the event's arguments without the name: `/0` is the first argument, `/0/text` a key inside it,
`/*` every argument. Acknowledgements (3, and binary 6) carry a callback's arguments and no name:
they are read with the pointers under `#ack`, or, when none are declared, with every pointer the
direction declares for any event, since an ack may answer any of them.

Read as socket.io-parser reads it, and refused where it would not be: the attachment count only
on binary packets, the payload right after the header (no blank, which the parser would take for
an ack id), event names that are a string (not a reserved one) or an integer written as JavaScript
prints it (`7`, not `7.0`, `7e0` or `-0`, which the JavaScript server files under another name than
python-socketio does), no payload on a disconnect. A binary packet's `_placeholder` objects become the attachments' bytes on the server:
one where the route reads text is refused; elsewhere it is data, and the attachment frames that
follow pass as they are. Engine.IO v3 frames differently: `check_version` refuses it.

A CONNECT packet's payload (`40{"username":"ann"}`, `40/chat,{...}`) is the handshake's `auth` object,
which servers read (`socket.handshake.auth`) and often show others (a user name announced to the room).
It is read with the pointers declared under `#connect`, addressing the object itself (`/username`);
never with `*`'s, since it also carries credentials. Where `#connect` is declared, a payload that is
not an object is refused, as socket.io-parser refuses it.

Binary data is read as socket.io-parser reads it: only as the attachments a binary packet announced
(`451-[...]` then one binary message), never as a packet of its own. A binary message nothing
announced, one too many, or a Socket.IO packet while attachments are due is refused (`Attachments` for
a WebSocket, per payload for long-polling): the default parser throws on them, and a server reading
packets from binary messages (another parser, msgpack) would read events the gateway never saw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from gateway.codec._base import CodecError, Renderer, TextField, UnsupportedPayload
from gateway.codec.jsonpath import Walker, walk_document
from gateway.codec.numbers import js_string
from gateway.codec.selection import NamedSelections, Selection

__all__ = ["ACK", "CONNECT", "ENGINE_IO_VERSION", "Attachments", "check_version", "extract_engineio", "extract_polling"]

ACK = "#ack"
CONNECT = "#connect"
ENGINE_IO_VERSION = "4"
_PACKET = re.compile(r"([0-6])((?<=[56])\d+-)?(/[^,]*,|/[^,]*$)?(\d+)?")
_EVENTS = frozenset("25")
_ACKS = frozenset("36")
_BINARY = frozenset("56")
_RESERVED = frozenset({"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                       "removeListener"})
_RECORD_SEPARATOR = "\x1e"
# Engine.IO v4 packets other than messages, exactly: close, ping, pong (with the upgrade probe),
# upgrade, noop; an open packet (`0{...}`) comes from the server. Anything else is not v4.
_CONTROL = frozenset({"1", "2", "3", "2probe", "3probe", "5", "6"})


def announced(packet: str) -> int:
    """The attachments an Engine.IO message packet announces (`451-[...]`: 1); 0 for any other packet."""
    if packet[1:2] not in ("5", "6") or packet[:1] != "4":
        return 0
    header = _PACKET.match(packet, 1)
    count = header.group(2) if header is not None else None
    return int(count[:-1]) if count else 0


class Attachments:
    """The binary messages one WebSocket direction may carry next: those the last binary packet announced.
    One per connection direction, never shared."""

    __slots__ = ("due",)

    def __init__(self) -> None:
        self.due = 0

    def check(self, message: str | bytes, binary: bool) -> None:
        """Count `message` in; CodecError for a binary message nothing announced, or a Socket.IO packet
        while attachments are due (Engine.IO's own packets, pings and pongs, may come between)."""
        if binary:
            if not self.due:
                raise CodecError("a binary message that no binary Socket.IO packet announced")
            self.due -= 1
            return
        head = message[:1]
        if head == "4" or head == b"4":
            if self.due:
                raise CodecError("a Socket.IO packet while the attachments of the last one were due")
            text = message if isinstance(message, str) else message[:32].decode("ascii", "replace")
            self.due = announced(text)

    def dropped(self) -> None:
        """The text message counted last did not go on: what it announced will not be read as attachments."""
        self.due = 0


def check_version(values: Sequence[str]) -> None:
    """The `EIO` query values of a handshake or polling request: exactly one, and `4`.

    engine.io takes anything but the string "4" (a missing or repeated parameter included) for
    protocol 3, whose polling payloads (`<length>:<packet>`) this codec would misread.
    """
    if list(values) != [ENGINE_IO_VERSION]:
        raise UnsupportedPayload(f"Engine.IO protocol other than {ENGINE_IO_VERSION} (EIO={','.join(values)})")


def extract_engineio(frame: str, events: NamedSelections, fields: list[TextField],
                     names: list[str] | None = None) -> Renderer | None:
    """Fields of one Engine.IO text packet; None when the packet carries nothing to inspect.

    `names`, when given, receives the event name of an event packet (for per-message access rules).
    """
    if not frame or frame[0] not in "0123456":
        raise CodecError("not an Engine.IO packet")
    if frame[0] != "4":
        if frame not in _CONTROL and not (frame[0] == "0" and frame[1:2] == "{"):
            raise CodecError("Engine.IO control packet with unexpected data (Engine.IO v3 framing?)")
        return None
    header = _PACKET.match(frame, 1)
    if header is None:
        raise CodecError("not a Socket.IO packet")
    kind, namespace = header.group(1), header.group(3) or ""
    start = header.end()
    if kind in _BINARY and header.group(2) is None:
        raise CodecError("binary Socket.IO packet without an attachment count")
    if kind == "1" and start != len(frame):
        raise CodecError("Socket.IO disconnect with a payload")
    if kind == "0":
        return _connect(frame, start, events, fields, f"40{namespace}")
    if kind not in _EVENTS and kind not in _ACKS:
        return None
    if frame[start:start + 1] != "[":
        raise CodecError("Socket.IO event or ack whose payload is not an array right after the header")
    prefix = frame[:start]
    label = f"4{kind}{namespace}"
    root = _ack_root(events.every(ACK), label) if kind in _ACKS else _event_root(events, label, names)
    doc = walk_document(frame[start:], fields, root, events.automaton, placeholders=kind in _BINARY)
    render = doc.render

    def rendered(changes: Mapping[int, str]) -> str | None:
        payload = render(changes)
        return None if payload is None else prefix + payload
    return rendered


Root = Callable[[Walker, int], int]


def _connect(frame: str, start: int, events: NamedSelections, fields: list[TextField], label: str) -> Renderer | None:
    """The `auth` object of a CONNECT packet, read where the route declares `#connect` pointers."""
    auth = events.own(CONNECT)
    if auth is None or start == len(frame):
        return None
    if frame[start:start + 1] != "{":
        raise CodecError("Socket.IO connect whose payload is not an object right after the header")
    prefix = frame[:start]
    render = walk_document(frame[start:], fields, lambda walker, pos: walker.value(pos, auth, label),
                           events.automaton).render

    def rendered(changes: Mapping[int, str]) -> str | None:
        payload = render(changes)
        return None if payload is None else prefix + payload
    return rendered


def _argument(walker: Walker, arguments: Selection | None, index: int, at: int, path: str) -> int:
    """Walk the argument at `index` of an event or ack, whose argument list `arguments` selects."""
    branch = arguments.branch(True) if arguments is not None else None
    selection = branch.step(str(index)) if branch is not None else None
    return walker.value(at, selection, path) if selection is not None else walker.skip(at)


def _event_root(events: NamedSelections, label: str, names: list[str] | None) -> Root:
    def root(walker: Walker, pos: int) -> int:
        event: list[str] = []  # the event name, once read
        selected: list[Selection | None] = []

        def argument(index: int, at: int) -> int:
            if index == 0:
                name = _event_name(walker, at)
                if names is not None:
                    names.append(name)
                event.append(f"{label}[{name}]")
                selected.append(events.get(name))
                return walker.skip(at)
            return _argument(walker, selected[0], index - 1, at, f"{event[0]}/{index - 1}")
        end = walker.elements(pos, argument)
        if not event:
            raise CodecError("Socket.IO event without a name")
        return end
    return root


def _ack_root(arguments: Selection | None, label: str) -> Root:
    def root(walker: Walker, pos: int) -> int:
        return walker.elements(pos, lambda index, at: _argument(walker, arguments, index, at, f"{label}/{index}"))
    return root


def _event_name(walker: Walker, pos: int) -> str:
    char = walker.text[pos]
    if char == '"':
        name = walker.string(pos)[0]
        if name in _RESERVED:
            raise CodecError(f"Socket.IO event with the reserved name {name!r}")
        return name
    if char == "-" or char.isdigit():  # socket.io-parser accepts numeric event names too
        literal = walker.text[pos:walker.skip(pos)]
        if _plain_integer(literal):
            return literal
        raise CodecError("Socket.IO event named by a number not written as the servers name it")
    raise CodecError("Socket.IO event name must be a string or a number")


def _plain_integer(literal: str) -> bool:
    """Whether both servers file the event named by the JSON number `literal` under `literal` itself.

    The JavaScript server files it under `String(n)` (`1.0` and `1e0` as "1", `-0` as "0", integers past
    2**53 rounded), python-socketio under the Python number (a handler named "1" never sees `1.0`, a
    catch-all gets 1.0): only an integer that JavaScript prints as written means one name to both.
    """
    return "." not in literal and "e" not in literal and "E" not in literal and js_string(float(literal)) == literal


def extract_polling(payload: str, events: NamedSelections, fields: list[TextField],
                    names: list[str] | None = None) -> Renderer | None:
    """Engine.IO v4 long-polling payload: packets joined by the record separator (0x1e)."""
    packets = payload.split(_RECORD_SEPARATOR)
    parts: list[tuple[int, Renderer]] = []
    due = 0  # attachments the last binary packet announced, not yet read
    for position, packet in enumerate(packets):
        if packet.startswith("b"):  # base64 binary packet: an attachment, not text
            if not due:
                raise CodecError("a binary packet that no binary Socket.IO packet announced")
            due -= 1
            continue
        if due and packet.startswith("4"):
            raise CodecError("a Socket.IO packet while the attachments of the last one were due")
        due = announced(packet) or due
        render = extract_engineio(packet, events, fields, names)
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
