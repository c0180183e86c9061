"""Socket.IO v4 over Engine.IO v4: packets shaped as in the socket.io-protocol v5 specification."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import CodecError, Extracted, Pointer, TextField, UnsupportedPayload
from gateway.codec.selection import NamedSelections
from gateway.codec.socketio import Attachments, check_version, extract_engineio, extract_polling

EVENTS = {"chat message": ("/0", "/0/text"), "typing": ("/*/who",)}


def _events(events: Mapping[str, Sequence[str]]) -> NamedSelections:
    return NamedSelections({name: tuple(Pointer.parse(p) for p in ps) for name, ps in events.items()})


def extract(frame: str, events: Mapping[str, Sequence[str]] = EVENTS) -> tuple[list[TextField], Extracted]:
    fields: list[TextField] = []
    render = extract_engineio(frame, _events(events), fields)
    return fields, Extracted(frame, fields, render or (lambda changes: None))


@pytest.mark.parametrize(("frame", "expected"), [
    ('42["chat message","hello"]', [("42[chat message]/0", "hello")]),
    ('42["chat message",{"text":"hi","ts":1700000000000}]', [("42[chat message]/0/text", "hi")]),
    ('42/chat,["chat message","in a namespace"]', [("42/chat,[chat message]/0", "in a namespace")]),
    ('421["chat message","with ack"]', [("42[chat message]/0", "with ack")]),
    ('42/chat,456["chat message","ns and ack"]', [("42/chat,[chat message]/0", "ns and ack")]),
    ('42["typing",{"who":"ann"},{"who":"bob"}]', [("42[typing]/0/who", "ann"), ("42[typing]/1/who", "bob")]),
    ('42["other event","not selected"]', []),
    ('42["chat message",12345,true]', [("42[chat message]/0", "12345")]),
    ('42["chat message"]', []),
    ('451-["chat message","caption",{"_placeholder":true,"num":0}]', [("45[chat message]/0", "caption")]),
    ('451-["typing",{"who":"ann","file":{"_placeholder":true,"num":0}}]', [("45[typing]/0/who", "ann")]),
    ('43/admin,456["an ack answers any event",{"who":"bob"}]',
     [("43/admin,/0", "an ack answers any event"), ("43/admin,/1/who", "bob")]),
    ('4312[{"text":"history line"}]', [("43/0/text", "history line")]),
    ('4612-["caption",{"_placeholder":true,"num":0}]', [("46/0", "caption")]),
    ('40/admin,{"token":"123"}', []),
    ('41/admin,', []),
    ('44{"message":"Not authorized"}', []),
    ('0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}', []),
    ("1", []), ("2", []), ("3", []), ("2probe", []), ("3probe", []), ("5", []), ("6", []),
])
def test_extract(frame: str, expected: list[tuple[str, str]]) -> None:
    fields, extracted = extract(frame)
    assert [(f.path, f.text) for f in fields] == expected
    assert extracted.render({}) is frame


def test_wildcard_event_and_numeric_event_name() -> None:
    fields, _ = extract('42[7,"seven"]', {"*": ("/0",)})
    assert [(f.path, f.text) for f in fields] == [("42[7]/0", "seven")]


@pytest.mark.parametrize("name", ["7.0", "7e0", "0.7e1", "-0", "9007199254740993", "1e400"])
def test_numbers_the_servers_name_otherwise_are_refused(name: str) -> None:
    # JavaScript files these under String(n) ("7", "0", "9007199254740992", "Infinity"), Python under the number
    with pytest.raises(CodecError):
        extract(f'42[{name},"seven"]', {"*": ("/0",)})


def test_negative_integer_names_are_read_as_written() -> None:
    fields, _ = extract('42[-7,"minus"]', {"-7": ("/0",)})
    assert [(f.path, f.text) for f in fields] == [("42[-7]/0", "minus")]


def test_event_name_is_never_a_field() -> None:
    fields, _ = extract('42["chat message","x"]', {"*": ("/*",)})
    assert [f.text for f in fields] == ["x"]


def test_render_changes_only_the_argument() -> None:
    frame = '42/chat,12["chat message",{"text":"my ssn 078-05-1120","room":"r1","ts":1700000000000}]'
    fields, extracted = extract(frame)
    assert extracted.render({0: "my ssn ***"}) == frame.replace("078-05-1120", "***")


@pytest.mark.parametrize("frame", [
    "", "x", "7", "4", "4x", "42", "42{}", '42["chat message",', '42[{"not":"a name"}]', '42[]',
    '42["chat message","a"] trailing', '42["chat message","\\ud800"]',
    '42 ["chat message","a blank the parser reads as ack id 0"]',
    '42\t["chat message","a tab"]',
    '421-["chat message","attachments on a text event"]',
    '45-["chat message","binary event without a count"]',
    '42["disconnect","a reserved name"]', '42["connect","x"]',
    '43', '43{"not":"an array"}',
    '41/admin,{"unexpected":"payload"}',
    '451-["chat message",{"_placeholder":true,"num":0}]',
    '451-["chat message",{"text":{"_placeholder":true,"num":0}}]',
    '461-[{"_placeholder":true,"num":0}]',
    '42["chat message",{"__proto__":{"text":"inherited"}}]',
    '12:42["chat message","v3 polling payload"]', "1x", "2ping", "5upgrade", "6noop", "0not json",
])
def test_malformed_packets_are_refused(frame: str) -> None:
    with pytest.raises(CodecError):
        extract(frame)


def test_polling_payload() -> None:
    payload = '42["chat message","one"]\x1e451-["up",{"_placeholder":true,"num":0}]\x1e2\x1ebAQIDBA==\x1e42["chat message","two"]'
    fields: list[TextField] = []
    render = extract_polling(payload, _events(EVENTS), fields)
    assert render is not None
    assert [f.text for f in fields] == ["one", "two"]
    extracted = Extracted(payload, fields, render)
    assert extracted.render({}) is payload
    assert extracted.render({1: "2"}) == payload.replace('"two"', '"2"')


def test_polling_payload_without_events() -> None:
    assert extract_polling("2\x1e3", _events(EVENTS), []) is None


@settings(max_examples=100, deadline=None)
@given(args=st.lists(st.one_of(st.text(max_size=10), st.integers(), st.dictionaries(
    st.sampled_from(["text", "who", "x"]), st.one_of(st.text(max_size=10), st.integers()), max_size=3)), max_size=4),
    namespace=st.sampled_from(["", "/chat,"]), ack=st.sampled_from(["", "7"]), new=st.text(max_size=10))
def test_property_round_trip(args: list[object], namespace: str, ack: str, new: str) -> None:
    frame = f"42{namespace}{ack}" + json.dumps(["chat message", *args])
    fields, extracted = extract(frame, {"chat message": ("/*", "/*/text")})
    assert extracted.render({}) is frame
    if fields and fields[0].text != new:
        out = extracted.render({0: new})
        assert isinstance(out, str) and out.startswith(f"42{namespace}{ack}[")
        again, _ = extract(out, {"chat message": ("/*", "/*/text")})
        assert [f.text for f in again] == [new] + [f.text for f in fields[1:]]


def test_acks_use_their_own_pointers_when_declared() -> None:
    fields, _ = extract('431["x",{"note":"y"}]', {"chat message": ("/0",), "#ack": ("/1/note",)})
    assert [(f.path, f.text) for f in fields] == [("43/1/note", "y")]


@pytest.mark.parametrize("values", [[], ["3"], ["4", "4"], ["4", "3"], ["04"], [" 4"], ["4.0"]])
def test_engine_io_versions_other_than_4_are_refused(values: list[str]) -> None:
    with pytest.raises(UnsupportedPayload, match="Engine.IO"):
        check_version(values)


def test_engine_io_4_is_read() -> None:
    check_version(["4"])


# socket.io-parser reads binary data only as the attachments a binary packet announced: anything else is refused,
# since a server reading packets out of binary messages (msgpack) would read events the gateway never saw.
@pytest.mark.parametrize("payload", [
    "bAQID",                                                        # nothing announced it
    '42["chat message","x"]\x1ebZm9yYmlkZGVu',
    '451-["up",{"_placeholder":true,"num":0}]\x1ebAQID\x1ebAQID',       # one too many
    '452-["up",{"_placeholder":true,"num":0}]\x1ebAQID\x1e42["chat message","x"]\x1ebAQID',  # a packet between
])
def test_polling_binary_packets_nothing_announced_are_refused(payload: str) -> None:
    with pytest.raises(CodecError, match="announced|due"):
        extract_polling(payload, _events(EVENTS), [])


def test_polling_binary_packets_announced_are_read_as_attachments() -> None:
    payload = '452-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]\x1ebAQID\x1e3\x1ebBA=='
    fields: list[TextField] = []
    extract_polling(payload, _events(EVENTS), fields)
    assert fields == []


def test_websocket_binary_messages_only_as_announced_attachments() -> None:
    attachments = Attachments()
    with pytest.raises(CodecError, match="announced"):
        attachments.check(b"\x93\xa5event", True)
    attachments.check("2", False)
    attachments.check('462-5[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', False)
    attachments.check("3", False)  # an Engine.IO pong may come between
    attachments.check(b"one", True)
    with pytest.raises(CodecError, match="due"):
        attachments.check('42["chat message","x"]', False)
    attachments.check(b"two", True)
    with pytest.raises(CodecError, match="announced"):
        attachments.check(b"three", True)
    attachments.check(b'451-["up",{"_placeholder":true,"num":0}]', False)  # text left undecoded
    attachments.check(b"four", True)
    attachments.check('451-["up",{"_placeholder":true,"num":0}]', False)
    attachments.dropped()  # refused: the server never reads it, nor anything as its attachments
    with pytest.raises(CodecError, match="announced"):
        attachments.check(b"five", True)


# A CONNECT packet's payload is the handshake's `auth` object (`socket.handshake.auth`), which servers show
# others (a user name announced to the room): read with `#connect`'s own pointers, never with `*`'s.
CONNECTING = {"chat message": ("/0",), "*": ("/*",), "#connect": ("/username", "/profile/name")}


@pytest.mark.parametrize(("frame", "expected"), [
    ('40{"username":"ann","token":"secret"}', [("40/username", "ann")]),
    ('40/chat,{"profile":{"name":"bob"},"token":"secret"}', [("40/chat,/profile/name", "bob")]),
    ('40{"token":"secret"}', []),
    ("40", []),
    ('40/chat,', []),
])
def test_connect_payloads_are_read_with_their_own_pointers(frame: str, expected: list[tuple[str, str]]) -> None:
    fields, extracted = extract(frame, CONNECTING)
    assert [(f.path, f.text) for f in fields] == expected
    if fields:
        assert extracted.render({0: "x"}) == frame.replace(f'"{fields[0].text}"', '"x"', 1)


def test_connect_payloads_are_not_read_without_connect_pointers() -> None:
    fields, _ = extract('40{"username":"ann","text":"x"}', {"chat message": ("/0",), "*": ("/*", "/*/text")})
    assert fields == []


@pytest.mark.parametrize("frame", ['40["ann"]', '40"ann"', '40 {"username":"ann"}', '40{"username":"ann"}x'])
def test_connect_payloads_that_are_not_an_object_are_refused_where_read(frame: str) -> None:
    with pytest.raises(CodecError):
        extract(frame, CONNECTING)


def test_acks_do_not_fall_back_to_connect_pointers() -> None:
    fields, _ = extract('431[{"username":"ann"}]', {"chat message": ("/0/text",), "#connect": ("/username", "/0/username")})
    assert fields == []
