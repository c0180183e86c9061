"""Message names of HTTP requests for `messages_allow`: fixed, from the path, from the body."""

from __future__ import annotations

import pytest

from filters.options import OptionsError
from gateway.codec import CodecError
from gateway.codec.message_names import NameReader

KINDS = ("socketio", "matrix", "ddp")
CREATE_ROOM = {"matrix": ["m.room.create", "m.room.name if /name", "m.room.topic if /topic",
                          "/initial_state/*/type", "m.room.member if /invite/*"]}


@pytest.mark.parametrize(("body", "expected"), [
    (b"{}", ["m.room.create"]),
    (b'{"name": "n", "invite": []}', ["m.room.create", "m.room.name"]),
    (b'{"topic": "t", "invite": ["@a:x"], "initial_state": [{"type": "m.room.join_rules", "content": {}},'
     b' {"type": "m.room.encryption", "content": {}}]}',
     ["m.room.create", "m.room.topic", "m.room.join_rules", "m.room.encryption", "m.room.member"]),
])
def test_create_room_names(body: bytes, expected: list[str]) -> None:
    reader = NameReader(CREATE_ROOM, KINDS)
    assert reader.needs_body
    assert [name for kind, name in reader.read({}, body, "application/json")] == expected


def test_fixed_and_path_names() -> None:
    reader = NameReader({"matrix": ["m.room.member"], "ddp": ["{method}"]}, KINDS)
    assert not reader.needs_body
    assert reader.read({"method": "sendMessage"}, None, None) == [("matrix", "m.room.member"), ("ddp", "sendMessage")]


def test_a_body_the_names_cannot_be_read_from_is_refused() -> None:
    with pytest.raises(CodecError):
        NameReader(CREATE_ROOM, KINDS).read({}, b'{"name": "a", "name": "b"}', "application/json")


@pytest.mark.parametrize(("spec", "path"), [
    ({"matrx": ["x"]}, "message_names.matrx"),
    ({"matrix": [""]}, "message_names.matrix[0]"),
    ({"matrix": ["x if name"]}, "message_names.matrix[0]"),
    ({"matrix": ["/a~2"]}, "message_names.matrix[0]"),
])
def test_bad_entries_name_the_key(spec: dict[str, list[str]], path: str) -> None:
    with pytest.raises(OptionsError) as caught:
        NameReader(spec, KINDS, "message_names")
    assert caught.value.path == path
