"""Meteor DDP, bare and in SockJS frames, shaped like Rocket.Chat's realtime API."""

from __future__ import annotations

import json

import pytest

from gateway.codec import CodecError, Extracted, Pointer, TextField
from gateway.codec.ddp import extract_sockjs
from gateway.codec.selection import NamedSelections

SELECTOR = NamedSelections({
    "sendMessage": (Pointer.parse("/params/0/msg"),),
    "stream-room-messages": (Pointer.parse("/fields/args/*/msg"),),
    "#result": (Pointer.parse("/result/msg"), Pointer.parse("/result/messages/*/msg")),
})
SEND = {"msg": "method", "method": "sendMessage", "id": "42",
        "params": [{"_id": "5hbKt2ZKS7iJDqv4M", "rid": "GENERAL", "msg": "Hello World!"}]}
CHANGED = {"msg": "changed", "collection": "stream-room-messages", "id": "id", "fields": {
    "eventName": "GENERAL", "args": [{"_id": "NGnXB3Ls2uQS5aQgN", "rid": "GENERAL", "msg": "Hello",
                                      "ts": {"$date": 1480377601000}, "u": {"_id": "u1", "username": "ann"}}]}}


def extract(frame: str) -> tuple[list[TextField], Extracted]:
    fields: list[TextField] = []
    render = extract_sockjs(frame, SELECTOR, fields)
    return fields, Extracted(frame, fields, render or (lambda changes: None))


def sockjs(prefix: str, *messages: object) -> str:
    return prefix + json.dumps([json.dumps(m) for m in messages])


@pytest.mark.parametrize(("frame", "expected"), [
    (json.dumps(SEND), [("sendMessage/params/0/msg", "Hello World!")]),
    (json.dumps(CHANGED), [("stream-room-messages/fields/args/0/msg", "Hello")]),
    (sockjs("", SEND), [("[0]:sendMessage/params/0/msg", "Hello World!")]),
    (json.dumps(json.dumps(SEND)), [("[0]:sendMessage/params/0/msg", "Hello World!")]),
    (sockjs("a", CHANGED, SEND), [("a[0]:stream-room-messages/fields/args/0/msg", "Hello"),
                                  ("a[1]:sendMessage/params/0/msg", "Hello World!")]),
    ("m" + json.dumps(json.dumps(CHANGED)), [("m[0]:stream-room-messages/fields/args/0/msg", "Hello")]),
    ('{"msg":"connect","version":"1","support":["1","pre2","pre1"]}', []),
    ('{"msg":"method","method":"login","id":"1","params":[{"resume":"tok"}]}', []),
    ('{"msg":"sub","id":"s1","name":"stream-room-messages","params":["GENERAL",false]}', []),
    ('{"msg":"result","id":"42","result":{"msg":"results are read under #result"}}', [("#result/result/msg", "results are read under #result")]),
    ('{"server_id":"0"}', []),
    ('{"msg":"ping"}', []),
    (sockjs("a", {"msg": "connected", "session": "abc"}), []),
    ("o", []), ("h", []), ('c[3000,"Go away!"]', []), ("a[]", []),
])
def test_extract(frame: str, expected: list[tuple[str, str]]) -> None:
    fields, extracted = extract(frame)
    assert [(f.path, f.text) for f in fields] == expected
    assert extracted.render({}) is frame


def test_render_bare_ddp_changes_only_the_text() -> None:
    frame = json.dumps(SEND)
    fields, extracted = extract(frame)
    assert extracted.render({0: "Hello ****"}) == frame.replace("Hello World!", "Hello ****")


def test_render_sockjs_reencodes_only_the_changed_message() -> None:
    frame = sockjs("a", CHANGED, SEND)
    fields, extracted = extract(frame)
    out = extracted.render({1: "changed"})
    assert isinstance(out, str) and out.startswith("a[")
    first, second = (json.loads(m) for m in json.loads(out[1:]))
    assert first == CHANGED
    assert second == {**SEND, "params": [{**SEND["params"][0], "msg": "changed"}]}  # type: ignore[dict-item]
    assert out.startswith(frame[:frame.index(", ")])  # the untouched first message is byte-identical


@pytest.mark.parametrize("frame", [
    "x", "", "ohh", "a{}", "a[1]", "a[\"not json\"]", '["[1,2]"]', "[",
    '{"msg":"method","method":"ping","method":"sendMessage","params":[{"msg":"hidden"}]}',
    '{"msg":"method","method":"sendMessage","params":[{"msg":"a","msg":"b"}]}',
    '{"msg":"method","method":"sendMessage","params":[{"msg":"\\udfff"}]}',
    '{"msg":"method","method":"sendMessage","params":' + "[" * 200 + "]" * 200 + "}",
])
def test_malformed_frames_are_refused(frame: str) -> None:
    with pytest.raises(CodecError):
        extract(frame)


@pytest.mark.parametrize(("message", "expected"), [
    ({"msg": "result", "id": "7", "result": {"messages": [{"_id": "m1", "msg": "history"}], "unreadNotLoaded": 0}},
     ["history"]),
    ({"msg": "result", "id": "8", "result": {"_id": "m2", "rid": "GENERAL", "msg": "sent back"}}, ["sent back"]),
    ({"msg": "result", "id": "9"}, []),
    ({"msg": "updated", "methods": ["7"]}, []),
])
def test_method_results_are_read_by_result_pointers(message: dict[str, object], expected: list[str]) -> None:
    fields, _ = extract(sockjs("a", message))
    assert [f.text for f in fields] == expected


@pytest.mark.parametrize("message", [
    {**SEND, "params": [{"$escape": {"rid": "GENERAL", "msg": "EJSON unwraps this"}}]},
    {**SEND, "params": [{"rid": "GENERAL", "msg": {"$binary": "c2VjcmV0"}}]},
    {**SEND, "params": [{"rid": "GENERAL", "msg": "x", "__proto__": {"msg": "y"}}]},
])
def test_ejson_rewrites_and_proto_keys_on_the_text_path_are_refused(message: dict[str, object]) -> None:
    with pytest.raises(CodecError, match="EJSON|__proto__"):
        extract(json.dumps(message))
