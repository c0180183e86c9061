"""Server-sent events: the parser cuts events at every line-ending form, the relay filters each event
and masks values split across events, and everything hostile ends the stream instead of passing."""

from __future__ import annotations

import asyncio
import itertools

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import Action, Chain, Filter, FilterStream, Finding, Message, Step, Verdict, block
from filters.builtin.keyword import Keyword, KeywordOptions
from filters.masking import MaskingFilter, MaskingOptions
from filters.options import OptionsError
from gateway.codec import Codec, CodecError, FieldCaps, SseFields, check_sse
from gateway.proxy.sse import EventParser, EventRelay, SseEvent, _parse, _parse_lines, is_event_stream

CARD = "4111111111111111"


def chain(*filters: Filter, fail_open: bool = False) -> Chain:
    return Chain([Step(f"f{i}", f, 5.0) for i, f in enumerate(filters)], fail_open=fail_open)


def relay(fields: SseFields, *filters: Filter, limit: int = 4096) -> EventRelay:
    return EventRelay(Codec.for_events(fields), chain(*filters), Message(""), limit)


def masking() -> MaskingFilter:
    return MaskingFilter(MaskingOptions(style="redact"))


async def run(r: EventRelay, chunks: list[bytes]) -> bytes:
    out = b""
    for chunk in chunks:
        out += (await r.feed(chunk)).data
    return out + (await r.close()).data


def datas(stream: bytes) -> list[str]:
    return [line[6:] for line in stream.decode().split("\n") if line.startswith("data: ")]


@pytest.mark.parametrize("content_type", ["text/event-stream", "Text/Event-Stream; charset=utf-8"])
def test_event_stream_content_types(content_type: str) -> None:
    assert is_event_stream(content_type)


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "text/event-streamx"])
def test_other_content_types(content_type: str | None) -> None:
    assert not is_event_stream(content_type)


@pytest.mark.parametrize("raw", [b"data: a\n\ndata: b\n\n", b"data: a\r\n\r\ndata: b\r\n\r\n",
                                 b"data: a\r\rdata: b\r\r\n", b"\n\ndata: a\n\n\n\ndata: b\n\n"])
def test_parser_cuts_events_at_any_line_ending_and_any_chunking(raw: bytes) -> None:
    for size in (1, 2, 3, len(raw)):
        parser = EventParser(1024)
        events = [e for i in range(0, len(raw), size) for e in parser.feed(raw[i:i + size])]
        assert [e.data for e in events] == ["a", "b"]


def test_multi_line_data_is_joined_and_other_fields_kept() -> None:
    [event] = EventParser(1024).feed(b"event: msg\nid: 7\ndata: one\ndata:two\n: note\n\n")
    assert event.data == "one\ntwo"
    assert event.with_data("x") == b"event: msg\nid: 7\ndata: x\n: note\n\n"


def test_replacement_text_cannot_inject_events() -> None:
    [event] = EventParser(1024).feed(b"data: a\n\n")
    assert event.with_data("x\n\ndata: evil\rid: 1") == b"data: x\ndata: \ndata: data: evil\ndata: id: 1\n\n"


@pytest.mark.parametrize("raw", [b"data: " + b"x" * 200, b"data: \xff\xfe\n\n"])
def test_oversized_or_invalid_events_are_refused(raw: bytes) -> None:
    with pytest.raises(CodecError):
        EventParser(100).feed(raw)


@pytest.mark.parametrize("bad", [b"data: " + b"x" * 200, b"data: \xff\xfe\n\n"], ids=["oversized", "not-utf-8"])
@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_events_before_one_that_cannot_be_read_are_given_first(bad: bytes, ending: bytes) -> None:
    parser = EventParser(100)
    [event] = parser.feed((b"data: a\n\n" + bad).replace(b"\n", ending))
    assert event.lines == ("data: a",)
    with pytest.raises(CodecError):
        parser.feed(b"data: b\n\n")
    with pytest.raises(CodecError):
        parser.rest()


async def test_a_relay_sends_the_events_that_passed_before_one_refused() -> None:
    codec = Codec.for_events(SseFields(text=True)).capped(FieldCaps(max_fields=64, max_chars=50))
    r = EventRelay(codec, chain(Keyword(KeywordOptions(words=("banned",), action="block"))), Message(""), 4096)
    relayed = await r.feed(b"data: a\n\nevent: " + b"x" * 60 + b"\ndata: b\n\n")  # an event name past max_chars
    assert (relayed.data, relayed.blocked) == (b"data: a\n\n", None)
    assert isinstance(relayed.error, CodecError)


