"""The text fields of a stream's pieces (SSE events, WebSocket frames) through one `StreamChain`.

A value a backend splits across pieces is still found: each field path is one stream for the
filters that keep per-stream state (masking), fed in order. What they hold back comes out at the
end as one more piece per field path, shaped like the last piece that carried that field (its
other text fields empty). Used by the SSE relay and the WebSocket bridge alike; never shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from filters import Action, ChainResult, StreamChain, Verdict
from gateway.codec import Extracted, TextField
from gateway.inspect.inspection import Inspection, run_fields

__all__ = ["FieldStreams", "Tail"]


@dataclass(frozen=True, slots=True)
class Tail[T]:
    """The end of one field's stream: `inspection.payload` is the piece to send (b"" when nothing is
    held, or when blocked); `last` is what the caller tagged the last piece carrying the field with."""

    inspection: Inspection
    last: T

    @property
    def text(self) -> str:
        return self.inspection.results[0].text


HELD_TOO_MUCH = "stream holds too much"


class FieldStreams[T]:
    """Per field path, the stream of its text across pieces; `T` tags a piece (its frame type, its event).

    The last piece of every path is kept until the end (its tail comes out shaped like it): at most
    `limit` bytes of such pieces at once, beyond that the stream is blocked (as for too many paths)."""

    __slots__ = ("_chain", "_last", "limit")

    def __init__(self, chain: StreamChain, limit: int) -> None:
        self._chain = chain
        self.limit = limit
        self._last: dict[str, tuple[Extracted, int, T, int]] = {}

    @property
    def held(self) -> int:
        """Bytes of the pieces kept for their tails (one count per piece, however many paths it carries)."""
        return sum({id(extracted): size for extracted, _, _, size in self._last.values()}.values())

    @property
    def steps(self) -> int:
        """How many filters look at this stream (0: nothing to filter)."""
        return len(self._chain.steps)

    async def feed(self, extracted: Extracted, payload: bytes | str, tag: T) -> Inspection:
        """Filter one piece (`extracted` from `payload`): every field through its stream, in order."""

        async def run(found: TextField) -> ChainResult:
            return await self._chain.run(found.text, found.path, final=False)

        size = len(payload)

        def seen(found: TextField, index: int) -> None:
            self._last[found.path] = (extracted, index, tag, size)

        inspection = await run_fields(extracted, payload, run, seen=seen)
        if inspection.action is not Action.BLOCK and self.held > self.limit:
            result = ChainResult(Action.BLOCK, "", (Verdict(Action.BLOCK, None, HELD_TOO_MUCH),), (HELD_TOO_MUCH,))
            return Inspection(Action.BLOCK, payload, (*inspection.results, result),
                              sources=(*inspection.sources, ("", "")))
        return inspection

    async def close(self) -> list[Tail[T]]:
        """End of stream: per field path, its held tail; stops at the first tail a filter blocks."""
        tails: list[Tail[T]] = []
        for path, (extracted, index, tag, _) in self._last.items():
            result = await self._chain.run("", path, final=True)
            payload: bytes | str = b""
            if result.action is not Action.BLOCK and result.text:
                others = {i: "" for i in range(len(extracted.fields)) if i != index}
                payload = extracted.render({**others, index: result.text})
            tails.append(Tail(Inspection(result.action, payload, (result,), sources=((path, ""),)), tag))
            if result.action is Action.BLOCK:
                break
        self._last.clear()
        return tails
