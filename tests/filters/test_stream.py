"""The stream chain: the same step loop as `Chain.run`, with filters fed the pieces of a stream in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import (
    Action,
    Chain,
    Channel,
    Direction,
    Filter,
    FilterStream,
    Finding,
    Message,
    Step,
    StreamChain,
    Verdict,
    block,
)

OUT = Message("", direction=Direction.OUTBOUND, channel=Channel.WS, route="bot")


class _Secret(FilterStream):
    """Holds back what could be the start of `secret`; masks it once seen whole."""

    def __init__(self) -> None:
        self._held = ""
        self._found: list[Finding] = []
        self._seen = 0

    @property
    def findings(self) -> Sequence[Finding]:
        return self._found

    async def feed(self, chunk: str) -> str:
        text = self._held + chunk
        if "secret" in text:
            at = self._seen + text.index("secret")
            self._found.append(Finding("secret", at, at + 6))
            text = text.replace("secret", "******")
        keep = next((n for n in range(min(5, len(text)), 0, -1) if "secret".startswith(text[-n:])), 0)
        self._held, out = (text[-keep:], text[:-keep]) if keep else ("", text)
        self._seen += len(out)
        return out

    async def close(self) -> str:
        held, self._held = self._held, ""
        return held


class Streaming(Filter):
    name = "streaming"

    def stream(self, message: Message) -> FilterStream | None:
        return _Secret()


class Stuck(Filter):
    name = "stuck"

    def stream(self, message: Message) -> FilterStream | None:
        class Hang(_Secret):
            async def feed(self, chunk: str) -> str:
                await asyncio.sleep(10)
                return chunk
        return Hang()


class NoBye(Filter):
    name = "nobye"

    async def inspect(self, message: Message) -> Verdict:
        return block("bye") if "bye" in message.text else Verdict()


def stream_chain(*filters: Filter, fail_open: bool = False, timeout: float = 5.0, batch: int = 1) -> StreamChain:
    return StreamChain(Chain([Step(f.name, f, timeout) for f in filters], fail_open=fail_open), OUT, batch)


class Counting(Filter):
    """Counts its calls and the texts it was given (the chain's fixed cost is paid per call)."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    async def inspect(self, message: Message) -> Verdict:
        self.seen.append(message.text)
        return Verdict()


async def test_a_value_split_across_pieces_is_found() -> None:
    chain = stream_chain(Streaming())
    sent = [(await chain.run(piece, "/text", final=False)) for piece in ("the sec", "ret is out")]
    tail = await chain.run("", "/text", final=True)
    assert "".join(r.text for r in (*sent, tail)) == "the ****** is out"
    assert [f.type for r in sent for v in r.verdicts for f in v.findings] == ["secret"]
    assert sent[1].action is Action.MODIFY


async def test_each_field_path_is_its_own_stream() -> None:
    chain = stream_chain(Streaming())
    assert (await chain.run("sec", "/a", final=False)).text == ""
    assert (await chain.run("ret", "/b", final=False)).text == "ret"  # /b never saw "sec"
    assert (await chain.run("", "/a", final=True)).text == "sec"


async def test_filters_without_a_stream_inspect_each_piece_and_block() -> None:
    chain = stream_chain(Streaming(), NoBye())
    assert (await chain.run("hello", "/t", final=False)).action is Action.PASS
    blocked = await chain.run("bye now", "/t", final=False)
    assert blocked.action is Action.BLOCK and blocked.reasons == ("bye",)
    assert (await chain.run("", "/t", final=True)).action is Action.PASS  # an empty final piece is not inspected


@pytest.mark.parametrize(("fail_open", "expected"), [(False, Action.BLOCK), (True, Action.PASS)])
async def test_a_stuck_stream_fails_like_a_stuck_filter(fail_open: bool, expected: Action) -> None:
    result = await stream_chain(Stuck(), fail_open=fail_open, timeout=0.05).run("hi", "/t", final=False)
    assert result.action is expected and result.failures == ("filter stuck timed out",)


async def test_the_number_of_streamed_fields_is_bounded() -> None:
    chain = stream_chain(Streaming())
    for i in range(StreamChain.MAX_PATHS):
        assert (await chain.run("x", f"/f{i}", final=False)).action is Action.PASS
    over = await chain.run("x", "/one-too-many", final=False)
    assert over.action is Action.BLOCK and over.failures == ("too many streamed fields",)


async def test_stream_chain_and_chain_agree_on_single_pieces() -> None:
    """No stream state in play: both run the same loop, so they decide alike."""
    filters = (NoBye(),)
    chain = Chain([Step(f.name, f, 5.0) for f in filters])
    for text in ("hello", "bye", ""):
        one = await chain.run(OUT.with_text(text))
        other = await stream_chain(*filters).run(text, "", final=False)
        assert (one.action, one.text, one.reasons) == (other.action, other.text, other.reasons)


async def test_small_pieces_are_gathered_and_read_once_per_batch() -> None:
    counting = Counting()
    chain = stream_chain(Streaming(), counting, batch=10)
    held = [await chain.run(piece, "/t", final=False) for piece in ("ab", "cd", "ef")]
    assert [r.text for r in held] == ["", "", ""] and counting.seen == []  # nothing sent unread
    assert chain.gathered == 6
    released = await chain.run("ghijk", "/t", final=False)  # 11 characters: the batch is full
    assert released.text == "abcdefghijk" and counting.seen == ["abcdefghijk"]
    assert chain.gathered == 0


async def test_gathered_text_goes_on_when_let_go_and_at_the_end() -> None:
    counting = Counting()
    chain = stream_chain(Streaming(), counting, batch=100)
    assert (await chain.run("hello ", "/t", final=False)).text == ""
    assert (await chain.run("", "/t", final=False, flush=True)).text == "hello "  # `limits.stream_flush` passed
    assert (await chain.run("", "/t", final=False, flush=True)).action is Action.PASS  # nothing gathered
    assert (await chain.run("world", "/t", final=False)).text == ""
    assert (await chain.run("", "/t", final=True)).text == "world"
    assert counting.seen == ["hello ", "world"]


async def test_a_value_split_across_gathered_pieces_and_a_flush_is_still_found() -> None:
    chain = stream_chain(Streaming(), batch=4)
    out = [await chain.run(piece, "/t", final=False, flush=piece == "") for piece in ("the s", "e", "", "cret", " ok")]
    out.append(await chain.run("", "/t", final=True))
    assert "".join(r.text for r in out) == "the ****** ok"


async def test_a_filter_reading_each_piece_sees_the_gathered_text_and_blocks_before_any_is_sent() -> None:
    """A word split across small pieces: gathered, the filter reads it whole; none of it went out."""
    chain = stream_chain(Streaming(), NoBye(), batch=64)
    sent = [await chain.run(piece, "/t", final=False) for piece in ("see you, b", "y", "e")]
    assert all(r.text == "" for r in sent)
    blocked = await chain.run("", "/t", final=False, flush=True)
    assert blocked.action is Action.BLOCK and blocked.reasons == ("bye",)


async def test_each_field_path_gathers_alone() -> None:
    chain = stream_chain(Streaming(), batch=4)
    assert (await chain.run("abc", "/a", final=False)).text == ""
    assert (await chain.run("xyz", "/b", final=False)).text == ""
    assert sorted(chain.gathered_paths()) == ["/a", "/b"]
    assert (await chain.run("d", "/a", final=False)).text == "abcd"
    assert chain.gathered_paths() == ["/b"]


_PIECE_OPS = st.lists(st.tuples(st.sampled_from(["", "a", "se", "cret", "secret", "xyz ", "s" * 9]),
                                st.sampled_from(["/a", "/b", "/c"]), st.sampled_from(["run", "flush", "final"])),
                      max_size=40)


@settings(max_examples=200, deadline=None)
@given(ops=_PIECE_OPS, batch=st.sampled_from([1, 2, 5, 16, 4096]))
def test_holding_at_once_is_running_the_chain(ops: list[tuple[str, str, str]], batch: int) -> None:
    """`hold` where it takes a piece, `run` otherwise: every result and what is gathered are those of `run`
    alone, for any pieces, paths, flushes, ends and batch sizes."""

    async def both() -> None:
        slow, fast = stream_chain(Streaming(), Counting(), batch=batch), stream_chain(Streaming(), Counting(), batch=batch)
        for text, path, how in ops:
            final, flush = how == "final", how == "flush"
            expected = await slow.run(text, path, final=final, flush=flush)
            held = not final and not flush and fast.hold(text, path)
            got = StreamChain.HELD if held else await fast.run(text, path, final=final, flush=flush)
            assert (got is StreamChain.HELD) == (expected is StreamChain.HELD)
            assert (got.action, got.text, got.reasons) == (expected.action, expected.text, expected.reasons)
            assert (fast.gathered, sorted(fast.gathered_paths())) == (slow.gathered, sorted(slow.gathered_paths()))

    asyncio.run(both())
