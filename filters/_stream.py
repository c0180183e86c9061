"""The chain over a stream: values split across pieces (SSE events, WebSocket frames) are still found.

It runs the same step loop as `Chain.run` (`run_steps`: order, modify, block, fail closed or open,
CPU spent); only how one step is called differs: a filter offering `Filter.stream` is fed the
piece through its per-stream state, under the step's budget.

Small pieces are gathered first (`batch`): a backend streaming a few characters per event made
every filter pay its fixed cost per call (the masker's held tail read again, the threat analysis
set up) for each few characters, milliseconds of CPU per KB. A piece's text is held, uninspected
and unsent, while the text gathered for its field path is under `batch` characters; the chain
then runs once over all of it. The caller releases what is gathered (`run(..., flush=True)`)
after a short delay, so a token stream still flows, and at the end. Nothing is ever sent before
every filter has read it.
"""

from __future__ import annotations

from filters._api import Action, Direction, FilterStream, Finding, Message, Verdict
from filters._budget import Expired, OverBudget, metered
from filters._chain import Chain, ChainResult, Step, inspect_step, run_steps

__all__ = ["StreamChain"]


class StreamChain:
    """The outbound chain over the pieces of one stream (SSE response, WebSocket connection).

    Filters offering `Filter.stream` get one stream per field path, fed every piece in
    order, so a value split across pieces is still found; the others inspect each piece
    alone. Never shared between streams; at most `MAX_PATHS` field paths per stream, so a
    sender cannot grow the held state without bound (further paths fail closed).
    """

    MAX_PATHS = 64
    # What `run` returns for a piece whose text is held for the rest of its batch (unread): this very object,
    # so a caller can tell it from a chain that read the text and let none of it out yet.
    HELD = ChainResult(Action.MODIFY, "")

    def __init__(self, chain: Chain, template: Message, batch: int = 1) -> None:
        self._chain = chain
        self.batch = batch  # characters gathered per field path before the chain runs (1: every piece)
        # Per field path, the pieces gathered and their length (joined once, when the chain runs).
        self._gathered: dict[str, tuple[list[str], int]] = {}
        self._total = 0  # characters gathered over every path
        self.steps = tuple(s for s in chain.steps if s.filter.handles(Direction.OUTBOUND))
        self._template = template
        self._streams: dict[tuple[int, str], FilterStream | None] = {}
        self._seen: dict[tuple[int, str], int] = {}
        self._paths: set[str] = set()

    @staticmethod
    def offered(chain: Chain, template: Message) -> bool:
        """Whether any outbound filter of `chain` keeps per-stream state for `template`'s stream."""
        for step in chain.steps:
            offer = getattr(step.filter, "stream", None)
            if step.filter.handles(Direction.OUTBOUND) and callable(offer) and offer(template) is not None:
                return True
        return False

    @property
    def gathered(self) -> int:
        """Characters held, not yet read by any filter, over every field path."""
        return self._total

    def gathered_paths(self) -> list[str]:
        """The field paths that have text gathered."""
        return list(self._gathered)

    def hold(self, text: str, path: str) -> bool:
        """`run(text, path, final=False)` where it would only add `text` to what is gathered for `path` (a
        token stream's common case), done without a coroutine: True when it was, False (nothing done) when
        the chain must run or the path is new; then call `run`."""
        if self.batch <= 1 or not text or path not in self._paths:
            return False
        gathered = self._gathered.get(path)
        if gathered is None or gathered[1] + len(text) >= self.batch:
            return False
        gathered[0].append(text)
        self._gathered[path] = (gathered[0], gathered[1] + len(text))
        self._total += len(text)
        return True

    async def run(self, text: str, path: str, *, final: bool, flush: bool = False) -> ChainResult:
        """The chain over one piece of the stream at `path`: streams fed in order, others inspected.

        With `batch` above 1 the piece's text is added to what is gathered for `path`, and the
        chain runs over all of it once there are `batch` characters, at the end (`final`) or when
        the caller lets it go (`flush`); until then the piece's text is held (the result's text is "")."""
        if path not in self._paths:
            if len(self._paths) >= self.MAX_PATHS:
                failure = "too many streamed fields"
                return ChainResult(Action.BLOCK, text, (Verdict(Action.BLOCK, None, failure),), (failure,))
            self._paths.add(path)
        if self.batch > 1:
            if not final and not flush and self.hold(text, path):
                return self.HELD  # the common case of a token stream: one more piece held
            pieces, size = self._gathered.pop(path, ([], 0))
            self._total -= size
            if text:
                pieces.append(text)
                size += len(text)
            if not final and size < self.batch:
                if not flush and size:
                    self._gathered[path] = (pieces, size)
                    self._total += size
                    return self.HELD  # held for the rest of the batch
                if not size:
                    return ChainResult(Action.PASS, "")
            text = "".join(pieces)
        message = Message(text=text, direction=Direction.OUTBOUND, channel=self._template.channel,
                          route=self._template.route, field=path, principal=self._template.principal,
                          conversation=self._template.conversation, client=self._template.client,
                          metadata=self._template.metadata)

        async def call(number: int, step: Step, current: Message) -> tuple[Verdict | None, str, float] | None:
            stream = self._stream(number, step, path, current)
            if stream is not None:
                return await self._feed(step, stream, (number, path), current.text, final)
            if final and not current.text:
                return None  # nothing left for a filter that inspects each piece alone
            return await inspect_step(step, current)

        return await run_steps(self.steps, message, self._chain.fail_open, call)

    def _stream(self, number: int, step: Step, path: str, message: Message) -> FilterStream | None:
        key = (number, path)
        if key not in self._streams:
            offer = getattr(step.filter, "stream", None)
            self._streams[key] = offer(message) if callable(offer) else None
            self._seen[key] = 0
        return self._streams[key]

    async def _feed(self, step: Step, stream: FilterStream, key: tuple[int, str], text: str,
                    final: bool) -> tuple[Verdict | None, str, float]:
        """One call into a filter stream under the step's budget; (None, reason, cpu) when it failed."""
        try:
            emitted, cpu = await metered(_feed_or_close(stream, text, final), step.timeout)
        except OverBudget as over:
            return None, f"filter {step.name} exceeded its CPU budget", over.cpu
        except Expired:
            return None, f"filter {step.name} timed out", 0.0
        except Exception as exc:
            return None, f"filter {step.name} failed: {type(exc).__name__}", 0.0
        if not isinstance(emitted, str):
            return None, f"filter {step.name} failed: bad stream output", cpu
        found = tuple(stream.findings[self._seen[key]:])
        self._seen[key] = len(stream.findings)
        if emitted == text and not found:
            return step.passed, "", cpu
        findings = tuple(Finding(f.type, f.start, f.end, f.score) for f in found)
        reason = f"masked {len(found)} value(s) in a stream" if found else ""
        return Verdict(Action.MODIFY, emitted, reason, findings, filter=step.name), "", cpu


async def _feed_or_close(stream: FilterStream, text: str, final: bool) -> str:
    """The text a stream lets out for `text`; at the end also what it held back."""
    if not final:
        return await stream.feed(text)
    return (await stream.feed(text) if text else "") + await stream.close()
