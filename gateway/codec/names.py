"""What each client message asks the backend to do: Socket.IO event and DDP method names.

The same names travel in WebSocket frames and in the HTTP bodies of the fallback transports
(Engine.IO long-polling POSTs, SockJS `xhr_send`); both are read here, packet by packet.

Per-message access rules (`messages_allow`) decide on these names. They are read with the same
parsers that extract chat text, so the gateway and the rules never disagree on what a frame says,
and a frame those parsers refuse raises `CodecError` (the caller refuses the frame).
"""

from __future__ import annotations

from types import MappingProxyType

from gateway.codec._base import CodecError, TextField
from gateway.codec.ddp import extract_sockjs
from gateway.codec.selection import NamedSelections
from gateway.codec.socketio import extract_engineio, extract_polling

__all__ = ["NAMED_KINDS", "body_names", "frame_names"]

NAMED_KINDS = ("socketio", "ddp")  # message kinds whose names travel inside WebSocket frames
_NOTHING = NamedSelections(MappingProxyType({}))


def frame_names(frame: str | bytes, kind: str, *, binary: bool = False) -> tuple[str, ...]:
    """The event (`socketio`) or method (`ddp`) names one client frame carries, in order.

    `binary` says the frame came as a binary WebSocket message; a text message may still arrive
    as bytes (routes that do not inspect text leave it undecoded) and is read as UTF-8. Frames
    that name nothing (pings, acks, connects, subscriptions, Socket.IO binary attachments) give ().
    Selecting no fields makes the parsers skip every value while still checking the syntax.
    """
    if kind == "socketio" and binary:
        return ()  # Engine.IO v4 binary messages are attachments of an event sent as text
    if kind not in NAMED_KINDS:
        raise CodecError(f"no names are known for {kind!r} messages")
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            raise CodecError("payload is not valid utf-8") from None
    names: list[str] = []
    fields: list[TextField] = []
    if kind == "socketio":
        extract_engineio(frame, _NOTHING, fields, names)
    else:
        extract_sockjs(frame, _NOTHING, fields, names)
    return tuple(names)


def body_names(body: bytes, kind: str) -> tuple[str, ...]:
    """The event (`socketio`: an Engine.IO long-polling payload) or method (`ddp`: SockJS `xhr_send`
    lines) names an HTTP request body carries; CodecError when the body is not that protocol."""
    if kind not in NAMED_KINDS:
        raise CodecError(f"no names are known for {kind!r} messages")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("payload is not valid utf-8") from None
    names: list[str] = []
    if kind == "socketio":
        extract_polling(text, _NOTHING, [], names)
    else:
        for line in text.split("\n"):
            if line.strip("h"):
                extract_sockjs(line, _NOTHING, [], names)
    return tuple(names)
