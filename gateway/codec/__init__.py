"""The only place that parses payloads: chat text out of each protocol's messages, and back in.

A route declares per direction where its text lives (`FieldSelector`, `SseFields`); the config
load compiles them once into `RouteCodecs`, and the proxy calls `extract_http` or `extract_frame`
per body, event or WebSocket message. The `Extracted` result lists the `TextField`s; `render`
rebuilds the payload with filtered text, changing only those strings, or returns the original
object when nothing changed. A payload that does not parse raises `CodecError` (400 inbound,
502 outbound); one in a type, charset or protocol version the route does not read raises its
subclass `UnsupportedPayload` (415 inbound); a codec `capped` with a route's `FieldCaps` raises
`LimitExceeded` (a CodecError) as soon as a payload holds more fields, or a longer field, than
the filters may be given. The caller refuses them all, never forwards them. `frame_names` reads
the Socket.IO event or DDP method names of a client frame for access rules; `Attachments` counts the
binary messages a Socket.IO connection direction may carry.
"""

from gateway.codec._base import CodecError, Extracted, FieldCaps, LimitExceeded, TextField, UnsupportedPayload
from gateway.codec._codec import TEXT_PATH, Codec, check_selector, check_sse
from gateway.codec.compiled import RouteCodecs
from gateway.codec.jsonpath import JSON_STEP, MAX_DEPTH, WILDCARD, Pointer
from gateway.codec.names import NAMED_KINDS, frame_names
from gateway.codec.selectors import FieldSelector, SseFields
from gateway.codec.socketio import Attachments

__all__ = [
    "JSON_STEP", "MAX_DEPTH", "NAMED_KINDS", "TEXT_PATH", "WILDCARD", "Attachments", "Codec", "CodecError", "Extracted",
    "FieldCaps", "FieldSelector", "LimitExceeded", "Pointer", "RouteCodecs", "SseFields", "TextField",
    "UnsupportedPayload", "check_selector", "check_sse", "frame_names",
]
