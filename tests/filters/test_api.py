"""The filter contract's value types."""

from __future__ import annotations

import dataclasses

from filters import Channel, Direction, Message
from filters._api import Principal


def test_with_text_keeps_every_other_field() -> None:
    """Built field by field for speed: a field added later must not be dropped on the way."""
    message = Message("before", Direction.OUTBOUND, Channel.WS, "route", "/text", Principal("alice", frozenset({"agent"})),
                      "conversation", "10.0.0.1", {"permissions": ["unmask:card"]})
    assert message.with_text("after") == dataclasses.replace(message, text="after")
    assert all(getattr(message, f.name) != getattr(Message("x"), f.name)
               for f in dataclasses.fields(Message))  # every field set to something other than its default
