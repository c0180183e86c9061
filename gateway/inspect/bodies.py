"""One HTTP body through codec and chain, skipping what the route does not use.

`inspect_message` is the path every payload can take (E2EE policy, envelopes opened, fields sealed);
a body on a route that does none of that in its direction goes straight to the codec and the chain,
which is what most routes need. Both give the same `Inspection` (see tests/gateway/inspect/test_bodies.py).
"""

from __future__ import annotations

from filters import Direction
from gateway.codec import Codec, CodecError
from gateway.e2ee.policy import E2EERefusal
from gateway.inspect import bulk
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, run_fields
from gateway.inspect.message import codec_and_chain_only, inspect_message

__all__ = ["inspect_body"]


async def inspect_body(exchange: Exchange, direction: Direction, codec: Codec, body: bytes,
                       content_type: str | None) -> Inspection | CodecError | E2EERefusal:
    """What `inspect_message` gives for the HTTP body `body` read with `codec`."""
    if not codec_and_chain_only(exchange, direction):
        return await inspect_message(exchange, direction, codec, body, content_type=content_type)
    try:  # a large body is read on the codec thread (`bulk`); most are read here, without a coroutine
        extracted = codec.extract_http(body, content_type) if len(body) < bulk.THREAD_FROM else \
            await bulk.extract(codec, body, content_type)
    except CodecError as exc:
        return exc
    return await run_fields(extracted, body, exchange.plan.chain(direction), exchange.message(direction))
