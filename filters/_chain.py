"""The filter chain: runs a route's filters over one message, in config order.

This is the only place where a filter's code is called on the hot path, so it is
also where misbehaving filters are contained: an exception, a timeout, more CPU time
than its `timeout` allows (see `filters._budget`) or a verdict that breaks the contract
becomes a block (fail closed) unless the route asked for `fail: open`. Reasons never
carry exception text, which may quote the message.
"""

from __future__ import annotations

import asyncio
import logging
import math
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from filters._api import PASS, Action, AnyFilter, Direction, Finding, Hints, Message, Verdict, own_inspect_now
from filters._budget import Expired, OverBudget, begin, called
from filters._contract import verdict_problem
from filters._offload import THREAD, Offload
from filters._packing import Turns, unpack

__all__ = ["Chain", "ChainResult", "Step", "begin_step", "inspect_step", "run_steps", "verdict_problem"]

log = logging.getLogger("chatguard.filters")


@dataclass(frozen=True, slots=True)
class Step:
    """One configured filter in a chain: its config name, the shared instance, its time limit
    per message (CPU time while it computes, wall time while it waits) and where its long texts go
    when it only computes (`filters._offload`)."""

    name: str
    filter: AnyFilter
    timeout: float
    offloader: Offload = field(default=THREAD, repr=False, compare=False)
    passed: Verdict = field(init=False, repr=False, compare=False)
    offload: bool = field(init=False, repr=False, compare=False)  # long texts off the event loop
    offload_from: float = field(init=False, repr=False, compare=False)  # from this length (inf: never)
    # The filter's `inspect_now` when it has one of its own (None: every call awaits `inspect`).
    now: Callable[[Message], Verdict | None] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout of filter {self.name!r} must be > 0, got {self.timeout!r}")
        object.__setattr__(self, "now", own_inspect_now(self.filter))
        object.__setattr__(self, "offload", bool(self.filter.offloadable))
        object.__setattr__(self, "offload_from", self.offloader.from_chars if self.offload else math.inf)
        # Prebuilt so that the common "nothing found" case allocates nothing.
        object.__setattr__(self, "passed", Verdict(filter=self.name))

    def stamp(self, verdict: Verdict) -> Verdict:
        """`verdict` as this step's: the filter's config name on it (audit and metrics count by it)."""
        if verdict is PASS:
            return self.passed
        if verdict.filter == self.name:
            return verdict
        if verdict.action is Action.PASS and not (verdict.findings or verdict.reason or verdict.hints):
            return self.passed
        return Verdict(verdict.action, verdict.text, verdict.reason, verdict.findings, verdict.hints, self.name)


@dataclass(frozen=True, slots=True)
class ChainResult:
    """What the chain decided about one message, with every verdict that led there.

    `text` is the text to forward (after all modifications); on a block it is the text
    as it was when the blocking filter saw it. Spans in each verdict's findings refer to
    the text that filter saw. `failures` lists filters that raised, timed out, went over
    their CPU budget or broke the contract, also those skipped on a `fail: open` route.
    `cpu` is the CPU time the filters spent on this message, in seconds.
    """

    action: Action
    text: str
    verdicts: tuple[Verdict, ...] = ()
    failures: tuple[str, ...] = ()
    cpu: float = 0.0

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for v in self.verdicts for f in v.findings)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(v.reason for v in self.verdicts if v.reason)

    @property
    def hints(self) -> Hints:
        """Every filter's hints merged (`Hints.merge`)."""
        return Hints.merge(v.hints for v in self.verdicts)


def begin_step(step: Step, message: Message) -> Called | Coroutine[Any, Any, Called]:
    """`inspect_step`, answered at once when the filter's call ends without awaiting anything; else
    the coroutine that waits for the rest of it."""
    spent = 0.0  # CPU of an `inspect_now` that left the message to `inspect`
    try:
        if len(message.text) >= step.offload_from:
            return _offloaded(step, message)
        now = step.now
        if now is not None:  # most messages of a filter that has it: answered without a coroutine
            answer, spent = called(now, message, step.timeout)
            if answer is PASS:
                return step.passed, "", spent
            if answer is not None:
                return _checked(step, message, answer, None, spent)
        begun = begin(step.filter.inspect(message), step.timeout - spent)
    except BaseException as exc:
        return _misbehaved(step, exc)
    if type(begun) is not tuple:
        return _finish(step, message, begun, spent)  # type: ignore[arg-type]
    verdict, cpu = begun
    cpu += spent
    if verdict is PASS:  # most answers: `_checked` and `Step.stamp` give the prebuilt verdict
        return step.passed, "", cpu
    return _checked(step, message, verdict, None, cpu)


