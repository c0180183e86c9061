"""MessagePack WebSocket requests (Mattermost Calls) read as the JSON they stand for, or refused."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from gateway.codec import CodecError, FieldSelector
from gateway.codec._codec import Codec
from gateway.codec.json_limits import MAX_DEPTH

PLUGINS = Codec(FieldSelector(actions={"custom_*": ("/data/**",)}))


def packed(message: Any) -> bytes:
    frame: bytes = msgpack.packb(message, use_bin_type=True)
    return frame


def texts(frame: bytes) -> list[tuple[str, str]]:
    return [(field.path, field.text) for field in PLUGINS.extract_frame(frame).fields]


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def test_a_plugin_request_is_read_as_its_json_would_be() -> None:
    frame = packed({"seq": 3, "action": "custom_com.mattermost.calls_join",
                    "data": {"channelID": "c1", "title": "standup", "tags": ["a", "b"], "big": 2**60}})
    assert texts(frame) == [
        ("[custom_com.mattermost.calls_join]/data/channelID", "c1"),
        ("[custom_com.mattermost.calls_join]/data/title", "standup"),
        ("[custom_com.mattermost.calls_join]/data/tags/0", "a"),
        ("[custom_com.mattermost.calls_join]/data/tags/1", "b"),
        ("[custom_com.mattermost.calls_join]/data/tags", "a,b"),
        ("[custom_com.mattermost.calls_join]/data/big", str(2**60)),  # exact, not rounded as a double
    ]


def test_binary_values_are_data_unless_they_are_text() -> None:
    frame = packed({"action": "custom_com.mattermost.calls_sdp", "data": {"data": b"\x78\x9c\xff\xfe\x00"}})
    assert texts(frame) == []
    assert PLUGINS.extract_frame(frame).render({}) is frame
    assert texts(packed({"action": "custom_x", "data": {"note": b"hi there"}})) == [
        ("[custom_x]/data/note", "hi there")]


def test_a_core_action_passes_as_it_came() -> None:
    frame = packed({"seq": 1, "action": "user_typing", "data": {"channel_id": "c1", "parent_id": ""}})
    extracted = PLUGINS.extract_frame(frame)
    assert extracted.fields == ()
    assert extracted.render({}) is frame


def test_a_change_is_refused_not_re_encoded() -> None:
    extracted = PLUGINS.extract_frame(packed({"action": "custom_x", "data": {"title": "old"}}))
    assert extracted.render({0: "old"}) is not None  # unchanged: the original
    with pytest.raises(CodecError):
        extracted.render({0: "new"})


@pytest.mark.parametrize("frame", [
    packed([3, "custom_x", {"title": "t"}]),                              # Go fills the struct by position
    packed(None), packed("custom_x"),
    packed({"ACTION": "custom_x", "data": {"title": "t"}}),              # Go skips it: action ""
    packed({"action": "user_typing", "Data": {"title": "t"}}),
    b"\x82\xa6action\xa8custom_x\xa6action\xabuser_typing",              # a key twice: Go keeps the last
    packed({"action": "custom_x", "data": {"t": "a"}}).replace(b"\x81\xa1t\xa1a", b"\x82\xa1t\xa1a\xa1t\xa1b"),
    b"\x82\xa6action\xa8custom_x\xc4\x04data\x81\xa1t\xa1a",             # a binary key: Go reads it as a string
    packed({"action": "custom_x", "data": {1: "a"}}),                    # Go builds a map[int8]any
    packed({"action": b"custom_x"}),
    packed({"action": "custom_x", "data": {"t": msgpack.ExtType(5, b"a")}}),
    b"\x82\xa6action\xa8custom_x\xa4data\xd6\xff\x00\x00\x00\x01",       # the timestamp extension
    b"\x82\xa6action\xa8custom_x\xa4data\xd4\x05\x81",                    # an extension header before a map
    packed({"action": "custom_x", "data": {}}) + b"\xc0",                # data after the value
    b"\x82\xa6action\xa8custom_x\xa4data\x81\xa1t\xa2\xff\xfe",          # a string that is not UTF-8
    b"\x82\xa6action\xa8custom_x\xa4data\x81\xa1t\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",  # NaN
    b"\x82\xa6action\xa8custom_x\xa4data\x81\xa1t\xc1",                   # a reserved byte
    b"\x82\xa6action\xa8custom_x\xa4data\x81\xa1t\xa5ab",                 # cut short
    packed({"action": "custom_x", "data": {"t": nested(MAX_DEPTH)}}),
    b"", b"\x81\xa6action" + b"\x91" * 5000 + b"\xc0",
])
def test_what_go_reads_otherwise_is_refused(frame: bytes) -> None:
    with pytest.raises(CodecError):
        PLUGINS.extract_frame(frame)


def test_a_core_action_spelt_ambiguously_is_refused_too() -> None:
    """The action must be known to pass a request unread."""
    with pytest.raises(CodecError):
        PLUGINS.extract_frame(packed({"action": "user_typing", "Action": "custom_x"}))


def test_nesting_within_the_limit_is_read() -> None:
    assert texts(packed({"action": "custom_x", "data": {"t": nested(MAX_DEPTH - 3)}}))[0][1] == "deep"
