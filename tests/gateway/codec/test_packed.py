"""MessagePack WebSocket requests (Mattermost Calls) read as the JSON they stand for, or refused."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_changed_string_is_written_back_in_place() -> None:
    frame = packed({"seq": 7, "action": "custom_x", "data": {"title": "old", "f": 1.5, "n": 300, "note": b"abc"}})
    extracted = PLUGINS.extract_frame(frame)
    assert extracted.render({0: "old"}) is frame  # unchanged: the original itself
    assert extracted.render({0: "a new title", 3: "xyz"}) == packed(
        {"seq": 7, "action": "custom_x", "data": {"title": "a new title", "f": 1.5, "n": 300, "note": b"xyz"}})


def test_a_string_keeps_its_length_header_unless_it_needs_a_wider_one() -> None:
    # str16 for 3 bytes, float32 and a non-minimal integer: what the client chose stays
    frame = (b"\x82\xa6action\xa8custom_x\xa4data\x83\xa1t\xda\x00\x03old\xa1f\xca\x3f\xc0\x00\x00"
             b"\xa1n\xcd\x00\x05")
    extracted = PLUGINS.extract_frame(frame)
    assert [field.text for field in extracted.fields][:1] == ["old"]
    assert extracted.render({0: "new!"}) == frame.replace(b"\xda\x00\x03old", b"\xda\x00\x04new!")
    short = packed({"action": "custom_x", "data": {"t": "old"}})
    assert PLUGINS.extract_frame(short).render({0: "x" * 40}) == packed({"action": "custom_x", "data": {"t": "x" * 40}})


def test_a_change_to_a_number_is_refused() -> None:
    extracted = PLUGINS.extract_frame(packed({"action": "custom_x", "data": {"n": 4111111111111111}}))
    assert [field.text for field in extracted.fields] == ["4111111111111111"]
    with pytest.raises(CodecError):
        extracted.render({0: "****"})


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
    # lengths far past the frame: a map, an array, a string, binary data
    b"\xdf\xff\xff\xff\xff\xa6action\xa8custom_x", b"\x82\xa6action\xa8custom_x\xa4data\xdd\xff\xff\xff\xff\xa1a",
    b"\x82\xa6action\xa8custom_x\xa4data\xdb\xff\xff\xff\xffab", b"\x82\xa6action\xa8custom_x\xa4data\xc6\xff\xff\xff\xffab",
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


_KEYS = st.text("abcdefgh", min_size=1, max_size=4)
_WORDS = st.text("abc xyz", min_size=1, max_size=12)
_SCALARS = st.one_of(_WORDS, _WORDS.map(str.encode), st.binary(max_size=8).map(lambda b: b"\xff" + b),
                     st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False),
                     st.booleans(), st.none())
_DATA = st.recursive(_SCALARS, lambda inner: st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12)


def _texts(value: Any, path: str) -> dict[str, Any]:
    """The string (and UTF-8 binary) leaves of `value` by the path the codec gives their field."""
    if isinstance(value, dict):
        return {p: v for key, item in value.items() for p, v in _texts(item, f"{path}/{key}").items()}
    if isinstance(value, str):
        return {path: value}
    if isinstance(value, bytes) and not value.startswith(b"\xff"):
        return {path: value}
    return {}


def _shouted(value: Any, path: str, changed: set[str]) -> Any:
    if isinstance(value, dict):
        return {key: _shouted(item, f"{path}/{key}", changed) for key, item in value.items()}
    if path not in changed:
        return value
    return value.upper() + "!" if isinstance(value, str) else value.upper() + b"!"


@settings(max_examples=300, deadline=None)
@given(seq=st.integers(0, 2**40), data=st.dictionaries(_KEYS, _DATA, max_size=5))
def test_rewritten_strings_are_the_only_bytes_that_change(seq: int, data: dict[str, Any]) -> None:
    """Every string leaf rewritten: Go's reading of the result is the request with those strings changed,
    and nothing else (numbers, floats, binary data, booleans) differs."""
    request = {"seq": seq, "action": "custom_x", "data": data}
    frame = packed(request)
    extracted = PLUGINS.extract_frame(frame)
    assert extracted.render({}) is frame
    leaves = _texts(data, "[custom_x]/data")
    changes = {index: field.text.upper() + "!" for index, field in enumerate(extracted.fields) if field.path in leaves}
    assert len(changes) == len(leaves)
    rewritten = extracted.render(changes)
    assert isinstance(rewritten, bytes)
    expected = {**request, "data": _shouted(data, "[custom_x]/data", set(leaves))}
    assert msgpack.unpackb(rewritten, raw=False) == msgpack.unpackb(packed(expected), raw=False)
