"""Server-sent events on an inspected route: parse events as they stream, filter each one's text.

A `text/event-stream` response is never buffered whole: complete events are cut out of the
bytes as they arrive, the text of their `data:` lines (the pointers `messages.outbound.sse.json`
name, or the whole data) runs through the route's outbound chain, and each event is forwarded
at once, byte for byte when nothing changed. Filters offering `Filter.stream` (masking) get one
stream per response and field, so a value split across events is still found; what they hold
back is flushed at end of stream as one more event shaped like the last one. On such routes the
text of small events is gathered up to `limits.stream_batch` characters before the filters read it
(the events wait with it, in order, unrendered), and let go once the backend has been quiet for
`limits.stream_flush` since the oldest of it arrived. Then each event held for it gets its share of
what the filters let out (`gateway.inspect.spread`): its own text where they changed nothing, so it goes
out as the backend sent it, each at most that much later, and the batch is audited once.

An event's other lines are read as the client reads them before anything else (`gateway.proxy.sse_fields`):
its `event` and `id` values go through the same chain, a `retry` of digits goes on, and comments and other
fields, which clients ignore, are dropped.

A stream may begin with a UTF-8 byte order mark, which clients drop before reading the lines (WHATWG's
`stream = [ bom ] *event`): the parser drops it too, so `data:` after it is read as the client reads it
(not as a line of some other field, forwarded unread), and the stream goes on without it.

Everything here fails closed: an event larger than the route's `max_body`, data that is not
UTF-8 or a filter that blocks, raises or times out stops the stream; nothing after it is sent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from filters import Action, Chain, ChainResult, Message, StreamChain
from gateway.codec import Codec, CodecError, Extracted
from gateway.inspect.html_fields import is_html
from gateway.inspect.inspection import Inspection
from gateway.inspect.spread import spread
from gateway.inspect.streams import FieldStreams, Held, Tail, emptied
from gateway.proxy.sse_fields import OtherFields

__all__ = ["EventParser", "EventRelay", "Relayed", "SseEvent", "is_event_stream"]

_LINE_END = re.compile(rb"\r\n|\n|\r")
_BLANK = re.compile(rb"\n*")
_DATA_SPLIT = re.compile(r"\r\n|\n|\r")
_BOM = b"\xef\xbb\xbf"  # UTF-8's byte order mark: dropped at the start of a stream, as clients drop it


def is_event_stream(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "text/event-stream"


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
        if len(self.data_lines) == 1:
            return _value(self.lines[self.data_lines[0]])
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
        self._failed: CodecError | None = None  # told after the complete events before the one that failed
        self._buffer = b""
        self._line = 0  # where the unfinished line starts in the buffer
        self._started = False  # whether the stream's first bytes were read (a byte order mark dropped)

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """The events `chunk` completes; CodecError when one is too large or not UTF-8. The events complete
        before an unfinished one past the limit are given first: the error comes at the next call (or `rest`)."""
        if self._failed is not None:
            raise self._failed
        self._buffer += chunk
        if not self._started:
            if len(self._buffer) < len(_BOM) and _BOM.startswith(self._buffer):
                return []  # perhaps the start of a byte order mark: wait for the rest
            self._started = True
            if self._buffer.startswith(_BOM):
                self._buffer = self._buffer[len(_BOM):]  # the client reads the stream without it
        return self._newlines() if b"\r" not in self._buffer else self._lines()

    def _lines(self) -> list[SseEvent]:
        """`feed` line by line, at every line-ending form."""
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
                if not self._parsed(buffer[start:position], events):
                    return events
                start = position
        self._buffer = buffer[start:]
        self._line = position - start
        return self._bounded(events)

    def _newlines(self) -> list[SseEvent]:
        """`feed` for a buffer whose lines all end in a line feed (most streams): an event ends at the
        first two line feeds in a row after its start, found by one search, not line by line; the same
        events and the same state as `_lines`."""
        buffer = self._buffer
        events: list[SseEvent] = []
        start = _BLANK.match(buffer).end()  # type: ignore[union-attr]  # blank lines between events carry nothing
        position = max(start, self._line - 1)  # a `\n\n` may join the last call's end to this chunk
        while (end := buffer.find(b"\n\n", position)) >= 0:
            if not self._parsed(buffer[start:end + 2], events):
                return events
            start = position = end + 2
            if buffer[start:start + 1] == b"\n":  # blank lines after it (rare): skipped by one match
                start = position = _BLANK.match(buffer, start).end()  # type: ignore[union-attr]
        self._buffer = buffer = buffer[start:]
        self._line = buffer.rfind(b"\n") + 1
        return self._bounded(events)

    def _parsed(self, raw: bytes, events: list[SseEvent]) -> bool:
        """Add the event `raw` to `events`; False (the error kept for the next call) when it cannot be read
        and events came before it, which still go; the error at once when none did."""
        try:
            events.append(_parse(raw))
        except CodecError as exc:
            if not events:
                raise
            self._failed = exc
            return False
        return True

    def _bounded(self, events: list[SseEvent]) -> list[SseEvent]:
        """`events`, once the unfinished rest is within the limit (else CodecError, now or at the next call)."""
        if len(self._buffer) > self._limit:
            if not events:
                raise CodecError("server-sent event larger than max_body")
            self._failed = CodecError("server-sent event larger than max_body")
        return events

    def rest(self) -> bytes:
        """An unfinished last event (the stream ended without its blank line)."""
        if self._failed is not None:
            raise self._failed
        return self._buffer


def _parse(raw: bytes) -> SseEvent:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("server-sent event is not valid UTF-8") from None
    if text.startswith("data:") and text.find("\n") == len(text) - 2 and "\r" not in text:
        return SseEvent(raw, (text[:-2],), (0,))  # one data line and the blank line (most events)
    return _parse_lines(raw, text)


def _parse_lines(raw: bytes, text: str) -> SseEvent:
    """An event's lines, at every line-ending form, and which of them are `data` lines."""
    lines = tuple(line for line in _DATA_SPLIT.split(text) if line)
    data = tuple(i for i, line in enumerate(lines) if _name(line) == "data")
    return SseEvent(raw, lines, data)


