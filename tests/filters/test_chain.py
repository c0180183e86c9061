import asyncio
from typing import Any

import pytest

from filters import NO_HINTS, PASS, Action, Direction, Filter, Finding, Hints, Message, Verdict, block, modify
from filters._chain import Chain, ChainResult, Step, verdict_problem
from filters.testing import tmessage
from tests.filters.test_budget import spin


class Append(Filter):
    """Appends its tag, so the order filters ran in shows in the text."""

    name = "append"

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag
        self.seen: list[str] = []

    async def inspect(self, message: Message) -> Verdict:
        self.seen.append(message.text)
        return modify(message.text + self.tag, f"added {self.tag}")


class Static(Filter):
    name = "static"

    def __init__(self, verdict: Any, directions: frozenset[Direction] = frozenset(Direction)) -> None:
        super().__init__()
        self.verdict = verdict
        self.directions = directions  # type: ignore[misc]
        self.calls = 0

    async def inspect(self, message: Message) -> Verdict:
        self.calls += 1
        return self.verdict  # type: ignore[no-any-return]


class Raises(Filter):
    name = "raises"

    async def inspect(self, message: Message) -> Verdict:
        raise ValueError(f"secret content: {message.text}")


class Hangs(Filter):
    name = "hangs"

    async def inspect(self, message: Message) -> Verdict:
        await asyncio.Event().wait()
        return PASS


class SwallowsCancel(Filter):
    """Catches its cancellation and answers anyway: must still count as timed out."""

    name = "swallows"

    async def inspect(self, message: Message) -> Verdict:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass
        return PASS


class RaisesCancelled(Filter):
    name = "raises_cancelled"

    async def inspect(self, message: Message) -> Verdict:
        raise asyncio.CancelledError


class RaisesTimeout(Filter):
    name = "raises_timeout"

    async def inspect(self, message: Message) -> Verdict:
        raise TimeoutError


class Computes(Filter):
    """Computes far longer than its budget, then passes: only a CPU clock catches it."""

    name = "computes"

    async def inspect(self, message: Message) -> Verdict:
        spin(0.05)
        return PASS


class NowComputes(Filter):
    """Answers from `inspect_now` after computing far longer than its budget: still an overrun."""

    name = "now_computes"

    def inspect_now(self, message: Message) -> Verdict:
        spin(0.05)
        return PASS


class NowRaises(Filter):
    name = "now_raises"

    def inspect_now(self, message: Message) -> Verdict:
        raise ValueError(f"secret content: {message.text}")


class NowStatic(Filter):
    """Answers `verdict` from `inspect_now` (None: leaves it to `inspect`, which answers `later`)."""

    name = "now_static"

    def __init__(self, verdict: Any, later: Verdict = PASS, spends: float = 0.0) -> None:
        super().__init__()
        self.verdict, self.later, self.spends = verdict, later, spends
        self.calls: list[str] = []

    def inspect_now(self, message: Message) -> Verdict | None:
        self.calls.append("now")
        spin(self.spends)
        return self.verdict  # type: ignore[no-any-return]

    async def inspect(self, message: Message) -> Verdict:
        self.calls.append("inspect")
        spin(self.spends)
        await asyncio.sleep(0)
        return self.later


class SyncInspect(Filter):
    name = "sync"

    def inspect(self, message: Message) -> Verdict:  # type: ignore[override]
        return PASS


def chain(*filters: Filter, fail_open: bool = False, timeout: float = 1.0) -> Chain:
    return Chain([Step(f"f{i}", f, timeout) for i, f in enumerate(filters)], fail_open=fail_open)


async def test_runs_in_config_order_and_passes_modified_text_on() -> None:
    a, b, c = Append("a"), Append("b"), Append("c")
    result = await chain(a, b, c).run(tmessage("x"))
    assert result.action is Action.MODIFY
    assert result.text == "xabc"
    assert (a.seen, b.seen, c.seen) == (["x"], ["xa"], ["xab"])
    assert [v.filter for v in result.verdicts] == ["f0", "f1", "f2"]
    assert result.reasons == ("added a", "added b", "added c")


async def test_block_stops_the_chain() -> None:
    after = Static(PASS)
    result = await chain(Append("a"), Static(block("nope")), after).run(tmessage("x"))
    assert result.action is Action.BLOCK
    assert result.blocked
    assert result.text == "xa"
    assert result.reasons == ("added a", "nope")
    assert after.calls == 0


async def test_all_pass_keeps_the_text() -> None:
    result = await chain(Static(PASS), Static(PASS)).run(tmessage("x"))
    assert (result.action, result.text, result.failures) == (Action.PASS, "x", ())
    assert [v.filter for v in result.verdicts] == ["f0", "f1"]


async def test_empty_chain_is_a_pass() -> None:
    empty = Chain([])
    assert not empty.active(Direction.INBOUND)
    assert await empty.run(tmessage("x")) == ChainResult(Action.PASS, "x")


