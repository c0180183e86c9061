"""One WebSocket direction's frames through codec and chain, with what is fixed per connection looked up once.

`inspect_message` is the path every payload can take (E2EE policy, envelopes opened, fields sealed);
a connection whose route does none of that in this direction skips straight to the codec and the
chain, which is what most frames of most routes need. Both give the same `Inspection` for a frame.

A chat client sends its frames in one shape or a few, and hears back in a few more; on that path a text
frame of a JSON shape this direction already read is read through it (`gateway.codec.shapes`: the strings
where text is read checked against JSON's grammar and decoded, not the whole document parsed and walked).
The shapes are kept from the connection's first text frame on, so a socket that stays idle keeps none, and
each keeps at most `shapes._KEPT_CHARS` characters around its fields (a few KB per socket at worst).
"""

from __future__ import annotations

from filters import Channel, Direction
from gateway.codec import Codec, CodecError, Extracted
from gateway.codec.shapes import Shapes
from gateway.e2ee.policy import E2EERefusal
from gateway.inspect import bulk
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, run_fields
from gateway.inspect.message import codec_and_chain_only, inspect_message
from gateway.inspect.passing import one_passed_now, passed_at_once
from gateway.keys import METRICS, TRANSCRIBER

__all__ = ["FrameInspector"]


class FrameInspector:
    """The inspection of one connection's frames going one way; never shared between connections."""

    __slots__ = ("_batch_from", "_chain", "_codec", "_count_passes", "_direction", "_exchange", "_fused", "_passes",
                 "_plain", "_shaped", "_shapes", "_steps", "_template", "count", "transcribed")

    def __init__(self, exchange: Exchange, direction: Direction, codec: Codec) -> None:
        plan = exchange.plan
        self._exchange = exchange
        self._direction = direction
        self._codec = codec
        self._chain = plan.chain(direction)
        self._template = exchange.message(direction, Channel.WS)
        self._steps = self._chain.steps_for(direction)
        self._batch_from = self._chain.batch_from(direction)  # fixed with the chain
        app = exchange.request.app
        metrics = app[METRICS]
        self.count = metrics.count_verdict  # for `enforce.settle.forwarded`, looked up once
        # What `forwarded` counts for a field every filter passed, counted at once for all the frame's fields.
        self._count_passes = metrics.count_verdicts
        self._passes = plan.passes[direction]
        self.transcribed = app.get(TRANSCRIBER) is not None  # mounted once, with the app
        self._plain = codec_and_chain_only(exchange, direction)
        self._fused = self._plain and not self.transcribed  # `relay` may decide a frame itself
        self._shapes: Shapes | None = None  # this direction's JSON frame shapes (`_extract`)
        self._shaped = False  # whether `_shapes` was asked of the codec yet (at the first text frame)

    async def relay(self, data: str | bytes) -> bytes | Inspection | CodecError | E2EERefusal:
        """The bytes to forward for a frame every filter passed as it came, with nothing else to do for it
        (what `enforce.settle.forwarded` would give, already counted); else what `inspect` gives.

        Most frames: one text frame, a field or two, every filter answering `PASS` at once: the steps
        run in place (`passed_at_once`), building no chain result or inspection."""
        if not self._fused or type(data) is not str or len(data) >= bulk.THREAD_FROM:
            return await self.inspect(data)
        try:
            shapes = self._shapes  # a frame of the one-field shape read last (most frames): no `Extracted` made
            if shapes is not None and (found := shapes.one(data)) is not None:
                handed = one_passed_now(data, data, found, self._chain, self._steps, self._template, self._batch_from)
                if handed is not None:
                    return await handed
                self._count_passes(self._passes, 1)
                return data.encode()
            extracted = self._extract(data)
            decided = await passed_at_once(extracted, data, self._chain, self._steps, self._template, self._batch_from)
        except CodecError as exc:  # unreadable, or an HTML field that cannot be read as plain letters
            return exc
        if decided is not None:
            return decided
        self._count_passes(self._passes, len(extracted.fields))
        return data.encode()

    async def inspect(self, data: str | bytes) -> Inspection | CodecError | E2EERefusal:
        """What `inspect_message` gives for the frame `data`."""
        if not self._plain:
            return await inspect_message(self._exchange, self._direction, self._codec, data, frame=True,
                                         channel=Channel.WS)
        try:  # a large frame is read on the codec thread (`bulk`); most are read here, without a coroutine
            if len(data) >= bulk.THREAD_FROM:
                extracted = await bulk.extract(self._codec, data, frame=True)
            else:
                extracted = self._extract(data) if type(data) is str else self._codec.extract_frame(data)
            return await run_fields(extracted, data, self._chain, self._template)
        except CodecError as exc:  # unreadable, or an HTML field that cannot be read as plain letters
            return exc

    def _extract(self, text: str) -> Extracted:
        """`Codec.extract_frame` for the text frame `text`, through a shape this direction read before when
        it has one (the same fields, the same refusals past the caps); a frame read whole teaches its shape."""
        shapes = self._shapes
        if shapes is None:
            if self._shaped:
                return self._codec.extract_frame(text)
            self._shaped = True
            shapes = self._shapes = self._codec.shapes()
            if shapes is None:
                return self._codec.extract_frame(text)
        known = shapes.extract(text)
        if known is not None:
            return known
        extracted = self._codec.extract_frame(text)
        shapes.learn(text, extracted)
        return extracted

