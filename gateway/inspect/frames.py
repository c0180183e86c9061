"""One WebSocket direction's frames through codec and chain, with what is fixed per connection looked up once.

`inspect_message` is the path every payload can take (E2EE policy, envelopes opened, fields sealed);
a connection whose route does none of that in this direction skips straight to the codec and the
chain, which is what most frames of most routes need. Both give the same `Inspection` for a frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from filters import Action, ChainResult, Channel, Direction
from gateway.codec import Codec, CodecError, TextField
from gateway.e2ee.policy import E2EERefusal
from gateway.inspect import bulk
from gateway.inspect.exchange import Exchange
from gateway.inspect.html_fields import HTML_KEYS, is_html
from gateway.inspect.inspection import YIELD_AFTER, Inspection, field_message, run_fields
from gateway.inspect.message import codec_and_chain_only, inspect_message
from gateway.keys import METRICS, TRANSCRIBER

__all__ = ["FrameInspector"]

_HTML_ENDINGS = tuple(HTML_KEYS)  # what a path `is_html` reads must end with: one C call rules most out


class FrameInspector:
    """The inspection of one connection's frames going one way; never shared between connections."""

    __slots__ = ("_batch_from", "_chain", "_codec", "_count_passes", "_direction", "_exchange", "_fused", "_passed",
                 "_passes", "_plain", "_steps", "_template", "count", "transcribed")

    def __init__(self, exchange: Exchange, direction: Direction, codec: Codec) -> None:
        plan = exchange.plan
        self._exchange = exchange
        self._direction = direction
        self._codec = codec
        self._chain = plan.chain(direction)
        self._template = exchange.message(direction, Channel.WS)
        self._steps = self._chain.steps_for(direction)
        self._passed = tuple(step.passed for step in self._steps)  # the verdicts of a frame all passed
        self._batch_from = self._chain.batch_from(direction)  # fixed with the chain
        app = exchange.request.app
        metrics = app[METRICS]
        self.count = metrics.count_verdict  # for `enforce.settle.forwarded`, looked up once
        # What `forwarded` counts for a field every filter passed, counted at once for all the frame's fields.
        self._count_passes = metrics.count_verdicts
        self._passes = tuple((plan.name, step.name, "pass") for step in self._steps)
        self.transcribed = app.get(TRANSCRIBER) is not None  # mounted once, with the app
        self._plain = codec_and_chain_only(exchange, direction)
        self._fused = self._plain and not self.transcribed  # `relay` may decide a frame itself

    async def relay(self, data: str | bytes) -> bytes | Inspection | CodecError | E2EERefusal:
        """The bytes to forward for a frame every filter passed as it came, with nothing else to do for it
        (what `enforce.settle.forwarded` would give, already counted); else what `inspect` gives.

        Most frames: one text frame, a field or two, every filter answering `PASS` at once. For them the
        steps run here, one after another, building no chain result or inspection; at the first step
        that answers anything else (or awaits) the general loop takes over from that very step, with
        what was decided so far, so no filter runs twice."""
        if not self._fused or type(data) is not str or len(data) >= bulk.THREAD_FROM:
            return await self.inspect(data)
        try:
            extracted = self._codec.extract_frame(data)
        except CodecError as exc:
            return exc
        fields = extracted.fields
        chain, template = self._chain, self._template
        chars = 0
        for found in fields:
            if found.path.endswith(_HTML_ENDINGS) and is_html(found.path):
                return await run_fields(extracted, data, chain, template)
            chars += len(found.text)
        least = self._batch_from
        if least is not None and chars >= least:  # the worker-process batch may take it
            return await run_fields(extracted, data, chain, template)
        steps, begin = self._steps, chain.begin
        spents: list[float] = []  # CPU per field decided so far: their chain results, should they be needed
        computed = 0.0
        for found in fields:
            message = field_message(template, found)
            spent = 0.0
            number = 0
            for step in steps:
                called = begin(step, message)
                if type(called) is not tuple or called[0] is not step.passed:
                    prior = self._prior(fields, spents)
                    prior.append(await chain.resume(message, number, called, spent))
                    return await run_fields(extracted, data, chain, template, prior=prior)
                spent += called[2]
                number += 1
            spents.append(spent)
            computed += spent
            if computed >= YIELD_AFTER:
                computed = 0.0
                await asyncio.sleep(0)  # as between the fields of any payload
        self._count_passes(self._passes, len(fields))
        return data.encode()

    def _prior(self, fields: Sequence[TextField], spents: list[float]) -> list[ChainResult]:
        """The chain results of the first fields, which every filter passed at once (`spents`: their CPU)."""
        passed = self._passed
        return [ChainResult(Action.PASS, found.text, passed, (), spent) for found, spent in zip(fields, spents,
                                                                                                  strict=False)]

    async def inspect(self, data: str | bytes) -> Inspection | CodecError | E2EERefusal:
        """What `inspect_message` gives for the frame `data`."""
        if not self._plain:
            return await inspect_message(self._exchange, self._direction, self._codec, data, frame=True,
                                         channel=Channel.WS)
        try:  # a large frame is read on the codec thread (`bulk`); most are read here, without a coroutine
            extracted = self._codec.extract_frame(data) if len(data) < bulk.THREAD_FROM else \
                await bulk.extract(self._codec, data, frame=True)
        except CodecError as exc:
            return exc
        return await run_fields(extracted, data, self._chain, self._template)