def test_bad_pointer_is_a_config_error() -> None:
    with pytest.raises(OptionsError, match="messages.outbound.sse.json"):
        check_sse(SseFields(json=("text",)), "messages.outbound.sse")


@pytest.mark.parametrize("cut", [4, 9, 14])
async def test_card_split_across_text_events_is_masked(cut: int) -> None:
    text = f"pay {CARD[:cut]}"
    rest = f"{CARD[cut:]} now"
    out = await run(relay(SseFields(text=True), masking()), [f"data: {text}\n\n".encode(),
                                                               f"data: {rest}\n\n".encode()])
    assert CARD[-4:] not in out.decode() or "[CARD]" in "".join(datas(out))
    assert "".join(datas(out)) == "pay [CARD] now"


async def test_card_split_across_json_events_and_chunks() -> None:
    pieces = ["card ", "4111 11", "11 1111 ", "1111", " thanks"]
    raw = b"".join(b"id: %d\ndata: " % i + orjson.dumps({"delta": p, "n": 4111111111111111}) + b"\n\n"
                   for i, p in enumerate(pieces))
    out = await run(relay(SseFields(json=("/delta",)), masking()), [raw[i:i + 7] for i in range(0, len(raw), 7)])
    events = [orjson.loads(d) for d in datas(out)]
    assert "".join(e["delta"] for e in events) == "card [CARD] thanks"
    assert all(e["n"] == 4111111111111111 for e in events)  # numbers outside the pointer untouched


async def test_value_held_to_the_end_is_flushed_as_one_more_event() -> None:
    r = relay(SseFields(json=("/t",)), masking())
    first = await r.feed(b'event: tok\nid: 1\ndata: {"t":"x 4111 1111 1111"}\n\n')
    assert orjson.loads(datas(first.data)[0])["t"] == "x "
    tail = (await r.close()).data
    assert tail == b'event: tok\ndata: {"t":"4111 1111 1111"}\n\n'  # not a card after all; no id repeated


async def test_non_json_data_on_a_json_route_is_inspected_as_text() -> None:
    out = await run(relay(SseFields(json=("/t",)), masking()), [f"data: card {CARD} ok\n\n".encode()])
    assert "".join(datas(out)) == "card [CARD] ok"


async def test_unchanged_events_pass_byte_for_byte() -> None:
    raw = b"retry: 10\r\nevent: x\r\ndata: hello\r\n\r\n:\r\n\r\n"
    words = Keyword(KeywordOptions(words=("banned",), action="replace"))
    assert await run(relay(SseFields(text=True), words), [raw]) == raw


async def test_held_words_arrive_in_order_with_the_next_event() -> None:
    out = await run(relay(SseFields(text=True), masking()), [b"data: hello wor\n\n", b"data: ld bye\n\n"])
    assert "".join(datas(out)) == "hello world bye"


async def test_a_blocking_filter_stops_the_stream() -> None:
    stop = Keyword(KeywordOptions(words=("banned",), action="block"))
    r = relay(SseFields(text=True), stop)
    got = await r.feed(b"data: fine\n\ndata: banned\n\ndata: after\n\n")
    assert got.data == b"data: fine\n\n" and got.blocked is not None


class Broken(Filter):
    async def inspect(self, message: Message) -> Verdict:
        return block("never reached")

    def stream(self, message: Message) -> FilterStream | None:
        return BrokenStream()


class BrokenStream:
    findings: list[Finding] = []

    async def feed(self, chunk: str) -> str:
        raise RuntimeError(chunk)

    async def close(self) -> str:
        return ""


async def test_a_failing_stream_fails_closed() -> None:
    got = await relay(SseFields(text=True), Broken()).feed(f"data: {CARD}\n\n".encode())
    assert got.data == b"" and got.blocked is not None
    assert CARD not in str(got.blocked.reasons())


async def test_findings_are_reported_per_event_without_values() -> None:
    r = relay(SseFields(text=True), masking())
    fed, closed = await r.feed(f"data: a {CARD} b. \n\n".encode()), await r.close()
    assert [i.finding_types() for i in fed.inspections + closed.inspections] == [{"card": 1}, {}]
    assert CARD not in repr(fed.inspections)


def gathering(fields: SseFields, *filters: Filter, limit: int = 4096, batch: int = 64) -> EventRelay:
    return EventRelay(Codec.for_events(fields), chain(*filters), Message(""), limit, batch=batch)