@pytest.mark.parametrize("direction", list(Direction))
async def test_only_filters_of_the_direction_run(direction: Direction) -> None:
    inbound = Static(block("in"), frozenset({Direction.INBOUND}))
    outbound = Static(block("out"), frozenset({Direction.OUTBOUND}))
    c = chain(inbound, outbound)
    result = await c.run(tmessage("x", direction=direction))
    assert result.reasons == (("in",) if direction is Direction.INBOUND else ("out",))
    assert (inbound.calls, outbound.calls) == ((1, 0) if direction is Direction.INBOUND else (0, 1))
    assert c.active(direction)


@pytest.mark.parametrize(("bad", "reason"), [
    (Raises(), "filter f1 failed: ValueError"),
    (Hangs(), "filter f1 timed out"),
    (SwallowsCancel(), "filter f1 timed out"),
    (Computes(), "filter f1 exceeded its CPU budget"),
    (RaisesCancelled(), "filter f1 failed: CancelledError"),
    (RaisesTimeout(), "filter f1 failed: TimeoutError"),
    (SyncInspect(), "filter f1 failed: TypeError"),
    (NowComputes(), "filter f1 exceeded its CPU budget"),
    (NowRaises(), "filter f1 failed: ValueError"),
    (NowStatic(Verdict(Action.MODIFY)), "filter f1 failed: bad verdict (modify without text)"),
    (NowStatic("pass"), "filter f1 failed: bad verdict (returned str, not a Verdict)"),
    (NowStatic(None, later=Verdict(Action.MODIFY)), "filter f1 failed: bad verdict (modify without text)"),
    (NowStatic(None, spends=0.006), "filter f1 exceeded its CPU budget"),  # the two calls' CPU together
    (Static(None), "filter f1 failed: bad verdict (returned NoneType, not a Verdict)"),
    (Static(Verdict(Action.MODIFY)), "filter f1 failed: bad verdict (modify without text)"),
    (Static(Verdict("pass")), "filter f1 failed: bad verdict (action is not an Action)"),
    (Static(Verdict(Action.PASS, "y")), "filter f1 failed: bad verdict (pass with text (only modify carries text))"),
    (Static(block("b", [Finding("t", 0, 99)])), "filter f1 failed: bad verdict (finding out of bounds)"),
    (Static(block("b", [Finding("t", -1, 0)])), "filter f1 failed: bad verdict (finding out of bounds)"),
    (Static(block("b", [Finding("t", 1, 0)])), "filter f1 failed: bad verdict (finding out of bounds)"),
    (Static(Verdict(Action.BLOCK, findings=[Finding("t", 0, 1)])),  # type: ignore[arg-type]
     "filter f1 failed: bad verdict (findings is not a tuple)"),
    (Static(Verdict(Action.BLOCK, findings=("x",))),  # type: ignore[arg-type]
     "filter f1 failed: bad verdict (finding is not a Finding)"),
    (Static(Verdict(Action.BLOCK, hints=None)),  # type: ignore[arg-type]
     "filter f1 failed: bad verdict (hints is not a Hints)"),
])
async def test_misbehaving_filter_blocks_when_closed(bad: Filter, reason: str) -> None:
    after = Static(PASS)
    result = await chain(Append("a"), bad, after, timeout=0.01).run(tmessage("secret"))
    assert result.action is Action.BLOCK
    assert result.reasons == ("added a", reason)
    assert result.failures == (reason,)
    assert result.verdicts[-1].filter == "f1"
    assert after.calls == 0
    assert all("secret" not in r for r in result.reasons)


@pytest.mark.parametrize("bad", [Raises(), Hangs(), Computes(), Static(Verdict(Action.MODIFY)), NowComputes(),
                                 NowRaises()])
async def test_misbehaving_filter_is_skipped_when_open(bad: Filter) -> None:
    result = await chain(Append("a"), bad, Append("b"), fail_open=True, timeout=0.01).run(tmessage("x"))
    assert result.action is Action.MODIFY
    assert result.text == "xab"
    assert len(result.failures) == 1
    assert result.failures[0].startswith("filter f1 ")
    assert [v.filter for v in result.verdicts] == ["f0", "f2"]


async def test_outer_cancellation_propagates() -> None:
    task = asyncio.create_task(chain(Hangs(), timeout=60).run(tmessage("x")))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_failure_is_logged_without_the_exception_text(caplog: pytest.LogCaptureFixture) -> None:
    await chain(Raises()).run(tmessage("card 4111"))
    assert "filter f0 failed: ValueError" in caplog.text
    assert "4111" not in caplog.text


