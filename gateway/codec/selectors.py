"""Where chat text lives in a route's payloads, as the config declares it (`messages.inbound|outbound`).

Plain data; `gateway.codec.Codec` compiles a selector into the parser the proxy runs, and
`RouteCodecs.compile` checks and compiles a route's selectors once, at config load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["FieldSelector", "SseFields"]


@dataclass(frozen=True)
class SseFields:
    """Where chat text lives in the `data:` of server-sent events (see gateway/proxy/sse.py)."""

    json: tuple[str, ...] = ()  # pointers into data holding JSON; data that is not JSON is taken as text
    text: bool = False          # the whole data of each event is text

    @property
    def declared(self) -> bool:
        return bool(self.json or self.text)


@dataclass(frozen=True)
class FieldSelector:
    """Where message text lives in one direction of a route (see gateway/codec/)."""

    json: tuple[str, ...] = ()
    form: tuple[str, ...] = ()  # urlencoded and multipart field names (read in the query string too)
    text: bool = False
    socketio: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    ddp: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # WebSocket requests named by their `action` (Mattermost): {"custom_*": ["/data/**"]}
    actions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    xmpp: bool = False
    sse: SseFields = field(default_factory=SseFields)  # streamed text/event-stream responses (outbound)
    query: tuple[str, ...] = ()  # query parameters holding text (inbound; the body may still stream)
    fold_keys: bool = False      # JSON keys match whatever their case, as Go's encoding/json does
    envelope: str = ""           # ddp: the pointer of the JSON string holding the DDP message (method.call)

    @property
    def declared(self) -> bool:
        """Bodies and frames to inspect (`sse` is separate: it never buffers a body)."""
        return bool(self.json or self.form or self.text or self.socketio or self.ddp or self.actions or self.xmpp)
