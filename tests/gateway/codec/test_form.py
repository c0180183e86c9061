"""Form-encoded bodies: fields by name, untouched fields byte for byte."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, Extracted, TextField
from gateway.codec.form import extract_form


def extract(body: str, *names: str) -> tuple[list[TextField], Extracted]:
    fields: list[TextField] = []
    render = extract_form(body, frozenset(names), fields)
    return fields, Extracted(body, fields, render)


@pytest.mark.parametrize(("body", "names", "expected"), [
    ("msg=hello+world&room=1", ("msg",), [("msg", "hello world")]),
    ("msg=caf%C3%A9%20%26%20tea", ("msg",), [("msg", "café & tea")]),
    ("m%73g=encoded+name", ("msg",), [("msg", "encoded name")]),
    ("msg=a&msg=b", ("msg",), [("msg", "a"), ("msg[1]", "b"), ("msg[*]", "a,b")]),
    ("msg", ("msg",), [("msg", "")]),
    ("a=1&&b=2", ("a", "b"), [("a", "1"), ("b", "2")]),
    ("a=1&b=2", ("*",), [("a", "1"), ("b", "2")]),
    ("other=1", ("msg",), []),
    ("msg[]=a&msg[]=b", ("msg",), [("msg[]", "a"), ("msg[][1]", "b"), ("msg[][*]", "a,b")]),
    ("msg[0]=a&message[msg]=b&msgs=c", ("msg",), [("msg[0]", "a"), ("message[msg]", "b")]),  # jQuery: message.msg
    # brackets as qs (`[msg]`), Rack 2 (`]msg`, `msg]`), PHP (a `[` never closed is `_`) and ASP.NET's jQuery
    # providers (`Input[Message]` is `Input.Message`) read them
    ("[msg]=a&%5Bmsg%5D[b]=b&[other]=c", ("msg",), [("[msg]", "a"), ("[msg][b]", "b"), ("[msg][*]", "a,b")]),
    ("]msg=a&msg]=b&ms]g=c", ("msg",), [("]msg", "a"), ("msg]", "b")]),
    ("chat[message=a&chat.message=b&chat[message]=c", ("chat_message",), [("chat[message", "a"), ("chat.message", "b")]),
    ("Input[Message]=a&Input[0]=b", ("Input.Message",), [("Input[Message]", "a")]),
    ("data[text][]=a&[data][TEXT][x]=b&data[other]=c&data=d", ("data[text]",), [("data[text][]", "a"),
                                                                              ("[data][TEXT][x]", "b"),
                                                                              ("data[text][][*]", "a,b")]),
    ("my.field=php&my+field=too", ("my_field",), [("my.field", "php"), ("my field", "too")]),
    ("q=a;b", ("msg",), []),
    ("_charset_=UTF-8&msg=x", ("msg",), [("msg", "x")]),
    # ASP.NET binds names ignoring case, and a dotted name by its last part (either way round)
    ("MSG=a&Msg=b&msg=c", ("msg",), [("MSG", "a"), ("Msg", "b"), ("msg", "c"), ("MSG[*]", "a,b,c")]),
    ("M%53G[]=a", ("msg",), [("MSG[]", "a")]),
    ("Input.Message=a&input.other=b", ("message",), [("Input.Message", "a")]),
    ("Message=a&Other=b", ("Input.Message",), [("Message", "a")]),
    ("%C5%BF=long+s", ("s",), [("\u017f", "long s")]),
])
def test_extract(body: str, names: tuple[str, ...], expected: list[tuple[str, str]]) -> None:
    fields, _ = extract(body, *names)
    assert [(f.path, f.text) for f in fields] == expected


def test_copies_are_read_joined_as_node_and_asp_net_read_them() -> None:
    fields, extracted = extract("msg=4111&other=x&msg[]=1111&MSG=1111&msg[3]=1111", "msg")
    assert fields[-1] == TextField("msg[*]", "4111,1111,1111,1111")
    # a change in the copies is written in them; one only the joined reading shows cannot be
    assert extracted.render({0: "****", 4: "****,1111,1111,1111"}) == "msg=%2A%2A%2A%2A&other=x&msg[]=1111&MSG=1111&msg[3]=1111"
    with pytest.raises(CodecError):
        extracted.render({4: "****,****,****,1111"})


def test_copies_under_a_leading_bracket_are_joined_with_the_name() -> None:
    # qs: `[msg]` and `msg` are one key, its values a list that a page prints joined
    fields, _ = extract("msg=4111&[msg]=1111&[msg][]=1111&msg[3]=1111", "msg")
    assert fields[-1] == TextField("msg[*]", "4111,1111,1111,1111")


def test_copies_with_indices_out_of_order_are_refused() -> None:
    # qs sorts them: msg[1]=a&msg[0]=b is ["b", "a"]
    with pytest.raises(CodecError):
        extract("msg[1]=1111&msg[0]=4111", "msg")
    fields, _ = extract("msg[0]=4111&msg[1]=1111", "msg")
    assert fields[-1].text == "4111,1111"


def test_render_keeps_other_fields_as_sent() -> None:
    body = "token=a%2Fb%2fc&msg=card+4111111111111111&ts=1700000000000&x=%7E"
    fields, extracted = extract(body, "msg")
    assert extracted.render({}) is body
    assert extracted.render({0: "card ****"}) == "token=a%2Fb%2fc&msg=card+%2A%2A%2A%2A&ts=1700000000000&x=%7E"


def test_render_repeated_field_changes_only_that_copy() -> None:
    fields, extracted = extract("msg=a&msg=b", "msg")
    assert extracted.render({1: "c&d=e"}) == "msg=a&msg=c%26d%3De"


@pytest.mark.parametrize("body", ["msg=%FF%FE", "msg=%C3%28", "%FF=x"])
def test_invalid_utf8_is_refused(body: str) -> None:
    with pytest.raises(CodecError, match="UTF-8"):
        extract(body, "msg")


@pytest.mark.parametrize(("body", "message"), [
    ("msg=50%25+off+%u0041", "percent-escape"),
    ("m%u0073g=iis+reads+msg", "percent-escape"),
    ("msg=100%", "percent-escape"),
    ("a=1;msg=rack+splits+here", "';'"),
    ("msg=hello;world", "';'"),
    ("_method=DELETE&msg=x", "_method"),
    ("x=1&_METHOD=delete", "_method"),
    ("a=1;_method=DELETE", "_method"),
    ("_charset_=ISO-8859-1&msg=caf%C3%A9", "_charset_"),
    ("msg%00x=php+stops+at+nul", "control"),
    ("other=1&note%0A=x", "control"),
    ("a%7F=x", "control"),
])
def test_forms_backends_read_differently_are_refused(body: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        extract(body, "msg")
