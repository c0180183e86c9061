import asyncio
from dataclasses import dataclass

import pytest

from filters import (
    PASS,
    Action,
    Direction,
    Filter,
    FilterContext,
    FilterStream,
    Finding,
    Message,
    NoOptions,
    Verdict,
    block,
    modify,
)
from filters.builtin.keyword import Keyword
from filters.testing import check_filter, make_filter, run_filter, run_stream, tmessage


class Good(Filter):
    name = "good"

    async def inspect(self, message: Message) -> Verdict:
        return modify(message.text.upper()) if "x" in message.text else PASS


@dataclass
class MutableOptions:
    level: int = 1


@dataclass(frozen=True)
class RequiredOptions:
    level: int


class NoName(Filter):
    pass


class Mutable(Filter):
    name = "mutable"
    Options = MutableOptions


class Required(Filter):
    name = "required"
    Options = RequiredOptions


class Sync(Filter):
    name = "sync"

    def inspect(self, message: Message) -> Verdict:  # type: ignore[override]
        return PASS


class ModifyWithoutText(Filter):
    name = "notext"

    async def inspect(self, message: Message) -> Verdict:
        return Verdict(Action.MODIFY)


class OutOfBounds(Filter):
    name = "bounds"

    async def inspect(self, message: Message) -> Verdict:
        return block("found", [Finding("t", 0, len(message.text) + 1)])


class SurrogateCrash(Filter):
    name = "surrogates"

    async def inspect(self, message: Message) -> Verdict:
        message.text.encode("utf-8")
        return PASS


class OutboundCrash(Filter):
    name = "outbound"

    async def inspect(self, message: Message) -> Verdict:
        if message.direction is Direction.OUTBOUND:
            raise KeyError("direction")
        return PASS


class SlowOnBigText(Filter):
    name = "slow"

    async def inspect(self, message: Message) -> Verdict:
        if len(message.text) > 100_000:
            await asyncio.sleep(60)
        return PASS


class SharedState(Filter):
    """Keeps the message on self across an await: concurrent calls see each other's text."""

    name = "shared"

    async def inspect(self, message: Message) -> Verdict:
        self.current = message.text
        await asyncio.sleep(0)
        return modify(self.current + "!")


class CloseTwiceFails(Filter):
    name = "close"

    def __init__(self, options: object = None) -> None:
        super().__init__(options)
        self.closed = False

    async def aclose(self) -> None:
        if self.closed:
            raise RuntimeError("already closed")
        self.closed = True


async def test_check_filter_accepts_a_good_filter() -> None:
    await check_filter(Good)


async def test_check_filter_accepts_required_options_when_given() -> None:
    await check_filter(Required, {"level": 2})