@dataclass(slots=True)
class _Pending:
    """A held event whose one text field was gathered: re-encoded, if at all, once the filters read it."""

    event: SseEvent
    unchanged: bytes  # the event as it goes out when it keeps its own text
    extracted: Extracted | None  # None: an event whose bytes are settled (`unchanged`), held only in order
    text: str = ""
    share: str = ""  # its part of the text the filters let out (set before it is sent)

    def encode(self) -> bytes:
        if self.share == self.text or self.extracted is None:
            return self.unchanged
        rendered = self.extracted.render({0: self.share})
        return self.event.with_data(rendered.decode() if isinstance(rendered, bytes) else rendered)


@dataclass(slots=True)
class _Path:
    """Per field path: its held events whose text is gathered, and the text read but not let out yet."""

    pending: list[_Pending] = field(default_factory=list)
    carry: str | None = ""  # None: unknown (a filter changed the text, or an event of several fields took it)


def _held_at(pieces: list[bytes | _Pending], event: SseEvent) -> int:
    """Where the held event `event` ends among `pieces` (0 when it is not held: it went already)."""
    for index in range(len(pieces) - 1, -1, -1):
        piece = pieces[index]
        if type(piece) is _Pending and piece.event is event:
            return index + 1
    return 0


def _encoded(pieces: list[bytes | _Pending]) -> list[bytes]:
    return [piece if type(piece) is bytes else piece.encode() for piece in pieces]  # type: ignore[union-attr]


@dataclass(slots=True)
class Relayed:
    """What one call produced: bytes to send, inspections to audit, and whether the stream ends (`blocked`,
    or `error`: an event that cannot be read, raised once the events before it went)."""

    data: bytes = b""
    inspections: list[Inspection] = field(default_factory=list)
    blocked: Inspection | None = None
    error: CodecError | None = None


