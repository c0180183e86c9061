"""Test helpers for filter authors: build messages and filters the way the gateway does.

Filters built here go through the same option binding as a config file, so a test
sees the same errors and defaults as production; `run_filter` and `run_stream` call them
the way the gateway's chain does (budget, contract, name). `check_filter` is a
conformance battery every filter package should run once:

    async def test_conforms():
        await check_filter(MyFilter, {"level": 2})
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from filters._api import (
    PASS,
    AnyFilter,
    Channel,
    Direction,
    Filter,
    Finding,
    Message,
    Verdict,
    own_inspect_now,
)
from filters._budget import Expired, OverBudget, metered
from filters._chain import Chain, ChainResult, Step, verdict_problem
from filters._context import FilterContext
from filters._registry import build, check_class, instantiate
from filters._stream import StreamChain
from filters.options import OptionsError

__all__ = [
    "DEFAULT_BUDGET", "SAMPLES", "Streamed", "check_filter", "make_filter", "run_filter", "run_stream", "tmessage",
]

DEFAULT_BUDGET = 0.5  # seconds: a configured filter's default budget (`filters.<name>.timeout`)


def tmessage(text: str = "hello", **fields: Any) -> Message:
    """A message as the codec would hand it over; `direction="outbound"`, `channel="ws"` may be strings."""
    if isinstance(fields.get("direction"), str):
        fields["direction"] = Direction(fields["direction"])
    if isinstance(fields.get("channel"), str):
        fields["channel"] = Channel(fields["channel"])
    return Message(text, **fields)


def make_filter(spec: AnyFilter | type[AnyFilter] | str, options: Mapping[str, Any] | None = None, *,
                context: FilterContext | None = None) -> AnyFilter:
    """A filter from an instance (returned as is), a class, or an installed plugin name.

    `context` is what the gateway would give it (its state store, vault, clock); the default
    `FilterContext()` has no store and no vault, as outside a gateway.
    """
    if isinstance(spec, Filter):
        if options is not None or context is not None:
            raise TypeError("options and context apply to a class or plugin name, not to a built filter")
        return spec
    if isinstance(spec, str):
        return build(spec, spec, options, f"filters.{spec}", context)
    problem = check_class(spec)
    if problem:
        raise AssertionError(f"{getattr(spec, '__name__', spec)!r} {problem}")
    return instantiate(spec, options, f"filters.{spec.name}.options", (context or FilterContext()).for_filter(spec.name))


def _assert_verdict(verdict: Any, text: str, what: str) -> Verdict:
    problem = verdict_problem(verdict, text)
    if problem:
        raise AssertionError(f"{what}: bad verdict: {problem}")
    return verdict  # type: ignore[no-any-return]


async def run_filter(spec: AnyFilter | type[AnyFilter] | str, text: str | Message, *,
                     options: Mapping[str, Any] | None = None, direction: Direction | str = Direction.INBOUND,
                     context: FilterContext | None = None, budget: float = DEFAULT_BUDGET) -> Verdict:
    """Inspect one message the way a chain step does, and return its verdict.

    As in the gateway: a filter that does not handle the message's direction is not called
    (the answer is PASS); the call runs under `budget` seconds (CPU time of its own work,
    wall time of its waits: `filters.<name>.timeout` in the config); the verdict must keep the
    contract and comes back stamped with the filter's name. Unlike the gateway, which blocks
    the message, a failure raises here so the test shows why: AssertionError for a broken
    contract or an overrun, the filter's own exception otherwise. A filter built here from a
    class or name is closed afterwards.
    """
    flt = make_filter(spec, options, context=context)
    message = text if isinstance(text, Message) else tmessage(text, direction=Direction(direction))
    what = f"{type(flt).__name__}.inspect"
    try:
        if not flt.handles(message.direction):
            return PASS
        try:
            verdict, _ = await metered(flt.inspect(message), budget)
        except OverBudget as over:
            raise AssertionError(f"{what}: computed {over.cpu:.3f} s, over its {budget} s budget") from None
        except Expired:
            raise AssertionError(f"{what}: no verdict within {budget} s") from None
        return Step(flt.name, flt, budget).stamp(_assert_verdict(verdict, message.text, what))
    finally:
        if flt is not spec:
            await flt.aclose()


@dataclass(frozen=True, slots=True)
class Streamed:
    """What a filter's stream let out: the text for each piece fed, the held tail, what it found."""

    pieces: tuple[str, ...]
    tail: str
    findings: tuple[Finding, ...]

    @property
    def text(self) -> str:
        """Everything the reader received, in order."""
        return "".join(self.pieces) + self.tail


