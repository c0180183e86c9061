"""Server-sent events on an inspected route: parse events as they stream, filter each one's text.

A `text/event-stream` response is never buffered whole: complete events are cut out of the
bytes as they arrive, the text of their `data:` lines (the pointers `messages.outbound.sse.json`
name, or the whole data) runs through the route's outbound chain, and each event is forwarded
at once, byte for byte when nothing changed. Filters offering `Filter.stream` (masking) get one
stream per response and field, so a value split across events is still found; what they hold
back is flushed at end of stream as one more event shaped like the last one. On such routes the
text of small events is gathered up to `limits.stream_batch` characters before the filters read it
(the events wait with it, in order), and let go once the backend has been quiet for
`limits.stream_flush` since the oldest of it arrived: in the last event held when that event carried
only this text, so the client gets the events the backend sent, each at most that much later.

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
from gateway.inspect.streams import FieldStreams, Held, Tail, emptied

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
                 opener: Callable[[str], Awaitable[str]] | None = None, batch: int = 1) -> None:
        self._codec = codec
        self._opener = opener  # opens field envelopes (`encrypt_fields`) before the filters see the event
        # Text is gathered only where a filter keeps per-stream state (masking): there it moves between
        # events anyway; a chain of filters that read each event alone passes events as they are.
        streams = StreamChain(chain, template, batch if StreamChain.offered(chain, template) else 1)
        self._fields: FieldStreams[SseEvent] = FieldStreams(streams, limit)  # tag: the event
        self._parser = EventParser(limit)
        self._held: Held[bytes] = Held()  # events waiting for the text gathered before or in them
        self._limit = limit

    def flush_in(self, delay: float) -> float | None:
        """Seconds until the gathered text must go (`flush`); None when no text is gathered."""
        return self._fields.flush_in(delay)

    async def feed(self, chunk: bytes) -> Relayed:
        """Filter every event `chunk` completes; raises CodecError for a stream that cannot be read."""
        out = Relayed()
        pieces: list[bytes] = []
        for event in self._parser.feed(chunk):
            if not await self._event(event, pieces, out):
                break
            if self._held.size > self._limit:  # held events are bounded like one: let the text go now
                await self._tails(await self._fields.flush(), pieces, out)
                if out.blocked is not None:
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
        await self._tails(await self._fields.close(), pieces, out)
        out.data = b"".join(pieces)
        return out

    async def flush(self) -> Relayed:
        """The gathered text through the filters now: in the last event held when it carried only that
        text, otherwise as one more event per field path; then every event held goes."""
        out = Relayed()
        pieces: list[bytes] = []
        await self._tails(await self._fields.flush(), pieces, out)
        out.data = b"".join(pieces)
        return out

    async def _tails(self, tails: list[Tail[SseEvent]], pieces: list[bytes], out: Relayed) -> None:
        held = self._held
        for tail in tails:
            out.inspections.append(tail.inspection)
            if tail.inspection.action is Action.BLOCK:
                out.blocked = tail.inspection
                held.take()  # the stream ends at the blocked text: nothing after it goes
                return
            if tail.text:
                data = tail.inspection.payload
                text = data.decode() if isinstance(data, bytes) else data
                if tail.latest and held.latest:
                    held.pieces[-1] = tail.last.with_data(text)  # the text goes in the event that ended it
                    held.latest = False
                else:
                    held.add(tail.last.with_data(text, keep_id=False), 0, latest=False)
        pieces.extend(held.take())

    def _put(self, pieces: list[bytes], data: bytes, *, emptied: bool) -> None:
        """Send `data`, or hold it while text before or in it is gathered (events keep their order).
        `emptied`: its one text field goes out empty (held, or empty as sent), so a tail may take its place."""
        if self._fields.gathering:
            self._held.add(data, len(data), latest=emptied)
            return
        if self._held.pieces:
            pieces.extend(self._held.take())
        pieces.append(data)

    async def _event(self, event: SseEvent, pieces: list[bytes], out: Relayed) -> bool:
        data = event.data
        if data is None:
            self._put(pieces, event.raw, emptied=False)
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
            self._put(pieces, unchanged, emptied=emptied(inspection))
            out.inspections.append(replace(inspection, payload=unchanged))
            return True
        rendered = inspection.payload
        new = event.with_data(rendered.decode() if isinstance(rendered, bytes) else rendered)
        self._put(pieces, new, emptied=emptied(inspection))
        out.inspections.append(replace(inspection, payload=new, original=None))
        return True

