"""The Codec facade: format choice by declaration and content type, bytes/str, render contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from filters.options import OptionsError
from gateway.codec import (
    TEXT_PATH,
    Codec,
    CodecError,
    FieldCaps,
    FieldSelector,
    LimitExceeded,
    UnsupportedPayload,
    check_selector,
)


def codec(**declared: Any) -> Codec:
    built = Codec.for_selector(FieldSelector(**declared))
    assert built is not None
    return built


def texts(extracted: Any) -> list[str]:
    return [f.text for f in extracted.fields]


def test_nothing_declared_means_no_codec() -> None:
    assert Codec.for_selector(FieldSelector()) is None


@pytest.mark.parametrize(("declared", "path", "message"), [
    ({"json": ("/ok", "no-slash")}, "messages.inbound.json[1]", "starts with '/'"),
    ({"socketio": {"chat message": ("/0~x",)}}, "messages.inbound.socketio.chat message[0]", "escape"),
    ({"ddp": {"sendMessage": ("params",)}}, "messages.inbound.ddp.sendMessage[0]", "starts with '/'"),
    ({"xmpp": True, "json": ("/text",)}, "messages.inbound", "alone"),
    ({"socketio": {"m": ("/0",)}, "ddp": {"m": ("/0",)}}, "messages.inbound", "alone"),
])
def test_selector_errors_name_the_key(declared: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(OptionsError, match=message) as caught:
        check_selector(FieldSelector(**declared), "messages.inbound")
    assert caught.value.path == path


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
    "application/vnd.api+json", "Application/JSON ; Charset=us-ascii", None,
])
def test_json_route_reads_json_declared_or_untyped(content_type: str | None) -> None:
    body = b'{"text": "hello", "ts": 1700000000000}'
    extracted = codec(json=("/text",)).extract_http(body, content_type)
    assert texts(extracted) == ["hello"]
    assert extracted.render({}) is body
    assert extracted.render({0: "hello"}) is body
    assert extracted.render({0: "bye"}) == b'{"text": "bye", "ts": 1700000000000}'


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data",
    "application/jsonx", "application/json, text/plain", "json", "",
])
def test_json_route_refuses_bodies_in_undeclared_types(content_type: str) -> None:
    with pytest.raises(UnsupportedPayload):
        codec(json=("/text",)).extract_http(b'{"text": "hidden"}', content_type)


@pytest.mark.parametrize("content_type", [
    "application/json; charset=utf-16", "application/json; charset=cp500", "text/plain; charset=iso-8859-1",
    "application/json; charset=utf-8; charset=utf-16", "application/json; charset=",
    "text/plain; charset=no-such-charset", "application/json; charset=utf-7",
])
def test_inspected_bodies_are_utf8_only(content_type: str) -> None:
    with pytest.raises(UnsupportedPayload):
        codec(json=("/text",), text=True).extract_http(b'{"text": "x"}', content_type)


def test_ascii_charset_refuses_other_bytes() -> None:
    with pytest.raises(CodecError, match="us-ascii"):
        codec(json=("/text",)).extract_http('{"text": "é"}'.encode(), "application/json; charset=us-ascii")


def test_json_body_on_a_form_route_is_refused() -> None:
    with pytest.raises(UnsupportedPayload, match="application/json"):
        codec(form=("text",)).extract_http(b'{"text": "hidden"}', "application/json")


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (b'{"text": "from json"}', "application/json", ["from json"]),
    (b"text=from+form", "application/x-www-form-urlencoded", ["from form"]),
    (b'{"text": "no type"}', None, ["no type"]),
    (b"text=no+type", None, ["no type"]),
])
def test_json_and_form_route_picks_by_content_type(body: bytes, content_type: str | None,
                                                   expected: list[str]) -> None:
    assert texts(codec(json=("/text",), form=("text",)).extract_http(body, content_type)) == expected


@pytest.mark.parametrize(("body", "content_type"), [
    (b'{"text": "\xff"}', "application/json"),
    (b"\xc3\x28", None),
    (b"caf\xe9", "text/plain"),
    ("caf\xe9".encode("utf-16"), "text/plain"),
])
def test_undecodable_bodies_are_refused(body: bytes, content_type: str | None) -> None:
    with pytest.raises(CodecError):
        codec(json=("/text",), text=True).extract_http(body, content_type)


def test_empty_body_has_no_fields() -> None:
    extracted = codec(json=("/text",)).extract_http(b"", "application/json")
    assert extracted.fields == () and extracted.render({}) == b""


def test_json_or_text_falls_back_to_text_for_non_json() -> None:
    extracted = codec(json=("/text",), text=True).extract_frame("plain words")
    assert [(f.path, f.text) for f in extracted.fields] == [(TEXT_PATH, "plain words")]
    assert extracted.render({0: "other"}) == "other"
    assert texts(codec(json=("/text",), text=True).extract_frame('{"text": "json"}')) == ["json"]


@pytest.mark.parametrize("frame", ["not json", '{"text": "a", "text": "b"}', b"\xff", '{"text": "\\ud800"}'])
def test_json_frame_that_does_not_parse_is_refused(frame: str | bytes) -> None:
    with pytest.raises(CodecError):
        codec(json=("/text",)).extract_frame(frame)


def test_binary_json_frame_renders_as_bytes() -> None:
    frame = json.dumps({"text": "é"}, ensure_ascii=False).encode()
    extracted = codec(json=("/text",)).extract_frame(frame)
    assert extracted.render({0: "e"}) == b'{"text": "e"}'


def test_socketio_binary_frame_is_an_untouched_attachment() -> None:
    frame = b"\x01\x02text inside an attachment"
    extracted = codec(socketio={"*": ("/*",)}).extract_frame(frame)
    assert extracted.fields == () and extracted.render({}) is frame


def test_socketio_over_polling() -> None:
    body = b'42["chat message","hi"]\x1e3'
    extracted = codec(socketio={"chat message": ("/0",)}).extract_http(body, "text/plain;charset=UTF-8")
    assert texts(extracted) == ["hi"]
    assert extracted.render({0: "yo"}) == b'42["chat message","yo"]\x1e3'


def test_ddp_over_sockjs_xhr() -> None:
    message = json.dumps({"msg": "method", "method": "sendMessage", "params": [{"msg": "hi"}], "id": "1"})
    body = ("a" + json.dumps([message]) + "\n").encode()
    extracted = codec(ddp={"sendMessage": ("/params/0/msg",)}).extract_http(body, "application/javascript")
    assert texts(extracted) == ["hi"]
    out = extracted.render({0: "yo"})
    assert isinstance(out, bytes) and out.endswith(b"\n") and b'\\"msg\\": \\"yo\\"' in out
    assert codec(ddp={"sendMessage": ("/params/0/msg",)}).extract_http(b"o\n", None).fields == ()


def test_xmpp_frame_and_bosh_body() -> None:
    stanza = "<message xmlns='jabber:client'><body>hi</body></message>"
    xmpp = codec(xmpp=True)
    assert xmpp.extract_frame(stanza).render({0: "yo"}) == stanza.replace("hi", "yo")
    assert xmpp.extract_http(stanza.encode(), "text/xml").render({0: "yo"}) == stanza.replace("hi", "yo").encode()


def test_render_contract() -> None:
    extracted = codec(json=("/a", "/b")).extract_frame('{"a": "x", "b": "y"}')
    with pytest.raises(IndexError):
        extracted.render({2: "z"})
    with pytest.raises(CodecError, match="surrogate"):
        extracted.render({0: "\ud800"})
    assert extracted.render({0: "x", 1: "y"}) == '{"a": "x", "b": "y"}'
    assert extracted.render({1: "Y"}) == '{"a": "x", "b": "Y"}'


CAPS = FieldCaps(max_fields=3, max_chars=10)


@pytest.mark.parametrize(("declared", "payload", "content_type", "kind"), [
    ({"json": ("/m/*",)}, b'{"m": ["a", "b", "c", "d"]}', "application/json", "fields"),
    ({"json": ("/m/*",)}, b'{"m": ["a", "0123456789x"]}', "application/json", "chars"),
    ({"form": ("m",)}, b"m=a&m=b&m=c&m=d", "application/x-www-form-urlencoded", "fields"),
    ({"text": True}, b"0123456789x", "text/plain", "chars"),
    ({"text": True, "json": ("/m",)}, b'{"m": "0123456789x"}', None, "chars"),  # no fallback to text
    ({"xmpp": True}, b"<message><body>0123456789x</body></message>", None, "chars"),
    ({"socketio": {"chat": ("/0",)}}, b'42["chat", "0123456789x"]', None, "chars"),
])
def test_a_capped_codec_refuses_more_text_than_the_caps(declared: dict[str, Any], payload: bytes,
                                                        content_type: str | None, kind: str) -> None:
    capped = codec(**declared).capped(CAPS)
    with pytest.raises(LimitExceeded) as over:
        if "socketio" in declared or "xmpp" in declared:
            capped.extract_frame(payload.decode())
        else:
            capped.extract_http(payload, content_type)
    assert over.value.kind == kind
    assert isinstance(over.value, CodecError)  # whoever only knows CodecError still refuses it


def test_extraction_stops_at_the_cap_without_reading_the_rest() -> None:
    """80,000 fields cost the first max_fields + 1: what follows is not even parsed (it is broken here)."""
    head = b'{"m": [' + b", ".join(b'"x"' for _ in range(80_000))
    with pytest.raises(LimitExceeded):
        codec(json=("/m/*",)).capped(CAPS).extract_http(head + b", oops", "application/json")
    with pytest.raises(CodecError, match="JSON"):  # uncapped, the whole document is read and found broken
        codec(json=("/m/*",)).extract_http(head + b", oops", "application/json")


def test_within_the_caps_nothing_changes() -> None:
    plain, capped = codec(json=("/m/*",)), codec(json=("/m/*",)).capped(CAPS)
    body = b'{"m": ["a", "0123456789", "c"]}'
    assert texts(capped.extract_http(body, "application/json")) == texts(plain.extract_http(body, "application/json"))
    assert capped.caps == CAPS and plain.caps is None


def test_multipart_body_on_a_form_route() -> None:
    body = (b'--xyz\r\nContent-Disposition: form-data; name="msg"\r\n\r\ncard 4111\r\n'
            b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\x00\xff\r\n--xyz--\r\n")
    extracted = codec(form=("msg",)).extract_http(body, 'multipart/form-data; boundary="xyz"')
    assert texts(extracted) == ["card 4111", "a.bin"]  # a file's name is read, its bytes not
    assert extracted.render({0: "card ****"}) == body.replace(b"card 4111", b"card ****")


@pytest.mark.parametrize("content_type", [
    "multipart/form-data", "multipart/form-data; boundary=xyz; boundary=abc", "multipart/form-data; boundary=",
    "multipart/mixed; boundary=xyz",
])
def test_multipart_without_one_clear_boundary_is_refused(content_type: str) -> None:
    with pytest.raises(CodecError):
        codec(form=("msg",)).extract_http(b"--xyz\r\n", content_type)


def test_fold_keys_reads_keys_as_go_does() -> None:
    extracted = codec(json=("/message",), fold_keys=True).extract_http(b'{"MESSAGE": "shout"}', "application/json")
    assert texts(extracted) == ["shout"]
    with pytest.raises(CodecError, match="case-folded"):
        codec(json=("/message",), fold_keys=True).extract_http(b'{"message": "a", "Message": "b"}', None)


def test_fold_keys_needs_json_fields() -> None:
    with pytest.raises(OptionsError, match="json"):
        check_selector(FieldSelector(form=("msg",), fold_keys=True), "messages.inbound")


def test_query_fields_are_read_and_rewritten() -> None:
    built = codec(query=("searchText",))
    assert not built.reads_body and built.reads_query
    extracted = built.extract_query("roomId=GENERAL&searchText=card+4111&count=10")
    assert texts(extracted) == ["card 4111"]
    assert extracted.render({0: "card ****"}) == "roomId=GENERAL&searchText=card+%2A%2A%2A%2A&count=10"
    assert codec(form=("msg",)).extract_query("msg=from+the+query").fields[0].text == "from the query"


def test_socketio_codec_checks_the_engine_io_version() -> None:
    from multidict import MultiDict

    built = codec(socketio={"*": ("/*",)})
    built.check_request(MultiDict([("EIO", "4"), ("transport", "polling")]))
    for query in (MultiDict([("EIO", "3")]), MultiDict(), MultiDict([("EIO", "4"), ("EIO", "3")])):
        with pytest.raises(UnsupportedPayload):
            built.check_request(query)
    codec(json=("/text",)).check_request(MultiDict())  # other codecs have nothing to check
    assert built.checks_request


@pytest.mark.parametrize("declared", [{"json": ("/text",)}, {"form": ("msg",)}, {"text": True}, {"query": ("q",)},
                                      {"ddp": {"*": ("/params/0/msg",)}}, {"xmpp": True}])
def test_a_codec_that_checks_nothing_in_the_query_says_so(declared: dict[str, Any]) -> None:
    """The proxy parses the query for `check_request` only when `checks_request` says it reads it."""
    from multidict import MultiDict

    built = codec(**declared)
    assert not built.checks_request
    for query in (MultiDict([("EIO", "3")]), MultiDict([("EIO", "4"), ("EIO", "3")]), MultiDict()):
        built.check_request(query)  # nothing refused, whatever the query says


def _method_call(outbound: bool = False) -> Codec:
    built = Codec.for_selector(FieldSelector(ddp={"sendMessage": ("/params/0/msg",), "#result": ("/result/msg",)},
                                             envelope="/message"), outbound=outbound)
    assert built is not None
    return built


def test_ddp_in_a_json_envelope_reads_the_inner_method() -> None:
    inner = json.dumps({"msg": "method", "method": "sendMessage", "id": "1", "params": [{"msg": "hi"}]})
    body = json.dumps({"message": inner}).encode()
    extracted = _method_call().extract_http(body, "application/json")
    assert texts(extracted) == ["hi"]
    out = extracted.render({0: "yo"})
    assert isinstance(out, bytes) and json.loads(json.loads(out)["message"])["params"] == [{"msg": "yo"}]
    assert _method_call().names(body, "application/json") == ("sendMessage",)


@pytest.mark.parametrize("body", [b'{"msg": "hi"}', b'{"message": "not json"}', b'{"message": {"msg": "x"}}'])
def test_a_request_envelope_without_a_ddp_message_is_refused(body: bytes) -> None:
    with pytest.raises(CodecError):
        _method_call().extract_http(body, "application/json")


def test_an_answer_envelope_may_hold_an_error_text_or_nothing() -> None:
    answer = _method_call(outbound=True)
    assert texts(answer.extract_http(b'{"status": "error", "message": "You must be logged in"}', None)) == [
        "You must be logged in"]
    assert texts(answer.extract_http(b'{"success": false, "error": "Invalid method call"}', None)) == []
    result = json.dumps({"message": json.dumps({"msg": "result", "id": "1", "result": {"msg": "sent"}})})
    assert texts(answer.extract_http(result.encode(), None)) == ["sent"]


def test_envelope_needs_ddp() -> None:
    with pytest.raises(OptionsError, match="ddp"):
        check_selector(FieldSelector(json=("/a",), envelope="/message"), "messages.inbound")


def test_names_of_polling_and_sockjs_bodies() -> None:
    polling = codec(socketio={"chat message": ("/0",)})
    assert polling.names(b'42["chat message","a"]\x1e42["kick","b"]\x1e2', None) == ("chat message", "kick")
    sockjs = codec(ddp={"sendMessage": ("/params/0/msg",)})
    frames = json.dumps([json.dumps({"msg": "method", "method": "deleteMessage", "id": "1", "params": []})])
    assert sockjs.names(frames.encode(), "text/plain") == ("deleteMessage",)
    assert codec(json=("/text",)).names(b'{"text": "x"}', None) == ()


@pytest.mark.parametrize("frame", [False, True])
def test_a_list_longer_joined_than_max_chars_is_read_in_windows_and_written_back(frame: bool) -> None:
    """The same windows whether orjson or the walk reads the document (HTTP body or frame), and a change
    goes out only as the items' own changes make it."""
    capped = codec(json=("/m",)).capped(FieldCaps(max_fields=100, max_chars=24))
    payload = '{"m": ["card 4111111111111111", "tail of it", "more text"]}'
    extracted = capped.extract_frame(payload) if frame else capped.extract_http(payload.encode(), "application/json")
    whole = "card 4111111111111111,tail of it,more text"
    assert [f.text for f in extracted.fields] == ["card 4111111111111111", "tail of it", "more text",
                                                  whole[0:24], whole[12:36], whole[24:]]
    changed = extracted.render({0: "card ****", 3: "card ****,ta"})
    assert (changed.decode() if isinstance(changed, bytes) else changed) == \
        '{"m": ["card ****", "tail of it", "more text"]}'
    with pytest.raises(CodecError):  # a window's edge cuts the changed item: what it became there is unknown
        extracted.render({0: "card ****", 4: "****,tail of it,more"})
    with pytest.raises(CodecError):  # a change only a window made
        extracted.render({5: "it,more ****"})