async def run_stream(spec: AnyFilter | type[AnyFilter] | str, pieces: Iterable[str | None], *,
                     options: Mapping[str, Any] | None = None, message: Message | None = None,
                     context: FilterContext | None = None, budget: float = DEFAULT_BUDGET,
                     batch: int = 1) -> Streamed:
    """Feed `pieces` (one field of a streamed response, in order) to the filter's `stream()`.

    It runs through the gateway's own stream engine (`StreamChain`, one step): the same budget
    per call and the same findings bookkeeping; at the end the held tail is flushed. `batch`:
    characters gathered before the filter reads them, as the gateway's `limits.stream_batch`
    (default 1: every piece alone); a `None` among the pieces lets the gathered text go there,
    as the gateway does when `limits.stream_flush` passes (its output is one more piece). `message`
    describes the stream (default: an outbound HTTP response, as for server-sent events; use
    `tmessage("", direction="outbound", channel="ws")` for a WebSocket token stream). A filter
    that offers no stream for it, or a call that fails, raises AssertionError.
    """
    flt = make_filter(spec, options, context=context)
    template = message if message is not None else tmessage("", direction=Direction.OUTBOUND)
    what = f"{type(flt).__name__}.stream"
    try:
        if not flt.handles(Direction.OUTBOUND) or flt.stream(template) is None:
            raise AssertionError(f"{what}: no stream offered for {template.channel.value} "
                                 f"{template.direction.value} messages")
        chain = StreamChain(Chain([Step(flt.name, flt, budget)]), template, batch)
        sent: list[str] = []
        found: list[Finding] = []
        for piece in pieces:
            flush = piece is None
            result = _streamed(await chain.run(piece or "", template.field, final=False, flush=flush), what)
            sent.append(result.text)
            found.extend(result.findings)
        tail = _streamed(await chain.run("", template.field, final=True), what)
        return Streamed(tuple(sent), tail.text, (*found, *tail.findings))
    finally:
        if flt is not spec:
            await flt.aclose()


def _streamed(result: ChainResult, what: str) -> ChainResult:
    if result.failures:
        raise AssertionError(f"{what}: {'; '.join(result.failures)}")
    return result


# Texts every filter must survive: (label, text). Labels, not texts, appear in failures.
SAMPLES: tuple[tuple[str, str], ...] = (
    ("empty text", ""),
    ("plain text", "hello, how can I help you today?"),
    ("whitespace only", " \t\n "),
    ("lone surrogates", "a\ud800b\udfffc\udc00"),
    ("right-to-left text", "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"),
    ("emoji sequences", "\U0001f44d\U0001f3fd \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f1e9\U0001f1ea"),
    ("NUL and controls", "a\x00b\x01\x1b[31mc\x7f"),
    ("combining marks", "Z\u0351\u0352a\u0300\u0301l\u0302g\u0303o\u0304"),
    ("full-width and zero-width", "\uff28\uff25\uff2c\uff2c\uff2f w\u200bo\u200dr\ufeffld"),
    ("digits and symbols", "4111 1111 1111 1111 <script>alert(1)</script> ' OR 1=1 --"),
    ("long line", "word " * 2000),
)
BIG_SAMPLE = ("1 MB of text", ("lorem ipsum dolor sit amet \u00e9\u4e2d " * 40000)[: 1024 * 1024])