class EventRelay:
    """One per response: parses, filters and re-encodes its events; never shared."""

    def __init__(self, codec: Codec, chain: Chain, template: Message, limit: int,
                 opener: Callable[[str], Awaitable[str]] | None = None, batch: int = 1) -> None:
        self._codec = codec
        self._shapes = codec.shapes()  # the shapes of this stream's JSON events: most read without parsing
        self._opener = opener  # opens field envelopes (`encrypt_fields`) before the filters see the event
        # Text is gathered only where a filter keeps per-stream state (masking): there it moves between
        # events anyway; a chain of filters that read each event alone passes events as they are.
        gathers = batch > 1 and StreamChain.offered(chain, template)
        streams = StreamChain(chain, template, batch if gathers else 1)
        self._gathers = gathers
        self._fields: FieldStreams[SseEvent] = FieldStreams(streams, limit)  # tag: the event
        self._parser = EventParser(limit)
        self._others = OtherFields(chain, template, codec.caps)  # `event`, `id`, `retry`, comments...
        self._held: Held[bytes | _Pending] = Held()  # events waiting for the text gathered before or in them
        self._paths: dict[str, _Path] = {}  # field paths whose text held events wait for (`_Pending`)
        self._steps = self._fields.steps
        self._htmls: dict[str, bool] = {}  # whether a field path holds HTML (at most `MAX_PATHS` are read)
        self._limit = limit
        # Whether an event may be held at once (`_at_once`): gathered text, no envelopes, JSON shapes kept.
        self._quick = gathers and opener is None and bool(self._steps) and self._shapes is not None

    def flush_in(self, delay: float) -> float | None:
        """Seconds until the gathered text must go (`flush`); None when no text is gathered."""
        return self._fields.flush_in(delay)

    async def feed(self, chunk: bytes) -> Relayed:
        """Filter every event `chunk` completes; raises CodecError for a stream that cannot be read."""
        out = Relayed()
        pieces: list[bytes] = []
        try:
            for parsed in self._parser.feed(chunk):
                event = await self._read_others(parsed, out) if len(parsed.lines) != len(parsed.data_lines) \
                    else parsed
                if event is None:
                    break
                done = self._at_once(event, out) if self._quick else None
                if type(done) is not bool:
                    done = await self._event(event, pieces, out, done)
                if not done:
                    break
                if self._held.size > self._limit:  # held events are bounded like one: let the text go now
                    await self._tails(await self._fields.flush(self._spread_paths()), pieces, out)
                    if out.blocked is not None:
                        break
        except CodecError as exc:  # the events that passed before it still go (`Relayed.error`)
            if not pieces and not out.inspections:
                raise
            out.error = exc
        out.data = b"".join(pieces)
        return out

    async def close(self) -> Relayed:
        """End of stream: an unfinished last event, then every held tail as one more event."""
        out = Relayed()
        pieces: list[bytes] = []
        rest = self._parser.rest()
        if rest.strip(b"\r\n"):
            event = await self._read_others(_parse(rest + b"\n\n"), out)
            if event is None or not await self._event(event, pieces, out):
                out.data = b"".join(pieces)
                return out
        await self._tails(await self._fields.close(self._spread_paths()), pieces, out)
        out.data = b"".join(pieces)
        return out

    async def flush(self) -> Relayed:
        """The gathered text through the filters now: in the events held for it (see `spread`), or when
        none is, in the last event held when it carried only that text, otherwise as one more event per
        field path; then every event held goes."""
        out = Relayed()
        pieces: list[bytes] = []
        await self._tails(await self._fields.flush(self._spread_paths()), pieces, out)
        out.data = b"".join(pieces)
        return out

    async def _read_others(self, event: SseEvent, out: Relayed) -> SseEvent | None:
        """`event` with its lines other than `data` as they go out (`OtherFields`); None when a filter blocked
        one of them (the stream ends here). What the filters changed or found is audited; a clean pass of an
        event name or id is not (it would add a record per event to the data's own)."""
        lines, inspection = await self._others.lines(event.lines)
        if inspection is not None and inspection.action is Action.BLOCK:
            out.blocked = replace(inspection, payload=event.raw)
            out.inspections.append(out.blocked)
            return None
        if lines != event.lines:
            data = tuple(i for i, line in enumerate(lines) if _name(line) == "data")
            event = SseEvent(("\n".join(lines) + "\n\n").encode(), lines, data)
        if inspection is not None and (inspection.action is not Action.PASS or any(
                verdict.findings or verdict.hints for result in inspection.results for verdict in result.verdicts)):
            out.inspections.append(replace(inspection, payload=event.raw, original=None))
        return event

    def _html(self, path: str) -> bool:
        """`is_html`, asked once per field path of the stream."""
        known = self._htmls.get(path)
        if known is None:
            known = self._htmls[path] = is_html(path)
        return known

    def _spread_paths(self) -> set[str]:
        return {path for path, state in self._paths.items() if state.pending}

    async def _tails(self, tails: list[Tail[SseEvent]], pieces: list[bytes], out: Relayed) -> None:
        held = self._held
        front = 0  # tails of fields whose last event went already: before every event held, in order
        for tail in tails:
            if tail.inspection.action is Action.BLOCK:
                out.inspections.append(tail.inspection)
                out.blocked = tail.inspection
                held.take()  # the stream ends at the blocked text: nothing after it goes
                return
            path = tail.inspection.sources[0][0]
            state = self._paths.get(path)
            if state is not None and state.pending:
                out.inspections.append(self._spread(state, path, tail.inspection.results[0]))
                continue
            out.inspections.append(tail.inspection)
            if not tail.text:
                continue
            if state is not None:
                state.carry = None  # its text goes in an event of its own
            data = tail.inspection.payload
            text = data.decode() if isinstance(data, bytes) else data
            at = _held_at(held.pieces, tail.last)
            if tail.latest and held.latest and at == len(held.pieces):
                held.pieces[-1] = tail.last.with_data(text)  # the text goes in the event that ended it
                held.latest = False
            else:  # one more event, right after the last one of the field (or first, when that one went)
                held.pieces.insert(at if at else front, tail.last.with_data(text, keep_id=False))
                front += not at
        pieces.extend(_encoded(held.take()))

    def _spread(self, state: _Path, path: str, result: ChainResult) -> Inspection:
        """Give each event held for `path`'s gathered text its share of what the chain let out of it; the
        inspection to audit for the batch (a pass when the chain changed nothing)."""
        pending, state.pending = state.pending, []
        texts = [entry.text for entry in pending]
        shares, state.carry, same = spread(texts, state.carry, result.text, self._limit)
        for entry, share in zip(pending, shares, strict=True):
            entry.share = share
        action = Action.PASS if same and result.action is not Action.BLOCK and not any(
            v.findings for v in result.verdicts) else result.action
        return Inspection(action, b"", (result,), sources=((path, "".join(texts)),))

    def _put(self, pieces: list[bytes], data: bytes | _Pending, *, emptied: bool, event: SseEvent | None = None) -> None:
        """Send `data`, or hold it while text before or in it is gathered (events keep their order).
        `emptied`: its one text field goes out empty (held, or empty as sent), so a tail may take its place;
        `event`: the event `data` was made of (a tail of its field goes right after it)."""
        if self._fields.gathering:
            if type(data) is bytes:
                size = len(data)
                if event is not None:
                    data = _Pending(event, data, None)
            else:
                size = len(data.unchanged)  # type: ignore[union-attr]
            self._held.add(data, size, latest=emptied)
            return
        if self._held.pieces:
            pieces.extend(_encoded(self._held.take()))
        pieces.append(data if type(data) is bytes else data.encode())  # type: ignore[union-attr]

    def _at_once(self, event: SseEvent, out: Relayed) -> bool | Extracted | None:
        """`_event` without a coroutine for the common event of a token stream (`_quick` streams): one data
        line of a known shape (`Shapes`) whose one text field the chain only gathers (`held_one`). True or
        False as `_event` answers when it did all of it; otherwise its fields, for `_event` to go on from
        (an event of one data line is read here whatever its shape, as `_event` would read it), or None for
        an event of more lines, left to `_event` whole."""
        if len(event.lines) != 1 or not event.data_lines:
            return None
        data = _value(event.lines[0])
        shapes = self._shapes
        assert shapes is not None  # `_quick`: shapes are kept
        extracted = shapes.extract(data)
        if extracted is None:  # a shape not known yet: read whole (and learnt) once, here
            extracted = self._codec.extract_frame(data)
            shapes.learn(data, extracted)
            return extracted
        if len(extracted.fields) != 1:
            return extracted
        found = extracted.fields[0]
        if self._html(found.path):
            return extracted
        result = self._fields.held_one(extracted, data, event)
        if result is None:
            return extracted
        if result is StreamChain.HELD:
            self._hold(event, event.raw, extracted, found.path, found.text)
            return True
        return self._blocked(event, found.path, found.text, result, out)  # too much held

    def _hold(self, event: SseEvent, unchanged: bytes, extracted: Extracted, path: str, text: str) -> None:
        """Hold an event whose text the chain gathered, until the chain has read it."""
        entry = _Pending(event, unchanged, extracted, text)
        state = self._paths.get(path)
        if state is None:
            state = self._paths[path] = _Path()
        state.pending.append(entry)
        self._held.add(entry, len(unchanged), latest=False)

    @staticmethod
    def _blocked(event: SseEvent, path: str, text: str, result: ChainResult, out: Relayed) -> bool:
        out.blocked = Inspection(Action.BLOCK, event.raw, (result,), sources=((path, text),))
        out.inspections.append(out.blocked)
        return False

    async def _event(self, event: SseEvent, pieces: list[bytes], out: Relayed, read: Extracted | None = None) -> bool:
        """Filter, hold or send one event (`read`: its fields, when `_at_once` read them already)."""
        if read is not None:  # `_quick`: no envelopes to open, filters to run, the fields read
            return await self._extracted(event, event.raw, read, _value(event.lines[0]), pieces, out)
        data = event.data
        if data is None:
            self._put(pieces, event.raw, emptied=False)
            return True
        opened = await self._opener(data) if self._opener is not None else data
        # what goes out when the filters change nothing: the event as sent, or with its envelopes opened
        unchanged = event.raw if opened == data else event.with_data(opened)
        if not self._steps:
            pieces.append(unchanged)
            return True
        shapes = self._shapes
        extracted = shapes.extract(opened) if shapes is not None else None
        if extracted is None:
            extracted = self._codec.extract_frame(opened)
            if shapes is not None:
                shapes.learn(opened, extracted)
        return await self._extracted(event, unchanged, extracted, opened, pieces, out)

    async def _extracted(self, event: SseEvent, unchanged: bytes, extracted: Extracted, opened: str,
                         pieces: list[bytes], out: Relayed) -> bool:
        """`_event` once the event's fields are read."""
        if not extracted.fields:  # no text where the route reads it: nothing to filter, hold or audit
            self._put(pieces, unchanged, emptied=False, event=event)
            return True
        if self._gathers and len(extracted.fields) == 1 and not self._html(extracted.fields[0].path):
            return await self._gathered(event, unchanged, extracted, opened, pieces, out)
        inspection = await self._fields.feed(extracted, opened, event)
        if self._gathers:
            self._taken(inspection)
        if inspection.action is Action.BLOCK:
            out.blocked = replace(inspection, payload=event.raw)
            out.inspections.append(out.blocked)
            return False
        if inspection.action is Action.PASS:
            self._put(pieces, unchanged, emptied=emptied(inspection), event=event)
            out.inspections.append(replace(inspection, payload=unchanged))
            return True
        rendered = inspection.payload
        new = event.with_data(rendered.decode() if isinstance(rendered, bytes) else rendered)
        self._put(pieces, new, emptied=emptied(inspection), event=event)
        out.inspections.append(replace(inspection, payload=new, original=None))
        return True

    async def _gathered(self, event: SseEvent, unchanged: bytes, extracted: Extracted, opened: str,
                        pieces: list[bytes], out: Relayed) -> bool:
        """An event of one text field on a gathering stream: held, unrendered, until the chain has read
        its text; then it and the events held with it get their shares (`spread`), most their own text."""
        found = extracted.fields[0]
        result = self._fields.held_one(extracted, opened, event)  # most pieces of a token stream: held at once
        if result is None:
            result = await self._fields.feed_one(extracted, opened, event)
        if result is StreamChain.HELD:
            self._hold(event, unchanged, extracted, found.path, found.text)
            return True
        if result.action is Action.BLOCK:
            return self._blocked(event, found.path, found.text, result, out)
        state = self._paths.get(found.path)
        if not found.text and (state is None or not state.pending):
            self._put(pieces, unchanged, emptied=True, event=event)  # nothing to read, nothing gathered before it
            return True
        entry = _Pending(event, unchanged, extracted, found.text)
        if state is None:
            state = self._paths[found.path] = _Path()
        state.pending.append(entry)
        out.inspections.append(self._spread(state, found.path, result))
        self._put(pieces, entry, emptied=False)
        return True

    def _taken(self, inspection: Inspection) -> None:
        """After an event of several text fields: a field path whose gathered text the chain read went out
        in that event; the events held for it go out without text, and where its stream stands is unknown."""
        for result, (path, _) in zip(inspection.results, inspection.sources, strict=False):
            state = self._paths.get(path)
            if state is None or result is StreamChain.HELD:
                continue
            for entry in state.pending:
                entry.share = ""
            state.pending = []
            state.carry = None
