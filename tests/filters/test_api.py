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


def test_a_message_is_built_as_the_dataclass_would_build_it() -> None:
    """`Message.__init__` sets the slots itself: every field, by position or keyword, defaults included."""
    values = ("text", Direction.OUTBOUND, Channel.WS, "route", "/text", Principal("alice", frozenset({"agent"})),
              "conversation", "10.0.0.1", {"permissions": ["unmask:card"]})
    names = [f.name for f in dataclasses.fields(Message)]
    by_position, by_keyword = Message(*values), Message(**dict(zip(names, values, strict=True)))
    assert [getattr(by_position, n) for n in names] == [getattr(by_keyword, n) for n in names] == list(values)
    plain = Message("x")
    assert [getattr(plain, f.name) for f in dataclasses.fields(Message)] == \
        ["x"] + [f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[operator]
                 for f in dataclasses.fields(Message)[1:]]
    assert plain.metadata is not Message("y").metadata  # a dict of its own, as the default factory gives
    try:
        plain.text = "changed"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a message must stay frozen")
