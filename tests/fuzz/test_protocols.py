"""Framed protocols: Socket.IO/Engine.IO, SockJS/DDP (bare and enveloped), XMPP, server-sent events."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from gateway.codec import CodecError
from gateway.proxy.sse import EventParser
from tests.fuzz import targets
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import JSON_VALUES, TEXT, either, utf8

EVENT_NAMES = st.sampled_from(["chat message", "typing", "#ack", "other"]) | TEXT
SOCKETIO_FRAMES = st.builds(
    lambda kind, ns, ack, args: f"4{kind}{ns}{ack}{json.dumps(args)}",
    st.sampled_from(["2", "3", "5", "6", "0", "1", "4", "9"]),
    st.sampled_from(["", "/chat,", "/a/b,", "/,"]),
    st.sampled_from(["", "1", "12", "1-", "0"]),
    st.lists(st.one_of(EVENT_NAMES, JSON_VALUES), max_size=4))


@FUZZ
@given(either(SOCKETIO_FRAMES.map(utf8)))
@example(b'42["chat message",{"_placeholder":true,"num":0}]')
@example(b'451-["chat message",{"text":{"_placeholder":true,"num":0}}]')
def test_socketio_frames(frame: bytes) -> None:
    text = frame.decode("utf-8", "replace")
    targets.round_trip(targets.frame(targets.SOCKETIO), text)


@FUZZ
@given(st.lists(SOCKETIO_FRAMES, max_size=4).map(lambda fs: "\x1e".join(fs).encode()))
def test_socketio_polling(body: bytes) -> None:
    targets.round_trip(targets.http(targets.SOCKETIO, "text/plain; charset=UTF-8"), body)


DDP = st.fixed_dictionaries({"msg": st.sampled_from(["method", "changed", "added", "result", "ping"]),
                             "method": st.sampled_from(["sendMessage", "other"]) | TEXT,
                             "collection": st.sampled_from(["stream-room-messages"]),
                             "params": st.lists(st.dictionaries(st.sampled_from(["msg", "rid", "$date"]),
                                                                JSON_VALUES, max_size=3), max_size=2),
                             "fields": st.fixed_dictionaries({"args": st.lists(
                                 st.dictionaries(st.sampled_from(["msg", "u"]), JSON_VALUES, max_size=2),
                                 max_size=2)})},
                            optional={"id": TEXT})
SOCKJS = st.one_of(
    st.builds(lambda ms: "a" + json.dumps([json.dumps(m) for m in ms]), st.lists(DDP, max_size=3)),
    st.builds(lambda ms: json.dumps([json.dumps(m) for m in ms]), st.lists(DDP, max_size=3)),
    DDP.map(json.dumps), st.sampled_from(["o", "h", "c[3000,\"Go away!\"]", "a[]"]))


@FUZZ
@given(either(SOCKJS.map(utf8)))
@example(b'["{\\"msg\\":\\"method\\",\\"method\\":\\"sendMessage\\",\\"params\\":[{\\"msg\\":\\"a\\",\\"msg\\":\\"b\\"}]}"]')
def test_sockjs_ddp_frames(frame: bytes) -> None:
    targets.round_trip(targets.frame(targets.DDP), frame.decode("utf-8", "replace"))


@FUZZ
@given(either(st.builds(lambda m: json.dumps({"message": json.dumps(m)}), DDP).map(utf8)))
def test_ddp_enveloped(body: bytes) -> None:
    targets.round_trip(targets.http(targets.DDP_ENVELOPED, "application/json"), body)


XMPP_STANZAS = st.builds(
    lambda kind, attrs, body, extra: f"<{kind} xmlns='jabber:client'{attrs}><body>{body}</body>{extra}</{kind}>",
    st.sampled_from(["message", "presence", "iq"]),
    st.sampled_from(["", " to='a@b'", " type='chat' id='1'", " xml:lang='en'"]),
    TEXT.map(lambda t: t.replace("<", "&lt;").replace("&", "&amp;")),
    st.sampled_from(["", "<subject>s</subject>", "<status>x</status>",
                     "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
                     "<p>hi</p></body></html>", "<!-- c -->", "<![CDATA[x]]>", "<?pi x?>"]))


@FUZZ
@given(either(XMPP_STANZAS.map(lambda s: s.encode("utf-8", "surrogatepass"))))
@example(b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><message><body>&a;</body></message>")
@example(b"<message xmlns='jabber:client'><body>a</body><body>b</body></message>")
def test_xmpp(frame: bytes) -> None:
    targets.round_trip(targets.frame(targets.XMPP), frame)


SSE = st.lists(st.one_of(
    st.builds(lambda d: f"data: {json.dumps({'text': d})}\n\n", TEXT),
    st.builds(lambda e, d: f"event: {e}\ndata: {d}\nid: 7\n\n", TEXT, TEXT),
    st.sampled_from([": comment\n\n", "retry: 10\n\n", "data\n\n", "data:\r\n\r\n", "\n\n", "data: a\rdata: b\r\r"])),
    max_size=5).map(lambda events: "".join(events).encode("utf-8", "surrogatepass"))


@FUZZ
@given(either(SSE), st.lists(st.integers(1, 40), max_size=8))
def test_sse_stream(stream: bytes, cuts: list[int]) -> None:
    """Events are the same whatever the chunking, their data round-trips; else CodecError."""
    whole = EventParser(4096)
    try:
        expected = [e.raw for e in whole.feed(stream)]
    except CodecError:
        return
    parser, got, at = EventParser(4096), [], 0
    for size in [*cuts, len(stream)]:
        try:
            got += [e.raw for e in parser.feed(stream[at:at + size])]
        except CodecError:
            return  # a split may expose an invalid event earlier; it is still refused
        at += size
    assert got == expected
    for raw in expected:
        data = EventParser(4096).feed(raw + b"\n\n")
        for event in data:
            if event.data is not None:
                targets.round_trip(targets.frame(targets.SSE_DATA), event.data)