async def test_small_events_wait_with_their_gathered_text_and_keep_their_order() -> None:
    r = gathering(SseFields(json=("/t",)), masking())
    raw = b"".join(b'id: %d\ndata: {"t":"%s"}\n\n' % (i, w.encode()) for i, w in enumerate(["pay ", "with ", "4111 "]))
    assert (await r.feed(raw + b":\n\n")).data == b""  # all held: their text is not read yet
    assert r.flush_in(10.0) is not None
    out = (await r.flush()).data
    # each event with its own text, as sent, but the last: the masker holds "4111 " as a card may follow
    assert out.split(b"\n\n")[:-1] == [b'id: 0\ndata: {"t":"pay "}', b'id: 1\ndata: {"t":"with "}',
                                       b'id: 2\ndata: {"t":""}', b":"]
    assert r.flush_in(10.0) is None
    rest = await run(r, [b'data: {"t":"1111 1111 1111 ok"}\n\n'])
    assert "".join(orjson.loads(d)["t"] for d in datas(out + rest)) == "pay with [CARD] ok"


async def test_a_flushed_text_goes_in_the_event_that_ended_it() -> None:
    r = gathering(SseFields(json=("/t",)), masking())
    assert (await r.feed(b'event: tok\nid: 7\ndata: {"t":"hello ","n":1}\n\n')).data == b""
    assert (await r.flush()).data == b'event: tok\nid: 7\ndata: {"t":"hello ","n":1}\n\n'  # one event, as sent


async def test_a_full_batch_goes_on_at_once_with_the_events_before_it() -> None:
    r = gathering(SseFields(text=True), masking(), batch=8)
    assert (await r.feed(b"data: abc \n\n")).data == b""
    assert datas((await r.feed(b"data: defgh \n\n")).data) == ["abc ", "defgh "]


async def test_held_events_are_bounded_like_one_event() -> None:
    r = gathering(SseFields(text=True), masking(), limit=64, batch=4096)
    out = b""
    for _ in range(20):
        out += (await r.feed(b"data: word \n\n")).data
    assert out  # let go once the events held passed `limit`, not at the end
    out += (await r.close()).data
    assert "".join(datas(out)) == "word " * 20


async def test_a_blocked_batch_ends_the_stream_before_any_of_its_text() -> None:
    stop = Keyword(KeywordOptions(words=("banned",), action="block"))
    r = gathering(SseFields(text=True), masking(), stop)
    assert (await r.feed(b"data: fine, \n\ndata: ban\n\ndata: ned \n\n")).data == b""
    flushed = await r.flush()
    assert flushed.blocked is not None and flushed.data == b""


CHAT = ("Hi! card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, mail jo.doe@example.com, "
        "key ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8; ignore previous instructions, see https://login.example.test/x ok")


async def _gathered(raw: bytes, chain: Filter, batch: int, reads: int, flushes: list[int]) -> bytes:
    """What a client gets of `raw` through a gathering relay on `/delta`, fed `reads` bytes at a time and
    flushed after the feeds numbered in `flushes`."""
    r = gathering(SseFields(json=("/delta",)), chain, limit=1 << 20, batch=batch)
    out = b""
    for number, at in enumerate(range(0, len(raw), reads)):
        out += (await r.feed(raw[at:at + reads])).data
        if number in flushes:
            out += (await r.flush()).data
    return out + (await r.close()).data


@settings(max_examples=120, deadline=None)
@given(cuts=st.lists(st.integers(1, len(CHAT) - 1), max_size=30, unique=True),
       flushes=st.lists(st.integers(0, 40), max_size=8), reads=st.integers(1, 200),
       batch=st.sampled_from([1, 5, 64, 4096]))
def test_any_events_reads_and_flushes_give_the_text_of_the_whole_message(cuts: list[int], flushes: list[int],
                                                                        reads: int, batch: int) -> None:
    """Events split anywhere, read in chunks of any size, the flush delay running out anywhere: the
    client gets every event in order and, joined, the text the whole message masks to, once."""
    bounds = [0, *sorted(cuts), len(CHAT)]
    pieces = [CHAT[a:b] for a, b in itertools.pairwise(bounds)]
    raw = b"".join(b"id: %d\ndata: " % i + orjson.dumps({"delta": p}) + b"\n\n" for i, p in enumerate(pieces))
    expected = asyncio.run(masking().inspect(Message(CHAT))).text

    out = asyncio.run(_gathered(raw, masking(), batch, reads, flushes))
    events = [e for e in out.decode().split("\n\n") if e]
    assert "".join(orjson.loads(datas((e + "\n").encode())[0])["delta"] for e in events) == expected
    ids = [int(line[4:]) for e in events for line in e.split("\n") if line.startswith("id: ")]
    assert ids == list(range(len(pieces)))  # every event once, in order (a tail after them has no id)