async def test_hints_findings_and_filter_names_are_merged() -> None:
    first = Static(modify("ab", "m", [Finding("x", 0, 1)], Hints(alert=True, labels=("l1",))))
    second = Static(Verdict(Action.PASS, None, "noted", (Finding("y", 1, 2),), Hints(ban=True, labels=("l1", "l2"))))
    result = await chain(first, second).run(tmessage("xy"))
    assert result.hints == Hints(ban=True, alert=True, step_up=False, labels=("l1", "l2"))
    assert [(f.type, f.start) for f in result.findings] == [("x", 0), ("y", 1)]
    assert [v.filter for v in result.verdicts] == ["f0", "f1"]


async def test_no_hints_when_none_given() -> None:
    assert not (await chain(Static(PASS)).run(tmessage("x"))).hints


async def test_concurrent_runs_do_not_mix() -> None:
    c = chain(Append("!"), Append("?"))
    results = await asyncio.gather(*(c.run(tmessage(str(i))) for i in range(50)))
    assert [r.text for r in results] == [f"{i}!?" for i in range(50)]


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_step_needs_a_positive_timeout(timeout: float) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        Step("f", Static(PASS), timeout)


def test_verdict_problem_accepts_good_verdicts() -> None:
    assert verdict_problem(PASS, "") == ""
    assert verdict_problem(modify("", "r", [Finding("t", 0, 3)]), "abc") == ""
    assert verdict_problem(block("r", [Finding("t", 3, 3)]), "abc") == ""


def test_repr_names_the_steps() -> None:
    assert repr(chain(Static(PASS), fail_open=True)) == "Chain([f0], fail_open=True)"


async def test_the_cpu_the_filters_spent_is_reported() -> None:
    result = await chain(Static(PASS), Computes(), timeout=1.0).run(tmessage("x"))
    assert result.action is Action.PASS
    assert 0.05 <= result.cpu < 1.0


def test_hints_merge_once_for_chains_and_inspections() -> None:
    merged = Hints.merge([Hints(alert=True, labels=("a", "b")), NO_HINTS, Hints(ban=True, labels=("b", "c"))])
    assert merged == Hints(ban=True, alert=True, step_up=False, labels=("a", "b", "c"))
    assert Hints.merge([]) is NO_HINTS and Hints.merge([NO_HINTS]) is NO_HINTS



class WaitsThenAppends(Filter):
    """Awaits before answering: its call does not end in its first step."""

    name = "waits"

    async def inspect(self, message: Message) -> Verdict:
        await asyncio.sleep(0)
        await asyncio.sleep(0.001)
        return modify(message.text + "w", "waited")


async def test_a_filter_that_waits_is_driven_to_its_answer_and_the_chain_goes_on() -> None:
    after = Append("a")
    result = await chain(Append("b"), WaitsThenAppends(), after, PassesAtOnce()).run(tmessage("x"))
    assert result.action is Action.MODIFY
    assert result.text == "xbwa"
    assert after.seen == ["xbw"]
    assert [v.filter for v in result.verdicts] == ["f0", "f1", "f2", "f3"]
    assert result.verdicts[-1].action is Action.PASS


class PassesAtOnce(Filter):
    name = "passes"

    async def inspect(self, message: Message) -> Verdict:
        return PASS


async def test_a_chain_run_is_a_coroutine_to_await() -> None:
    running = chain(PassesAtOnce()).run(tmessage("x"))
    assert asyncio.iscoroutine(running)
    assert (await running).action is Action.PASS
    empty = Chain([]).run(tmessage("x"))
    assert asyncio.iscoroutine(empty)
    assert (await empty).text == "x"


async def test_an_answer_of_inspect_now_is_the_steps_and_inspect_is_not_called() -> None:
    now = NowStatic(modify("y", "changed"))
    after = Append("a")
    result = await chain(now, after).run(tmessage("x"))
    assert (result.action, result.text, now.calls, after.seen) == (Action.MODIFY, "ya", ["now"], ["y"])
    assert [v.filter for v in result.verdicts] == ["f0", "f1"]
    passed = NowStatic(PASS)
    result = await chain(passed).run(tmessage("x"))
    assert (result.action, passed.calls) == (Action.PASS, ["now"])
    assert (result.verdicts[0].action, result.verdicts[0].filter) == (Action.PASS, "f0")


async def test_none_from_inspect_now_leaves_the_message_to_inspect_and_both_are_charged() -> None:
    flt = NowStatic(None, later=block("later"), spends=0.02)
    result = await chain(flt, timeout=1.0).run(tmessage("x"))
    assert (result.action, result.reasons, flt.calls) == (Action.BLOCK, ("later",), ["now", "inspect"])
    assert 0.04 <= result.cpu < 1.0


def test_a_step_uses_inspect_now_only_where_the_filter_has_its_own() -> None:
    assert Step("a", Static(PASS), 1.0).now is None
    flt = NowStatic(PASS)
    assert Step("b", flt, 1.0).now == flt.inspect_now
