"""One WebSocket direction's frames through codec and chain, with what is fixed per connection looked up once.

`inspect_message` is the path every payload can take (E2EE policy, envelopes opened, fields sealed);
a connection whose route does none of that in this direction skips straight to the codec and the
chain, which is what most frames of most routes need. Both give the same `Inspection` for a frame.
"""

from __future__ import annotations

from filters import Channel, Direction
from gateway.codec import Codec, CodecError
from gateway.e2ee.policy import E2EERefusal
from gateway.inspect import bulk
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, run_fields
from gateway.inspect.message import inspect_message
from gateway.keys import FIELD_CRYPTO, METRICS, TRANSCRIBER

__all__ = ["FrameInspector"]


class FrameInspector:
    """The inspection of one connection's frames going one way; never shared between connections."""

    __slots__ = ("_chain", "_codec", "_direction", "_exchange", "_plain", "_template", "count", "transcribed")

    def __init__(self, exchange: Exchange, direction: Direction, codec: Codec) -> None:
        plan = exchange.plan
        self._exchange = exchange
        self._direction = direction
        self._codec = codec
        self._chain = plan.chain(direction)
        self._template = exchange.message(direction, Channel.WS)
        app = exchange.request.app
        self.count = app[METRICS].count_verdict  # for `enforce.settle.forwarded`, looked up once
        self.transcribed = app.get(TRANSCRIBER) is not None  # mounted once, with the app
        if direction is Direction.INBOUND:  # no E2EE policy to apply, no fields to seal
            self._plain = plan.e2ee is None and plan.seal_codec is None
        else:  # no field envelopes to open (the key service is mounted once, with the app)
            self._plain = exchange.request.app.get(FIELD_CRYPTO) is None

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