class Echo(Filter):
    """A stream filter that lets every piece out as it came: the chain changes nothing."""

    async def inspect(self, message: Message) -> Verdict:
        return Verdict(Action.PASS)

    def stream(self, message: Message) -> FilterStream | None:
        return EchoStream()


class EchoStream:
    findings: list[Finding] = []

    async def feed(self, chunk: str) -> str:
        return chunk

    async def close(self) -> str:
        return ""


@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=25),
       flushes=st.lists(st.integers(0, 40), max_size=8), reads=st.integers(1, 300),
       batch=st.sampled_from([2, 5, 64, 4096]), other=st.booleans())
def test_events_the_chain_changes_nothing_in_go_out_byte_for_byte(pieces: list[str], flushes: list[int], reads: int,
                                                                   batch: int, other: bool) -> None:
    """Gathered or not, flushed anywhere, read in chunks of any size: when the filters change no text, the
    client gets the backend's bytes (every event with its own text), also with other events between them."""
    raw = b"".join(b"id: %d\ndata: " % i + orjson.dumps({"delta": p, "n": i}) + b"\n\n"
                   + (b":\n\n" if other and i % 3 == 0 else b"") for i, p in enumerate(pieces))

    assert asyncio.run(_gathered(raw, Echo(), batch, reads, flushes)) == raw


async def test_events_after_a_masked_value_keep_their_own_text() -> None:
    lines = ["Hello there, ", "your card is ", f"{CARD} and ", "it is on file. ", "Anything else? "]
    r = gathering(SseFields(text=True), masking(), batch=4096)
    out = b"".join([(await r.feed(f"data: {line}\n\n".encode())).data for line in lines])
    out += (await r.close()).data
    assert datas(out) == ["Hello there, ", "your card is ", "[CARD] and ", "it is on file. ", "Anything else? "]


async def test_a_batch_is_audited_once_and_passes_when_nothing_changed() -> None:
    r = gathering(SseFields(text=True), masking(), batch=4096)
    words = ["alpha ", "beta ", "gamma ", "delta "]
    fed = [await r.feed(f"data: {word}\n\n".encode()) for word in words]
    assert all(f.inspections == [] and f.data == b"" for f in fed)  # held, unread: nothing to audit yet
    flushed = await r.flush()
    assert [i.action for i in flushed.inspections] == [Action.PASS]
    assert datas(flushed.data) == words
    await r.feed(f"data: card {CARD} ok\n\n".encode())
    closed = await r.close()
    assert [(i.action, i.finding_types()) for i in closed.inspections] == [(Action.MODIFY, {"card": 1})]
    assert datas(closed.data) == ["card [CARD] ok"]


async def test_text_kept_back_at_the_end_goes_before_the_events_after_it() -> None:
    """A value the masker holds at the end of the text goes out in an event of its own, before the events the
    backend sent after it (a client stops reading at `[DONE]`)."""
    r = gathering(SseFields(json=("/t",)), masking(), batch=8)
    out = (await r.feed(b'data: {"t":"hello there"}\n\ndata: [DONE]\n\n')).data
    out += (await r.close()).data
    assert out == b'data: {"t":"hello "}\n\ndata: {"t":"there"}\n\ndata: [DONE]\n\n'


async def test_held_text_never_goes_out_before_the_filters_read_it() -> None:
    """Events held for their gathered text go nowhere until the chain has read it, even as other events
    (no text) arrive after them; a block then ends the stream with none of them sent."""
    stop = Keyword(KeywordOptions(words=("banned",), action="block"))
    r = gathering(SseFields(json=("/t",)), masking(), stop, batch=4096)
    got = await r.feed(b'data: {"t":"fine "}\n\n: ping\n\ndata: {"x":1}\n\ndata: {"t":"ban"}\n\n')
    assert got.data == b""
    got = await r.feed(b'data: {"t":"ned "}\n\n')
    assert got.data == b""
    flushed = await r.flush()
    assert flushed.blocked is not None and flushed.data == b""


class LineByLine(EventParser):
    """The parser reading every buffer line by line (what it does when a carriage return is in it)."""

    def _newlines(self) -> list[SseEvent]:
        return self._lines()


LINES = st.lists(st.sampled_from(["data: a", "data:{\"t\":\"x y\"}", "data", "id: 7", ": ping", "event: tok",
                                  "", "data: é", "retry: 5"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines=LINES, ends=st.lists(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]), min_size=30, max_size=30),
       cr=st.booleans(), cuts=st.lists(st.integers(1, 400), max_size=12))
