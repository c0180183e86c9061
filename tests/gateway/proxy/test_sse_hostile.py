"""Hostile event streams: a byte order mark at the start, line endings of every form, `data:` without its
space, comments, events that change shape mid-stream and strings that only look like the learnt shape,
each cut at every byte. The text is read as the client reads the stream, and events held without a
coroutine (`EventRelay._at_once`) go exactly as the general reading sends them."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import CodecError, SseFields
from tests.gateway.proxy.test_sse import CARD, _relayed, datas, gathering, masking, relay, run

BOM = b"\xef\xbb\xbf"
CARDED = b'data: {"t": "pay ' + CARD.encode() + b' now"}\n\n'


@pytest.mark.parametrize("ending", [b"\n", b"\r", b"\r\n"])
async def test_data_after_a_byte_order_mark_at_the_start_is_read_as_the_client_reads_it(ending: bytes) -> None:
    """A client drops one byte order mark at the start of the stream and reads `data:` after it: so does
    the relay (before, the line read as a field named `\\ufeffdata` and went out unread, card and all)."""
    stream = BOM + CARDED.replace(b"\n", ending)
    plain = await run(relay(SseFields(json=("/t",)), masking()), [CARDED.replace(b"\n", ending)])
    assert CARD.encode() not in plain
    for cut in range(len(stream) + 1):  # the mark itself split over chunks, at every byte
        for chunks in ([stream[:cut], stream[cut:]], [stream[i:i + 1] for i in range(cut)] + [stream[cut:]]):
            out = await run(relay(SseFields(json=("/t",)), masking()), chunks)
            assert out == plain, (cut, chunks)


async def test_a_byte_order_mark_later_in_the_stream_is_a_character_of_a_line() -> None:
    """Only the stream's first bytes may be a mark: later, as for the client, `\\ufeffdata` names another
    field (no data to read, none the client reads: dropped), and a mark inside data is text."""
    stream = b'data: {"t": "a"}\n\n' + BOM + b"data: x\n\n" + b'data: {"t": "\xef\xbb\xbfb"}\n\n'
    out = await run(relay(SseFields(json=("/t",)), masking()), [stream])
    assert b"}\n\n:\n\ndata: " in out and b"data: x" not in out  # nothing the client reads, between the two
    assert "".join(orjson.loads(data)["t"] for data in datas(out)) == "a\ufeffb"


async def test_only_part_of_a_mark_at_the_start_is_refused_not_dropped() -> None:
    out = relay(SseFields(json=("/t",)), masking())
    assert (await out.feed(b"\xef\xbb")).data == b""
    with pytest.raises(CodecError, match="UTF-8"):  # not UTF-8: never forwarded
        await out.feed(b"data: x\n\n")


# Events of a token stream, then events that keep close to its shape but differ: no space after the colon,
# two spaces, other line endings, comments, other fields, several data lines, strings that are not one
# JSON string, other shapes, values of other types.
_LEARN = [b'data: {"delta": "' + word + b'"}\n\n' for word in (b"a ", b"b ", b"c ")]
_HOSTILE = [
    b'data:{"delta": "no space "}\n\n',
    b'data:  {"delta": "two spaces "}\n\n',
    b'data: {"delta": "cr "}\r\r',
    b'data: {"delta": "crlf "}\r\n\r\n',
    b'data: {"delta": "mixed "}\r\n\n',
    b'data: {"delta": "lf then cr "}\n\r',
    b': comment\ndata: {"delta": "after a comment "}\n\n',
    b'data: {"delta": "before a comment "}\n: comment\n\n',
    b'event: tok\nid: 9\ndata: {"delta": "with fields "}\n\n',
    b'data: {"delta": "one "}\ndata: {"delta": "two "}\n\n',
    b'data: {"delta": "\\"}\n\n',
    b'data: {"delta": "\\\\"}\n\n',
    b'data: {"delta": "\\u0022"}\n\n',
    b'data: {"delta": "\\ud800"}\n\n',
    b'data: {"delta": "\\u0000 "}\n\n',
    b'data: {"delta": "a", "delta": "b"}\n\n',
    b'data: {"delta": "a"} trailing\n\n',
    b'data: {"delta": {"x": "nested"}}\n\n',
    b'data: {"delta": 4111111111111111}\n\n',
    b'data: {"d\\u0065lta": "escaped key "}\n\n',
    b'data: {"delta": "' + CARD[:8].encode() + b'"}\n\n',
    b'data: {"delta": "' + CARD[8:].encode() + b' "}\n\n',
    b'data: {"delta": "new shape ", "n": 1}\n\n',
    b'data: {"other": "no field "}\n\n',
    b"data: not json " + CARD.encode() + b"\n\n",
    b"data\n\n",
    b"data:\n\n",
    b"\xef\xbb\xbfdata: {\"delta\": \"a mark mid-stream \"}\n\n",
    b'data: {"delta": "\xef\xbb\xbf"}\n\n',
]


@pytest.mark.parametrize("hostile", _HOSTILE)
@pytest.mark.parametrize("reads", [1, 3, 1 << 16])
def test_a_hostile_event_after_a_learnt_shape_goes_as_the_general_reading_sends_it(hostile: bytes, reads: int) -> None:
    for raw in (b"".join(_LEARN) + hostile + b"".join(_LEARN), BOM + b"".join(_LEARN) + hostile):
        for batch, limit in ((16, 1 << 20), (4096, 48)):
            quick = asyncio.run(_relayed(raw, True, batch, limit, reads, [2, 5]))
            assert quick == asyncio.run(_relayed(raw, False, batch, limit, reads, [2, 5])), (raw, batch, limit)


def test_the_relay_holds_events_at_once_on_a_gathering_stream() -> None:
    assert gathering(SseFields(json=("/delta",)), masking())._quick  # the path the tests above compare


_EVENT = st.one_of(
    st.sampled_from(_LEARN + _HOSTILE),
    st.text(max_size=8).map(lambda p: b'data: {"delta": ' + orjson.dumps(p) + b"}\n\n"),
    st.builds(lambda p, end, space: b"data:" + space + b'{"delta": ' + orjson.dumps(p) + b"}" + end + end,
              st.text(max_size=8), st.sampled_from([b"\n", b"\r", b"\r\n"]), st.sampled_from([b"", b" "])),
)


@settings(max_examples=150, deadline=None)
@given(events=st.lists(_EVENT, max_size=20), bom=st.booleans(), reads=st.integers(1, 64),
       flushes=st.lists(st.integers(0, 40), max_size=4), batch=st.sampled_from([2, 16, 4096]),
       limit=st.sampled_from([48, 1 << 20]))
def test_property_streams_of_hostile_events_go_as_the_general_reading_sends_them(
        events: list[bytes], bom: bool, reads: int, flushes: list[int], batch: int, limit: int) -> None:
    raw = (BOM if bom else b"") + b"".join(events)
    assert asyncio.run(_relayed(raw, True, batch, limit, reads, flushes)) == asyncio.run(
        _relayed(raw, False, batch, limit, reads, flushes))
