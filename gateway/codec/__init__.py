"""The only place that parses payloads: chat text out of each protocol's messages, and back in.

A route declares per direction where its text lives (`gateway.settings.FieldSelector`); the
proxy builds one `Codec` from that at startup and calls `extract_http` or `extract_frame` per
body or WebSocket message. The `Extracted` result lists the `TextField`s; `render` rebuilds the
payload with filtered text, changing only those strings, or returns the original object when
nothing changed. A payload that does not parse raises `CodecError`: the caller refuses it.
`frame_names` reads the Socket.IO event or DDP method names of a client frame for access rules.
"""

from gateway.codec._base import CodecError, Extracted, TextField
from gateway.codec._codec import TEXT_PATH, Codec, check_selector
from gateway.codec.jsonpath import JSON_STEP, MAX_DEPTH, WILDCARD, Pointer
from gateway.codec.names import NAMED_KINDS, frame_names

__all__ = [
    "JSON_STEP", "MAX_DEPTH", "NAMED_KINDS", "TEXT_PATH", "WILDCARD", "Codec", "CodecError", "Extracted",
    "Pointer", "TextField", "check_selector", "frame_names",
]