class Chain:
    """An ordered, immutable list of steps; `run` is safe to call concurrently."""

    __slots__ = ("_by_direction", "fail_open", "steps")

    def __init__(self, steps: Sequence[Step], *, fail_open: bool = False) -> None:
        self.steps = tuple(steps)
        self.fail_open = fail_open
        self._by_direction = {d: tuple(s for s in self.steps if s.filter.handles(d)) for d in Direction}

    def steps_for(self, direction: Direction) -> tuple[Step, ...]:
        """The steps that inspect messages going `direction`, in config order."""
        return self._by_direction[direction]

    # One of the steps' call, for a caller that runs the steps itself: `begin_step` itself, no call around it.
    begin = staticmethod(begin_step)

    def resume(self, message: Message, start: int, first: Called | Awaitable[Called],
               spent: float) -> Coroutine[Any, Any, ChainResult]:
        """`run` over `message`, begun by the caller: the steps before `start` passed, step `start` answered
        `first` (what `begin` gave), `spent` CPU so far."""
        return run_steps(self._by_direction[message.direction], message, self.fail_open, start=start, first=first,
                         spent=spent)

    def active(self, direction: Direction) -> bool:
        """True when at least one filter inspects messages going `direction`."""
        return bool(self._by_direction[direction])

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.steps)
        return f"Chain([{names}], fail_open={self.fail_open})"

    def run(self, message: Message) -> Coroutine[Any, Any, ChainResult]:
        """The chain's result for `message` (a coroutine: await it)."""
        steps = self._by_direction[message.direction]
        if not steps:
            return _nothing_to_do(message.text)
        return run_steps(steps, message, self.fail_open)

    def batch_from(self, direction: Direction) -> int | None:
        """How many characters a payload's fields must add up to before `run_batch` may take them (None:
        never), so a short payload is not offered to it at all."""
        steps = self._by_direction[direction]
        return steps[0].offloader.from_chars if steps and not self.fail_open else None

    async def run_batch(self, template: Message, fields: Sequence[tuple[str, str]]) -> list[ChainResult] | None:
        """The results of `run` over the fields (`(path, text)`) of one payload, each as a message made from
        `template`, in order up to the first blocked one, from one call to a worker process
        (`filters._batch`); None when that does not apply: the caller runs them one by one. It applies
        when the fields' characters add up to the offload threshold and every filter only computes and
        shares worker processes that are ready, on a fail-closed chain. A failure of the call (its deadline,
        the process, a full queue) blocks the payload, as a failed filter does."""
        steps = self._by_direction[template.direction]
        offloader = steps[0].offloader if steps else None
        if (offloader is None or self.fail_open or any(not s.offload or s.offloader.pool is not offloader.pool for s in steps)
                or sum(len(text) for _, text in fields) < offloader.from_chars or not offloader.batches()):
            return None
        texts = list(fields)
        try:
            packed, lines = await offloader.run_batch(tuple((s.name, s.timeout) for s in steps), template, texts)
        except Expired:
            failure = _failed(steps[0], None, "timed out")
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            failure = _failed(steps[0], exc)
        except Exception as exc:
            failure = _failed(steps[0], exc)
        else:
            for level, line in lines:
                log.log(level, "%s", line)
            results = await _results(packed, texts)
            if len(results) == len(texts) or (results and results[-1].action is Action.BLOCK):
                return results
            failure = _failed(steps[0], None, "failed: a field went unanswered")
        blocked = Verdict(Action.BLOCK, None, failure, filter=steps[0].name)
        return [ChainResult(Action.BLOCK, texts[0][1] if texts else "", (blocked,), (failure,))]


async def _nothing_to_do(text: str) -> ChainResult:
    return ChainResult(Action.PASS, text)


# One step's call: `(verdict, "", cpu)`, `(None, failure reason, cpu)`, or None when the step has
# nothing to do.
type Called = tuple[Verdict | None, str, float]
StepCall = Callable[[int, Step, Message], Awaitable[Called | None]]


