"""Server-sent events on an inspected route: parse events as they stream, filter each one's text.

A `text/event-stream` response is never buffered whole: complete events are cut out of the
bytes as they arrive, the text of their `data:` lines (the pointers `messages.outbound.sse.json`
name, or the whole data) runs through the route's outbound chain, and each event is forwarded
at once, byte for byte when nothing changed. Filters offering `Filter.stream` (masking) get one
stream per response and field, so a value split across events is still found; what they hold
back is flushed at end of stream as one more event shaped like the last one.

Everything here fails closed: an event larger than the route's `max_body`, data that is not
UTF-8 or a filter that blocks, raises or times out stops the stream; nothing after it is sent.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from functools import lru_cache

from filters import Action, Direction, FilterStream, Finding, Message, Verdict
from filters._chain import Chain, ChainResult, Step, _inspect
from gateway.codec import Codec, CodecError, Extracted, TextField
from gateway.config.settings import FieldSelector, SseFields
from gateway.inspect.inspection import Inspection, run_fields

__all__ = ["EventParser", "EventRelay", "Relayed", "SseEvent", "StreamChain", "check_sse", "is_event_stream"]

_LINE_END = re.compile(rb"\r\n|\n|\r")
_DATA_SPLIT = re.compile(r"\r\n|\n|\r")


def is_event_stream(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "text/event-stream"


@lru_cache(maxsize=256)
def _codec(fields: SseFields, path: str = "") -> Codec:
    """JSON data through the pointers, anything else as one text: no data escapes inspection."""
    return Codec(FieldSelector(json=fields.json, text=True), path)


def check_sse(fields: SseFields, path: str = "") -> None:
    """Raise OptionsError naming the key when a pointer does not parse (config validation)."""
    _codec(fields, path)


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One complete event: its raw bytes (incl. the blank line ending it) and its lines."""

    raw: bytes
    lines: tuple[str, ...]
    data_lines: tuple[int, ...]  # indexes of the `data` lines

    @property
    def data(self) -> str | None:
        if not self.data_lines:
            return None
        return "\n".join(_value(self.lines[i]) for i in self.data_lines)

    def with_data(self, data: str, *, keep_id: bool = True) -> bytes:
        """The event with its data replaced; new data lines go where the first one was."""
        out: list[str] = []
        for i, line in enumerate(self.lines):
            if i == self.data_lines[0]:
                out.extend("data: " + part for part in _DATA_SPLIT.split(data))
            elif i in self.data_lines or (not keep_id and _name(line) == "id"):
                continue
            else:
                out.append(line)
        return ("\n".join(out) + "\n\n").encode()


def _name(line: str) -> str:
    return line.partition(":")[0]


def _value(line: str) -> str:
    _, _, value = line.partition(":")
    return value[1:] if value.startswith(" ") else value


