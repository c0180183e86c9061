"""Field streams: pieces of one stream through the stream chain; held tails come out shaped like the last piece."""

from __future__ import annotations

import json

from filters import Action, Chain, Filter, Message, Step, StreamChain, Verdict, block
from gateway.codec import Codec, FieldSelector
from gateway.inspect.streams import FieldStreams
from tests.filters.test_stream import OUT, NoBye, Streaming

CODEC = Codec(FieldSelector(json=("/a", "/b")))


def streams(*filters: Filter, limit: int = 1 << 20) -> FieldStreams[str]:
    return FieldStreams(StreamChain(Chain([Step(f.name, f, 5.0) for f in filters]), OUT), limit)


async def feed(fields: FieldStreams[str], frame: dict[str, str], tag: str) -> object:
    raw = json.dumps(frame)
    inspection = await fields.feed(CODEC.extract_frame(raw), raw, tag)
    return json.loads(inspection.payload) if inspection.action is not Action.BLOCK else Action.BLOCK


async def test_held_tails_go_out_shaped_like_the_last_piece_of_their_field() -> None:
    fields = streams(Streaming())
    assert await feed(fields, {"a": "one sec", "b": "x", "id": "1"}, "first") == {"a": "one ", "b": "x", "id": "1"}
    assert await feed(fields, {"b": "y se", "id": "2"}, "second") == {"b": "y ", "id": "2"}
    tails = await fields.close()
    assert [(t.last, json.loads(t.inspection.payload)) for t in tails] == [
        ("first", {"a": "sec", "b": "", "id": "1"}), ("second", {"b": "se", "id": "2"})]
    assert await fields.close() == []  # closed once


async def test_a_field_with_nothing_held_has_an_empty_tail() -> None:
    fields = streams(Streaming())
    await feed(fields, {"a": "plain"}, "only")
    (tail,) = await fields.close()
    assert tail.text == "" and tail.inspection.payload == b"" and tail.inspection.action is Action.PASS


async def test_a_blocked_tail_ends_the_flush() -> None:
    class BlockTails(NoBye):
        async def inspect(self, message: Message) -> Verdict:
            return block("tail") if message.text == "sec" else await super().inspect(message)

    fields = streams(Streaming(), BlockTails())
    await feed(fields, {"a": "a sec"}, "1")
    await feed(fields, {"b": "b sec"}, "2")
    tails = await fields.close()
    assert len(tails) == 1 and tails[0].inspection.action is Action.BLOCK


async def test_the_pieces_kept_for_tails_are_bounded() -> None:
    """Each field path keeps its last piece until the end: a stream that spreads over many paths
    (so many large pieces stay alive) is blocked once they hold more than the limit."""
    fields = streams(Streaming(), limit=250)
    pad = "x" * 100
    assert await feed(fields, {"a": "1", "id": pad}, "1") != Action.BLOCK
    assert await feed(fields, {"a": "2", "id": pad}, "2") != Action.BLOCK  # replaces path a's piece: same hold
    assert fields.held < 250
    assert await feed(fields, {"b": "3", "id": pad}, "3") != Action.BLOCK  # a and b: two pieces kept
    assert await feed(fields, {"b": "4", "id": pad * 2}, "4") == Action.BLOCK  # a's piece and a 200-byte one


def gathering(*filters: Filter, batch: int = 16) -> FieldStreams[str]:
    return FieldStreams(StreamChain(Chain([Step(f.name, f, 5.0) for f in filters]), OUT, batch), 1 << 20)


async def test_gathered_text_is_let_go_per_field_shaped_like_its_last_piece() -> None:
    fields = gathering(Streaming())
    assert not fields.gathering and fields.flush_in(1.0) is None
    assert await feed(fields, {"a": "one ", "b": "x", "id": "1"}, "first") == {"a": "", "b": "", "id": "1"}
    assert fields.gathering and 0.0 <= (fields.flush_in(1.0) or 0.0) <= 1.0
    assert await feed(fields, {"a": "two ", "id": "2"}, "second") == {"a": "", "id": "2"}
    tails = await fields.flush()
    assert sorted((t.last, t.latest, json.dumps(json.loads(t.inspection.payload))) for t in tails) == [
        ("first", False, json.dumps({"a": "", "b": "x", "id": "1"})),
        ("second", True, json.dumps({"a": "one two ", "id": "2"}))]  # its only text field: it may carry it
    assert not fields.gathering and await fields.flush() == []


async def test_a_tail_may_take_the_place_of_the_latest_piece_when_it_was_its_only_field() -> None:
    fields = gathering(Streaming())
    await feed(fields, {"a": "hi ", "id": "1"}, "first")
    await feed(fields, {"b": "yo ", "id": "2"}, "second")
    tails = {t.last: t.latest for t in await fields.flush()}
    assert tails == {"first": False, "second": True}


async def test_a_blocked_gathered_text_blocks_its_flush() -> None:
    fields = gathering(Streaming(), NoBye())
    assert await feed(fields, {"a": "b"}, "first") == {"a": ""}
    assert await feed(fields, {"a": "ye"}, "second") == {"a": ""}
    (tail,) = await fields.flush()
    assert tail.inspection.action is Action.BLOCK and tail.inspection.payload == b""


async def test_a_piece_of_one_field_is_fed_without_being_rendered() -> None:
    fields = gathering(Streaming(), batch=8)
    first = json.dumps({"a": "one "})
    assert await fields.feed_one(CODEC.extract_frame(first), first, "first") is StreamChain.HELD
    assert fields.gathering
    second = json.dumps({"a": "two "})
    result = await fields.feed_one(CODEC.extract_frame(second), second, "second")
    assert result.text == "one two " and not fields.gathering  # the batch is full: read at once
    third = json.dumps({"a": "x"})
    await fields.feed_one(CODEC.extract_frame(third), third, "third")
    (tail,) = await fields.flush(spread={"/a"})
    assert tail.text == "x" and tail.inspection.payload == b""  # the caller places that text itself


async def test_pieces_of_one_field_are_bounded_like_others() -> None:
    fields: FieldStreams[str] = FieldStreams(StreamChain(Chain([Step("s", Streaming(), 5.0)]), OUT, 8), 64)
    big = json.dumps({"a": "1", "pad": "x" * 100})
    assert (await fields.feed_one(CODEC.extract_frame(big), big, "big")).action is Action.BLOCK