async def run_steps(steps: Sequence[Step], message: Message, fail_open: bool,
                    call: StepCall | None = None, *, start: int = 0,
                    first: Called | Awaitable[Called] | None = None, spent: float = 0.0) -> ChainResult:
    """The one loop over a chain's steps, for single messages and for streams alike.

    Config order; `modify` passes the new text on; `block` stops; a filter that fails (raises,
    times out, goes over its budget, breaks the contract) blocks, unless `fail_open`, which
    skips it. `call` runs one step (default: `Filter.inspect` under the step's budget).
    A run begun elsewhere goes on from step `start`: the steps before it gave their `passed`
    verdicts (`spent` CPU between them), and step `start` answered `first` (`begin_step`'s answer).
    """
    action = Action.PASS
    verdicts: list[Verdict] = [step.passed for step in steps[:start]]
    failures: tuple[str, ...] = ()
    for number in range(start, len(steps)):
        step = steps[number]
        if call is None:  # most steps end without awaiting anything: no coroutine of their own
            called: Called | Awaitable[Called] | None = begin_step(step, message) \
                if first is None or number != start else first
            if type(called) is not tuple:
                called = await called  # type: ignore[misc]
        else:
            called = await call(number, step, message)
        if called is None:
            continue
        verdict, failure, cpu = called  # type: ignore[misc]
        spent += cpu
        if verdict is None:
            failures += (failure,)
            if fail_open:
                continue
            verdicts.append(Verdict(Action.BLOCK, None, failure, filter=step.name))
            return ChainResult(Action.BLOCK, message.text, tuple(verdicts), failures, spent)
        verdicts.append(verdict)
        if verdict.action is Action.BLOCK:
            return ChainResult(Action.BLOCK, message.text, tuple(verdicts), failures, spent)
        if verdict.action is Action.MODIFY:
            action = Action.MODIFY
            message = message.with_text(verdict.text)  # type: ignore[arg-type]  # checked
    return ChainResult(action, message.text, tuple(verdicts), failures, spent)


async def inspect_step(step: Step, message: Message) -> Called:
    """Run one filter under its budget: `(verdict, "", cpu)`, or `(None, reason, cpu)` when it misbehaved."""
    called = begin_step(step, message)
    return called if type(called) is tuple else await called  # type: ignore[misc]


async def _finish(step: Step, message: Message, rest: Awaitable[tuple[Verdict, float]], spent: float = 0.0) -> Called:
    try:
        verdict, cpu = await rest
    except BaseException as exc:
        return _misbehaved(step, exc)
    return _checked(step, message, verdict, None, cpu + spent)


async def _offloaded(step: Step, message: Message) -> Called:
    try:
        verdict, problem, cpu = await step.offloader.run(step.name, step.filter, step.timeout, message)
    except BaseException as exc:
        return _misbehaved(step, exc)
    return _checked(step, message, verdict, problem, cpu)


def _checked(step: Step, message: Message, verdict: Verdict | None, problem: str | None, cpu: float) -> Called:
    """A filter's answer as the step's, or its failure when the answer breaks the contract."""
    if problem is None:
        problem = "" if verdict is PASS else verdict_problem(verdict, message.text)  # PASS: frozen, valid
    if problem or verdict is None:
        return None, _failed(step, None, f"failed: bad verdict ({problem})"), cpu
    return step.stamp(verdict), "", cpu


async def _results(packed: list[Any], fields: list[tuple[str, str]]) -> list[ChainResult]:
    """Chain results as `filters._batch.serve` packed them (an unchanged text is the field's own)."""
    turns = Turns()
    results = []
    for (action, text, verdicts, failures, cpu), (_, original) in zip(packed, fields, strict=False):
        built = tuple([await unpack(verdict, turns) for verdict in verdicts])
        results.append(ChainResult(Action(action), original if text is None else text, built, failures, cpu))
    return results


def _misbehaved(step: Step, exc: BaseException) -> Called:
    """What a filter call that raised means for the chain (a caller being cancelled is re-raised)."""
    if isinstance(exc, OverBudget):
        log.warning("filter %s exceeded its CPU budget: %.0f ms (limit %.0f ms)", step.name,
                    exc.cpu * 1000, step.timeout * 1000)
        return None, f"filter {step.name} exceeded its CPU budget", exc.cpu
    if isinstance(exc, Expired):
        return None, _failed(step, None, "timed out"), 0.0
    if isinstance(exc, asyncio.CancelledError):
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise exc  # the caller is being cancelled: not the filter's fault
        return None, _failed(step, exc), 0.0
    if isinstance(exc, Exception):
        return None, _failed(step, exc), 0.0
    raise exc  # KeyboardInterrupt, SystemExit: not a filter's failure to contain


def _failed(step: Step, exc: BaseException | None, what: str = "") -> str:
    """The audited reason for a failure; the log gets the stack but never the exception text."""
    reason = f"filter {step.name} {what}" if exc is None else f"filter {step.name} failed: {type(exc).__name__}"
    if exc is not None:
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.warning("%s\n%s", reason, frames.rstrip())
    else:
        log.warning("%s", reason)
    return reason