async def _inspect(flt: AnyFilter, label: str, text: str, direction: Direction, limit: float) -> Verdict:
    what = f"inspect({label}, {direction.value})"
    message = tmessage(text, direction=direction)
    try:
        async with asyncio.timeout(limit):
            verdict = await flt.inspect(message)
    except TimeoutError:
        raise AssertionError(f"{what}: no verdict within {limit} s") from None
    except Exception as exc:
        raise AssertionError(f"{what}: raised {type(exc).__name__}: {exc}") from exc
    return _assert_verdict(verdict, text, what)


def _same(verdict: Verdict) -> tuple[Any, ...]:
    return verdict.action, verdict.text, verdict.findings, verdict.hints


def _check_now(flt: AnyFilter, label: str, text: str, direction: Direction, verdict: Verdict) -> None:
    """A filter's own `inspect_now` answers as `inspect` did (`verdict`), or leaves the message to it."""
    now = own_inspect_now(flt)
    if now is None:
        return
    what = f"inspect_now({label}, {direction.value})"
    try:
        answer = now(tmessage(text, direction=direction))
    except Exception as exc:
        raise AssertionError(f"{what}: raised {type(exc).__name__}: {exc}") from exc
    if answer is not None and _same(_assert_verdict(answer, text, what)) != _same(verdict):
        raise AssertionError(f"{what}: answered otherwise than inspect")


async def _close_twice(flt: AnyFilter) -> None:
    for attempt in ("first", "second"):
        try:
            await flt.aclose()
        except Exception as exc:
            raise AssertionError(f"aclose() ({attempt} call) raised {type(exc).__name__}: {exc}") from exc


async def check_filter(cls: type[AnyFilter], options: Mapping[str, Any] | None = None, *,
                       context: FilterContext | Callable[[], FilterContext] | None = None,
                       time_limit: float = 10.0) -> None:
    """Run the conformance battery on `cls`; raises AssertionError saying what is wrong.

    Checks: the class contract (name, frozen Options, async inspect/aclose, directions),
    that the options bind (defaults only when `options` is None), a well-formed verdict
    for every sample text in every declared direction within `time_limit` seconds (and
    the same one from `inspect_now` where the filter has its own and it answers), that
    concurrent calls on one instance agree with sequential calls, and that `aclose()`
    may be called twice. `context` is what the gateway would give the filter; a filter
    that keeps history in the store needs a function here, so that the instance called
    concurrently starts from the same (fresh) state as the one called in sequence.
    """
    problem = check_class(cls)
    if problem:
        raise AssertionError(f"{getattr(cls, '__name__', cls)!r} {problem}")
    if options is None:
        missing = [f.name for f in dataclasses.fields(cls.Options)
                   if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise AssertionError(f"{cls.__name__}.Options has no default for {', '.join(missing)}; "
                                 "give defaults or pass options to check_filter")
    try:
        contexts = (context(), context()) if callable(context) else (context, context)
        sequential = make_filter(cls, options, context=contexts[0])
        concurrent = make_filter(cls, options, context=contexts[1])
    except OptionsError as exc:
        raise AssertionError(f"{cls.__name__}: options do not bind: {exc}") from exc
    try:
        directions = sorted(cls.directions)
        expected: list[Verdict] = []
        for direction in directions:
            for label, text in (*SAMPLES, BIG_SAMPLE):
                verdict = await _inspect(sequential, label, text, direction, time_limit)
                _check_now(sequential, label, text, direction, verdict)
                if text is not BIG_SAMPLE[1]:
                    expected.append(verdict)
        jobs = [_inspect(concurrent, label, text, direction, time_limit)
                for direction in directions for label, text in SAMPLES]
        got = await asyncio.gather(*jobs)
        labels = [(label, direction) for direction in directions for label, _ in SAMPLES]
        for (label, direction), seq, conc in zip(labels, expected, got, strict=True):
            differs = [name for name, a, b in zip(("action", "text", "findings", "hints"),
                                                  _same(seq), _same(conc), strict=True) if a != b]
            if differs:
                raise AssertionError(
                    f"inspect({label}, {direction.value}): concurrent calls on one instance gave a "
                    f"different {differs[0]} than sequential calls (does inspect keep per-message "
                    "state on self?)")
    finally:
        await _close_twice(sequential)
        await _close_twice(concurrent)
