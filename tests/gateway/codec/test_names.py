"""Event and method names read from client frames for per-message access rules."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, frame_names
from gateway.codec.names import body_names


@pytest.mark.parametrize(("frame", "kind", "names"), [
    ('42["chat message",{"text":"hi"}]', "socketio", ("chat message",)),
    ('451-["upload",{"_placeholder":true,"num":0}]', "socketio", ("upload",)),
    ('42/admin,7["kick"]', "socketio", ("kick",)),
    ('42[12,"x"]', "socketio", ("12",)),
    ('42["a\\u0062"]', "socketio", ("ab",)),               # escapes are decoded as the backend does
    (b'42["kick"]', "socketio", ("kick",)),                 # an undecoded text message
    ("2probe", "socketio", ()),
    ('40{"token":"x"}', "socketio", ()),
    ('431[{"ok":true}]', "socketio", ()),
    ('{"msg":"method","method":"sendMessage","id":"1"}', "ddp", ("sendMessage",)),
    ('["{\\"msg\\":\\"method\\",\\"method\\":\\"a\\"}","{\\"msg\\":\\"method\\",\\"method\\":\\"b\\"}"]', "ddp",
     ("a", "b")),
    ('{"msg":"method","method":null}', "ddp", ("",)),      # no string name: refused by any table
    ('{"msg":"sub","id":"1","name":"x"}', "ddp", ()),
    ('{"msg":"connect","version":"1"}', "ddp", ()),
])
def test_names(frame: str | bytes, kind: str, names: tuple[str, ...]) -> None:
    assert frame_names(frame, kind) == names


def test_socketio_binary_messages_name_nothing() -> None:
    assert frame_names(b'42["kick"]', "socketio", binary=True) == ()


@pytest.mark.parametrize(("frame", "kind"), [
    ('42["kick",', "socketio"),
    ("42[]", "socketio"),
    ('42[{"a":1}]', "socketio"),
    ("x", "socketio"),
    ('{"msg":"method","method":"a","method":"b"}', "ddp"),
    ('{"msg":"method","method":"a"', "ddp"),
    (b'\xff{"msg":"method"}', "ddp"),
    ("hello", "ddp"),
    ('42["kick"]', "matrix"),
])
def test_unreadable_frames_raise(frame: str | bytes, kind: str) -> None:
    with pytest.raises(CodecError):
        frame_names(frame, kind)


@pytest.mark.parametrize(("body", "kind", "names"), [
    (b'42["chat message","hi"]\x1e42["kick",{}]', "socketio", ("chat message", "kick")),  # long-polling
    (b'451-["upload",{"_placeholder":true,"num":0}]\x1ebAQID', "socketio", ("upload",)),
    (b"2\x1e3", "socketio", ()),
    (b'["{\\"msg\\":\\"method\\",\\"method\\":\\"a\\",\\"id\\":\\"1\\"}",'
     b'"{\\"msg\\":\\"method\\",\\"method\\":\\"b\\",\\"id\\":\\"2\\"}"]', "ddp", ("a", "b")),  # xhr_send
    (b'{"msg":"method","method":"a","id":"1"}\n{"msg":"method","method":"b","id":"2"}', "ddp", ("a", "b")),
])
def test_body_names_read_every_packet(body: bytes, kind: str, names: tuple[str, ...]) -> None:
    assert body_names(body, kind) == names


@pytest.mark.parametrize(("body", "kind"), [
    (b'42["kick",', "socketio"), (b"\xff", "socketio"), (b'["{\\"msg\\":', "ddp"), (b"x", "matrix"),
    (b'24:42["kick"]', "socketio"),  # Engine.IO v3 framing
])
def test_body_names_refuse_what_they_cannot_read(body: bytes, kind: str) -> None:
    with pytest.raises(CodecError):
        body_names(body, kind)
