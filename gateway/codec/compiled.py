"""A route's codecs, checked and compiled once when the config is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from filters.options import join
from gateway.codec._codec import Codec, check_sse
from gateway.codec.selectors import FieldSelector

__all__ = ["RouteCodecs"]


@dataclass(frozen=True, slots=True)
class RouteCodecs:
    """What parses a route's payloads: None where a direction declares no fields (it then streams)."""

    inbound: Codec | None = None
    outbound: Codec | None = None
    events: Codec | None = None  # outbound server-sent events, when `outbound.sse` declares fields
    # Answers that are not event streams on a route declaring only `sse` fields (an API asked for
    # `stream: false`): their shape was never declared, so every JSON value is read (text whole).
    unshaped: Codec | None = None

    @classmethod
    def compile(cls, inbound: FieldSelector, outbound: FieldSelector, path: str = "") -> RouteCodecs:
        """Raises OptionsError naming the key (`path` is the route's `messages`) when a selector is wrong."""
        in_path, out_path = join(path, "inbound"), join(path, "outbound")
        check_sse(inbound.sse, join(in_path, "sse"))  # unused inbound, but a bad pointer is still a mistake
        inbound_codec = Codec.for_selector(inbound, in_path)
        events = Codec.for_events(outbound.sse, join(out_path, "sse"))
        outbound_codec = Codec.for_selector(outbound, out_path, outbound=True)
        if not outbound.sse.declared:
            return cls(inbound_codec, outbound_codec)
        unshaped = None if outbound_codec is not None else Codec.for_unshaped_answers()
        return cls(inbound_codec, outbound_codec, events, unshaped)