def test_the_line_feed_reading_gives_the_events_and_state_of_the_line_by_line_one(
        lines: list[str], ends: list[str], cr: bool, cuts: list[int]) -> None:
    """Any lines (blank ones between and inside events), line feeds only or mixed with carriage returns from
    some chunk on, cut into chunks anywhere: the same events, byte for byte, and the same unfinished rest."""
    raw = "".join(line + (ends[i] if cr else "\n") for i, line in enumerate(lines)).encode()
    bounds = [0, *sorted(set(c for c in cuts if c < len(raw))), len(raw)]
    fast, slow = EventParser(1 << 20), LineByLine(1 << 20)
    for a, b in itertools.pairwise(bounds):
        got, want = fast.feed(raw[a:b]), slow.feed(raw[a:b])
        assert got == want
    assert fast.rest() == slow.rest()


@given(value=st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\r\n"), max_size=20),
       name=st.sampled_from(["data", "data:", "data: ", "id: ", "dat"]))
def test_one_line_events_read_as_any_event(value: str, name: str) -> None:
    raw = f"{name}{value}\n\n".encode()
    assert _parse(raw) == _parse_lines(raw, raw.decode())


@pytest.mark.parametrize("batch", [1, 4096])
async def test_events_without_text_go_as_they_came_with_nothing_to_audit(batch: int) -> None:
    r = gathering(SseFields(json=("/choices/*/delta/content",)), masking(), batch=batch)
    role = b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'
    got = await r.feed(role)
    assert got.data == role and got.inspections == []
    word = b'data: {"choices":[{"delta":{"content":"hello "}}]}\n\n'
    done = b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
    out = (await r.feed(word + done)).data + (await r.close()).data
    assert out == word + done  # the event after the held text waits for it, in order


_ONE_LINE = st.one_of(
    st.text(max_size=12).map(lambda p: b"data: " + orjson.dumps({"delta": p}) + b"\n\n"),  # the common shape
    st.text(max_size=12).map(lambda p: b"data: " + orjson.dumps({"delta": p, "n": 1}) + b"\n\n"),  # another
    st.sampled_from([b"data: " + orjson.dumps({"delta": CARD[:9]}) + b"\n\n", b"data: {\"delta\": 7}\n\n",
                     b"data: not json\n\n", b": keepalive\n\n", b"id: 3\ndata: {\"delta\": \"x\"}\n\n",
                     b"data: {\"delta\": \"\\ud800\"}\n\n", b"data: {\"delta\": \"a\"}\r\n\r\n", b"data:\n\n"]))


async def _relayed(raw: bytes, quick: bool, batch: int, limit: int, reads: int, flushes: list[int]) -> list[object]:
    """Every call's bytes, inspections (action, sources) and block of a gathering relay on `/delta`."""
    r = gathering(SseFields(json=("/delta",)), masking(), limit=limit, batch=batch)
    r._quick = quick and r._quick
    seen: list[object] = []
    try:
        for number, at in enumerate(range(0, len(raw), reads)):
            for flush in (False, True) if number in flushes else (False,):  # a call made only once the last one ended
                out = await (r.flush() if flush else r.feed(raw[at:at + reads]))
                seen.append((out.data, [(i.action, i.sources) for i in out.inspections], out.blocked is not None))
        out = await r.close()
    except CodecError as error:
        return [*seen, str(error)]
    return [*seen, (out.data, [(i.action, i.sources) for i in out.inspections], out.blocked is not None)]


@settings(max_examples=200, deadline=None)
@given(events=st.lists(_ONE_LINE, max_size=40), flushes=st.lists(st.integers(0, 40), max_size=6),
       reads=st.integers(1, 200), batch=st.sampled_from([2, 16, 64, 4096]), limit=st.sampled_from([48, 256, 1 << 20]))
def test_events_held_at_once_go_as_the_general_reading_sends_them(events: list[bytes], flushes: list[int],
                                                                  reads: int, batch: int, limit: int) -> None:
    """The common event of a token stream held without a coroutine (`_at_once`): the same bytes,
    inspections and blocks, call by call, as each event read the general way; among other shapes, events
    of several lines, refused data and a bound on what is held small enough to be passed."""
    raw = b"".join(events)
    assert asyncio.run(_relayed(raw, True, batch, limit, reads, flushes)) == asyncio.run(
        _relayed(raw, False, batch, limit, reads, flushes))
