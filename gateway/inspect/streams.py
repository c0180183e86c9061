"""The text fields of a stream's pieces (SSE events, WebSocket frames) through one `StreamChain`.

A value a backend splits across pieces is still found: each field path is one stream for the
filters that keep per-stream state (masking), fed in order. What they hold back comes out at the
end as one more piece per field path, shaped like the last piece that carried that field (its
other text fields empty). Used by the SSE relay and the WebSocket bridge alike; never shared.

Text the chain gathers from small pieces (`StreamChain.batch`) is let go the same way: `flush`
runs the chain over what is gathered and gives a piece per field path, shaped like its last one.
The relays call it once the oldest gathered text has waited `limits.stream_flush` (`since` says
from when), so a token stream still flows while the backend pauses. While text is gathered
(`gathering`) the relays hold the pieces themselves back too, in order (`Held`): a piece whose
text is gathered would go out emptied, and the text after it in a piece of its own. When the
last held piece carried only that field (`Tail.latest`), the flushed text goes out in it instead,
so the client gets the pieces the backend sent, each at most `limits.stream_flush` late.
"""

from __future__ import annotations

import time
from collections.abc import Container
from dataclasses import dataclass

from filters import Action, ChainResult, StreamChain, Verdict
from gateway.codec import Extracted, TextField
from gateway.inspect.inspection import Inspection, run_fields

__all__ = ["FieldStreams", "Held", "Tail", "emptied"]


@dataclass(frozen=True, slots=True)
class Tail[T]:
    """The end of one field's stream: `inspection.payload` is the piece to send (b"" when nothing is
    held, or when blocked); `last` is what the caller tagged the last piece carrying the field with."""

    inspection: Inspection
    last: T
    latest: bool = False  # the last piece carrying the field is the last piece fed, with no other text field

    @property
    def text(self) -> str:
        return self.inspection.results[0].text


HELD_TOO_MUCH = "stream holds too much"


