"""Event and method names read from client frames for per-message access rules."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, frame_names


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