class EventParser:
    """Cuts complete events out of a byte stream; holds at most `limit` bytes of an unfinished one."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._buffer = b""
        self._line = 0  # where the unfinished line starts in the buffer

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """The events `chunk` completes; CodecError when one is too large or not UTF-8."""
        self._buffer += chunk
        events: list[SseEvent] = []
        start, position = 0, self._line  # resume where the last call stopped: no rescans
        buffer = self._buffer
        for match in _LINE_END.finditer(buffer, position):
            if match.group() == b"\r" and match.end() == len(buffer):
                break  # may be the first half of \r\n
            line_empty = match.start() == position
            position = match.end()
            if line_empty and match.start() == start:
                start = position  # blank lines between events carry nothing
            elif line_empty:
                events.append(_parse(buffer[start:position]))
                start = position
        self._buffer = buffer[start:]
        self._line = position - start
        if len(self._buffer) > self._limit:
            raise CodecError("server-sent event larger than max_body")
        return events

    def rest(self) -> bytes:
        """An unfinished last event (the stream ended without its blank line)."""
        return self._buffer


def _parse(raw: bytes) -> SseEvent:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("server-sent event is not valid UTF-8") from None
    lines = tuple(line for line in _DATA_SPLIT.split(text) if line)
    data = tuple(i for i, line in enumerate(lines) if _name(line) == "data")
    return SseEvent(raw, lines, data)


@dataclass(slots=True)
class Relayed:
    """What one call produced: bytes to send, inspections to audit, and whether the stream ends."""

    data: bytes = b""
    inspections: list[Inspection] = field(default_factory=list)
    blocked: Inspection | None = None


@dataclass(slots=True)
class _Last:
    event: SseEvent
    extracted: Extracted
    index: int


class EventRelay:
    """One per response: parses, filters and re-encodes its events; never shared."""

    def __init__(self, fields: SseFields, chain: Chain, template: Message, limit: int) -> None:
        self._codec = _codec(fields)
        self._chain = StreamChain(chain, template)
        self._parser = EventParser(limit)
        self._last: dict[str, _Last] = {}

    async def feed(self, chunk: bytes) -> Relayed:
        """Filter every event `chunk` completes; raises CodecError for a stream that cannot be read."""
        out = Relayed()
        pieces: list[bytes] = []
        for event in self._parser.feed(chunk):
            if not await self._event(event, pieces, out):
                break
        out.data = b"".join(pieces)
        return out

    async def close(self) -> Relayed:
        """End of stream: an unfinished last event, then every held tail as one more event."""
        out = Relayed()
        pieces: list[bytes] = []
        rest = self._parser.rest()
        if rest.strip(b"\r\n") and not await self._event(_parse(rest + b"\n\n"), pieces, out):
            out.data = b"".join(pieces)
            return out
        for path, last in self._last.items():
            result = await self._chain.run("", path, final=True)
            out.inspections.append(_inspection(result, b""))
            if result.action is Action.BLOCK:
                out.blocked = out.inspections[-1]
                break
            if result.text:
                others = {i: "" for i in range(len(last.extracted.fields)) if i != last.index}
                data = last.extracted.render({**others, last.index: result.text})
                data = data.decode() if isinstance(data, bytes) else data
                pieces.append(last.event.with_data(data, keep_id=False))
        out.data = b"".join(pieces)
        return out

    async def _event(self, event: SseEvent, pieces: list[bytes], out: Relayed) -> bool:
        data = event.data
        if data is None or not self._chain.steps:
            pieces.append(event.raw)
            return True
        extracted = self._codec.extract_frame(data)

        async def run(found: TextField) -> ChainResult:
            return await self._chain.run(found.text, found.path, final=False)

        def seen(found: TextField, index: int) -> None:
            self._last[found.path] = _Last(event, extracted, index)

        inspection = await run_fields(extracted, data, run, seen)
        if inspection.action is Action.BLOCK:
            out.blocked = _inspection_of(list(inspection.results), Action.BLOCK, event.raw)
            out.inspections.append(out.blocked)
            return False
        if inspection.action is Action.PASS:
            pieces.append(event.raw)
            out.inspections.append(_inspection_of(list(inspection.results), Action.PASS, event.raw))
            return True
        rendered = inspection.payload
        new = event.with_data(rendered.decode() if isinstance(rendered, bytes) else rendered)
        pieces.append(new)
        out.inspections.append(_inspection_of(list(inspection.results), Action.MODIFY, new))
        return True

class StreamChain:
    """The outbound chain over the pieces of one stream (SSE response, WebSocket connection).

    Filters offering `Filter.stream` get one stream per field path, fed every piece in
    order, so a value split across pieces is still found; the others inspect each piece
    alone. Never shared between streams; at most `MAX_PATHS` field paths per stream, so a
    sender cannot grow the held state without bound (further paths fail closed).
    """

    MAX_PATHS = 64

    def __init__(self, chain: Chain, template: Message) -> None:
        self._chain = chain
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
    def paths(self) -> frozenset[str]:
        """The field paths this stream has carried so far."""
        return frozenset(self._paths)

    async def run(self, text: str, path: str, *, final: bool) -> ChainResult:
        """The chain over one piece of the stream at `path`: streams fed in order, others inspected."""
        message = Message(text=text, direction=Direction.OUTBOUND, channel=self._template.channel,
                          route=self._template.route, field=path, principal=self._template.principal,
                          conversation=self._template.conversation, client=self._template.client,
                          metadata=self._template.metadata)
        original = text
        verdicts: list[Verdict] = []
        failures: tuple[str, ...] = ()
        if path not in self._paths:
            if len(self._paths) >= self.MAX_PATHS:
                failure = "too many streamed fields"
                return ChainResult(Action.BLOCK, text, (Verdict(Action.BLOCK, None, failure),), (failure,))
            self._paths.add(path)
        for number, step in enumerate(self.steps):
            stream = self._stream(number, step, path, message)
            if stream is None:
                if final and not text:
                    continue
                verdict, failure = await _inspect(step, message.with_text(text))
            else:
                verdict, failure = await self._feed(step, stream, (number, path), text, final)
            if verdict is None:
                failures += (failure,)
                if self._chain.fail_open:
                    continue
                verdicts.append(Verdict(Action.BLOCK, None, failure, filter=step.name))
                return ChainResult(Action.BLOCK, text, tuple(verdicts), failures)
            verdicts.append(verdict)
            if verdict.action is Action.BLOCK:
                return ChainResult(Action.BLOCK, text, tuple(verdicts), failures)
            if verdict.action is Action.MODIFY and verdict.text is not None:
                text = verdict.text
        action = Action.MODIFY if text != original or any(v.action is Action.MODIFY for v in verdicts) \
            else Action.PASS
        return ChainResult(action, text, tuple(verdicts), failures)

    def _stream(self, number: int, step: Step, path: str, message: Message) -> FilterStream | None:
        key = (number, path)
        if key not in self._streams:
            offer = getattr(step.filter, "stream", None)
            self._streams[key] = offer(message) if callable(offer) else None
            self._seen[key] = 0
        return self._streams[key]

    async def _feed(self, step: Step, stream: FilterStream, key: tuple[int, str], text: str,
                    final: bool) -> tuple[Verdict | None, str]:
        """One call into a filter stream under the step's time limit; (None, reason) when it failed."""
        try:
            async with asyncio.timeout(step.timeout):
                if final:
                    emitted = (await stream.feed(text) if text else "") + await stream.close()
                else:
                    emitted = await stream.feed(text)
        except TimeoutError:
            return None, f"filter {step.name} timed out"
        except Exception as exc:
            return None, f"filter {step.name} failed: {type(exc).__name__}"
        if not isinstance(emitted, str):
            return None, f"filter {step.name} failed: bad stream output"
        found = tuple(stream.findings[self._seen[key]:])
        self._seen[key] = len(stream.findings)
        if emitted == text and not found:
            return step.passed, ""
        findings = tuple(Finding(f.type, f.start, f.end, f.score) for f in found)
        reason = f"masked {len(found)} value(s) in a stream" if found else ""
        return Verdict(Action.MODIFY, emitted, reason, findings, filter=step.name), ""


def _inspection_of(results: list[ChainResult], action: Action, payload: bytes) -> Inspection:
    return Inspection(action, payload, tuple(results))


def _inspection(result: ChainResult, payload: bytes) -> Inspection:
    return Inspection(result.action, payload, (result,))