class FieldStreams[T]:
    """Per field path, the stream of its text across pieces; `T` tags a piece (its frame type, its event).

    The last piece of every path is kept until the end (its tail comes out shaped like it): at most
    `limit` bytes of such pieces at once, beyond that the stream is blocked (as for too many paths)."""

    __slots__ = ("_chain", "_last", "_latest", "limit", "since")

    def __init__(self, chain: StreamChain, limit: int) -> None:
        self._chain = chain
        self.limit = limit
        self._last: dict[str, tuple[Extracted, int, T, int]] = {}
        self.since: float | None = None  # `time.monotonic()` when the oldest gathered text arrived
        self._latest: Extracted | None = None  # the last piece fed

    @property
    def gathering(self) -> bool:
        """Whether text is gathered that no filter has read yet (pieces after it must wait for it)."""
        return self.since is not None

    def flush_in(self, delay: float) -> float | None:
        """Seconds until gathered text must be let go (`flush`), at least 0; None when none is held."""
        if self.since is None:
            return None
        return max(0.0, self.since + delay - time.monotonic())

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
        self._latest = extracted
        arrived = time.monotonic() if self.since is None else self.since

        def seen(found: TextField, index: int) -> None:
            self._last[found.path] = (extracted, index, tag, size)

        inspection = await run_fields(extracted, payload, run, seen=seen)
        if self._chain.batch > 1:
            if not self._chain.gathered:
                self.since = None
            elif self.since is None:
                self.since = arrived  # its text waits from when the piece arrived, not from when it was read
        if inspection.action is not Action.BLOCK and self.held > self.limit:
            result = ChainResult(Action.BLOCK, "", (Verdict(Action.BLOCK, None, HELD_TOO_MUCH),), (HELD_TOO_MUCH,))
            return Inspection(Action.BLOCK, payload, (*inspection.results, result),
                              sources=(*inspection.sources, ("", "")))
        return inspection

    async def feed_one(self, extracted: Extracted, payload: bytes | str, tag: T) -> ChainResult:
        """`feed` for a piece of one text field (not HTML), without re-encoding it: the chain's result for
        that field, `StreamChain.HELD` itself while its text is gathered (the relay renders what it sends)."""
        found = extracted.fields[0]
        self._latest = extracted
        arrived = time.monotonic() if self.since is None else self.since
        result = await self._chain.run(found.text, found.path, final=False)
        if result.action is Action.BLOCK:
            return result
        return self._kept(extracted, payload, tag, arrived, result)

    def held_one(self, extracted: Extracted, payload: bytes | str, tag: T) -> ChainResult | None:
        """`feed_one` where the chain only gathers the piece's text (`StreamChain.hold`), without a coroutine:
        its result (`StreamChain.HELD`, or a block when too much is held); None (nothing done) otherwise."""
        found = extracted.fields[0]
        arrived = time.monotonic() if self.since is None else self.since
        if not self._chain.hold(found.text, found.path):
            return None
        self._latest = extracted
        return self._kept(extracted, payload, tag, arrived, StreamChain.HELD)

    def _kept(self, extracted: Extracted, payload: bytes | str, tag: T, arrived: float,
              result: ChainResult) -> ChainResult:
        """After the chain took a piece of one field: it is the last piece of its path; the gathering clock."""
        found = extracted.fields[0]
        chain = self._chain
        last = self._last
        last[found.path] = (extracted, 0, tag, len(payload))
        if chain.batch > 1:
            if not chain.gathered:
                self.since = None
            elif self.since is None:
                self.since = arrived
        if (len(payload) if len(last) == 1 else self.held) > self.limit:  # one path: its piece alone
            return ChainResult(Action.BLOCK, "", (Verdict(Action.BLOCK, None, HELD_TOO_MUCH),), (HELD_TOO_MUCH,))
        return result

    async def flush(self, spread: Container[str] = ()) -> list[Tail[T]]:
        """The text gathered for each field path, through the chain now (`limits.stream_flush` is up);
        as in `close`, one piece per path, stopping at the first one a filter blocks. `spread`: paths whose
        text the caller puts in pieces of its own (their tails carry no rendered piece)."""
        paths = [path for path in self._chain.gathered_paths() if path in self._last]
        self.since = None
        return await self._tails(paths, final=False, spread=spread)

    async def close(self, spread: Container[str] = ()) -> list[Tail[T]]:
        """End of stream: per field path, its held tail; stops at the first tail a filter blocks."""
        tails = await self._tails(list(self._last), final=True, spread=spread)
        self._last.clear()
        self.since = None
        return tails

    async def _tails(self, paths: list[str], *, final: bool, spread: Container[str]) -> list[Tail[T]]:
        tails: list[Tail[T]] = []
        for path in paths:
            extracted, index, tag, _ = self._last[path]
            result = await self._chain.run("", path, final=final, flush=True)
            payload: bytes | str = b""
            if result.action is not Action.BLOCK and result.text and path not in spread:
                others = {i: "" for i in range(len(extracted.fields)) if i != index}
                payload = extracted.render({**others, index: result.text})
            latest = extracted is self._latest and len(extracted.fields) == 1
            tails.append(Tail(Inspection(result.action, payload, (result,), sources=((path, ""),)), tag, latest))
            if result.action is Action.BLOCK:
                break
        return tails


class Held[P]:
    """Pieces a relay holds back, in order, while text is gathered (`FieldStreams.gathering`).

    `latest` says whether the last one held is the last piece fed to the streams and its one text
    field goes out empty (so a flushed tail marked `Tail.latest` may take its place); `size` counts
    what they hold (bytes)."""

    __slots__ = ("latest", "pieces", "size")

    def __init__(self) -> None:
        self.pieces: list[P] = []
        self.latest = False
        self.size = 0

    def add(self, piece: P, size: int, *, latest: bool) -> None:
        self.pieces.append(piece)
        self.size += size
        self.latest = latest

    def take(self) -> list[P]:
        """Every piece held, in order; none is held after."""
        pieces, self.pieces = self.pieces, []
        self.latest = False
        self.size = 0
        return pieces


def emptied(inspection: Inspection) -> bool:
    """Whether a piece had one text field and it goes out empty (its text held or gathered, or none)."""
    return len(inspection.results) == 1 and not inspection.results[0].text
