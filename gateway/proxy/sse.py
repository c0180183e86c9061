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

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from filters import Action, Chain, Message, StreamChain
from gateway.codec import Codec, CodecError
from gateway.inspect.inspection import Inspection
from gateway.inspect.streams import FieldStreams

__all__ = ["EventParser", "EventRelay", "Relayed", "SseEvent", "is_event_stream"]

_LINE_END = re.compile(rb"\r\n|\n|\r")
_DATA_SPLIT = re.compile(r"\r\n|\n|\r")


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


class EventRelay:
    """One per response: parses, filters and re-encodes its events; never shared."""

    def __init__(self, codec: Codec, chain: Chain, template: Message, limit: int,
                 opener: Callable[[str], Awaitable[str]] | None = None) -> None:
        self._codec = codec
        self._opener = opener  # opens field envelopes (`encrypt_fields`) before the filters see the event
        self._fields: FieldStreams[SseEvent] = FieldStreams(StreamChain(chain, template), limit)  # tag: the event
        self._parser = EventParser(limit)

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
        for tail in await self._fields.close():
            out.inspections.append(tail.inspection)
            if tail.inspection.action is Action.BLOCK:
                out.blocked = tail.inspection
                break
            if tail.text:
                data = tail.inspection.payload
                pieces.append(tail.last.with_data(data.decode() if isinstance(data, bytes) else data, keep_id=False))
        out.data = b"".join(pieces)
        return out

    async def _event(self, event: SseEvent, pieces: list[bytes], out: Relayed) -> bool:
        data = event.data
        if data is None:
            pieces.append(event.raw)
            return True
        opened = await self._opener(data) if self._opener is not None else data
        # what goes out when the filters change nothing: the event as sent, or with its envelopes opened
        unchanged = event.raw if opened == data else event.with_data(opened)
        if not self._fields.steps:
            pieces.append(unchanged)
            return True
        inspection = await self._fields.feed(self._codec.extract_frame(opened), opened, event)
        if inspection.action is Action.BLOCK:
            out.blocked = replace(inspection, payload=event.raw)
            out.inspections.append(out.blocked)
            return False
        if inspection.action is Action.PASS:
            pieces.append(unchanged)
            out.inspections.append(replace(inspection, payload=unchanged))
            return True
        rendered = inspection.payload
        new = event.with_data(rendered.decode() if isinstance(rendered, bytes) else rendered)
        pieces.append(new)
        out.inspections.append(replace(inspection, payload=new, original=None))
        return True