@pytest.mark.parametrize(("cls", "message"), [
    (NoName, "'NoName' does not set `name`"),
    (Mutable, "'Mutable' Options is not a frozen dataclass"),
    (Sync, "'Sync' inspect is not an async def"),
    (Required, "Required.Options has no default for level; give defaults or pass options to check_filter"),
    (ModifyWithoutText, r"inspect\(empty text, inbound\): bad verdict: modify without text"),
    (OutOfBounds, r"inspect\(empty text, inbound\): bad verdict: finding out of bounds"),
    (SurrogateCrash, r"inspect\(lone surrogates, inbound\): raised UnicodeEncodeError"),
    (OutboundCrash, r"inspect\(empty text, outbound\): raised KeyError"),
    (SlowOnBigText, r"inspect\(1 MB of text, inbound\): no verdict within 0.05 s"),
    (SharedState, r"concurrent calls on one instance gave a different text than sequential calls"),
    (CloseTwiceFails, r"aclose\(\) \(second call\) raised RuntimeError: already closed"),
])
async def test_check_filter_explains_what_is_broken(cls: type[Filter], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        await check_filter(cls, time_limit=0.05)


async def test_check_filter_reports_options_that_do_not_bind() -> None:
    with pytest.raises(AssertionError, match=r"options do not bind: filters.required.options.levle: unknown option"):
        await check_filter(Required, {"levle": 1})


def test_tmessage_defaults_and_fields() -> None:
    assert tmessage() == Message("hello")
    message = tmessage("hi", direction="outbound", route="r")
    assert (message.text, message.direction, message.route) == ("hi", Direction.OUTBOUND, "r")


async def test_run_filter_by_class_name_and_instance() -> None:
    by_class = await run_filter(Keyword, "a bad day", options={"words": ["bad"]})
    by_name = await run_filter("keyword", "a bad day", options={"words": ["bad"]})
    by_instance = await run_filter(make_filter(Keyword, {"words": ["bad"]}), tmessage("a bad day"))
    assert by_class == by_name == by_instance
    assert by_class.action is Action.BLOCK


async def test_run_filter_checks_the_verdict() -> None:
    with pytest.raises(AssertionError, match=r"OutOfBounds.inspect: bad verdict: finding out of bounds"):
        await run_filter(OutOfBounds, "x")


async def test_run_filter_closes_what_it_built() -> None:
    instance = make_filter(CloseTwiceFails)
    assert isinstance(instance, CloseTwiceFails)
    await run_filter(instance, "x")
    assert not instance.closed  # not built by run_filter: left open


def test_make_filter_refuses_options_for_an_instance() -> None:
    with pytest.raises(TypeError):
        make_filter(Good(), {})


def test_make_filter_refuses_a_broken_class() -> None:
    with pytest.raises(AssertionError, match="'Sync' inspect is not an async def"):
        make_filter(Sync)


class InboundOnly(Filter):
    name = "inbound_only"
    directions = frozenset({Direction.INBOUND})

    async def inspect(self, message: Message) -> Verdict:
        return block("always")


@pytest.mark.parametrize(("direction", "action"), [("inbound", Action.BLOCK), ("outbound", Action.PASS)])
async def test_run_filter_skips_directions_like_a_chain(direction: str, action: Action) -> None:
    assert (await run_filter(InboundOnly, "x", direction=direction)).action is action


async def test_run_filter_stamps_the_name_and_keeps_the_budget_like_a_chain() -> None:
    verdict = await run_filter(Good, "x")
    assert verdict.filter == "good" and verdict.text == "X"
    with pytest.raises(AssertionError, match=r"SlowOnBigText.inspect: no verdict within 0.05 s"):
        await run_filter(SlowOnBigText, "y" * 200_000, budget=0.05)


class Remembers(Filter[NoOptions]):
    """Counts messages in the store it is given (as the behaviour filter does)."""

    name = "remembers"

    async def inspect(self, message: Message) -> Verdict:
        store = self.context.store
        if store is None:
            raise RuntimeError("no store")
        seen = await store.incr("remembers:n", 1, 60)
        return block("again") if seen > 1 else PASS


async def test_the_context_reaches_the_filter() -> None:
    from gateway.state import MemoryStore

    flt = make_filter(Remembers, context=FilterContext(store=MemoryStore()))
    assert flt.context.log.name == "chatguard.filters.remembers"
    assert (await run_filter(flt, "a")).action is Action.PASS
    assert (await run_filter(flt, "b")).action is Action.BLOCK
    with pytest.raises(RuntimeError, match="no store"):
        await run_filter(Remembers, "a")  # outside a gateway there is no store: fail loudly


class Holds(Filter[NoOptions]):
    """Holds back a trailing `#` until the next piece (a stream whose values span pieces)."""

    name = "holds"

    def stream(self, message: Message) -> FilterStream | None:
        class Stream:
            findings: list[Finding] = []
            held = ""

            async def feed(self, chunk: str) -> str:
                text, self.held = self.held + chunk, ""
                if text.endswith("#"):
                    text, self.held = text[:-1], "#"
                return text.replace("##", "[x]")

            async def close(self) -> str:
                return self.held

        return Stream()


async def test_run_stream_feeds_pieces_through_the_stream_engine() -> None:
    streamed = await run_stream(Holds, ["a #", "# b #"])
    assert streamed.pieces == ("a ", "[x] b ") and streamed.tail == "#"
    assert streamed.text == "a [x] b #"
    with pytest.raises(AssertionError, match=r"Good.stream: no stream offered for http outbound messages"):
        await run_stream(Good, ["x"])
