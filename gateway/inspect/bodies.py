"""One HTTP body through codec and chain, skipping what the route does not use.

`inspect_message` is the path every payload can take (E2EE policy, envelopes opened, fields sealed);
a body on a route that does none of that in its direction goes straight to the codec and the chain,
which is what most routes need. Both give the same `Inspection` (see tests/gateway/inspect/test_bodies.py).
`relay_body` goes one step further for the body every filter passes at once: it gives the bytes to
forward, as `enforce.settle.forwarded` would, without building the inspection.
"""

from __future__ import annotations

from filters import Chain, Channel, Direction, Step
from gateway.codec import Codec, CodecError
from gateway.e2ee.policy import E2EERefusal
from gateway.inspect import bulk
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, run_fields
from gateway.inspect.message import codec_and_chain_only, inspect_message
from gateway.inspect.passing import one_passed_now, passed_at_once, reads_html
from gateway.keys import GUARD, METRICS, TRANSCRIBER

__all__ = ["inspect_body", "relay_body"]


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
    try:  # an HTML field that cannot be read as plain letters (`as_read`) is refused, as `inspect_message` does
        return await run_fields(extracted, body, exchange.plan.chain(direction), exchange.message(direction))
    except CodecError as exc:
        return exc


async def relay_body(exchange: Exchange, direction: Direction, codec: Codec, body: bytes,
                     content_type: str | None) -> bytes | Inspection | CodecError | E2EERefusal:
    """`body` itself when every filter passed each of its fields at once and nothing else follows from it
    (what `forwarded` would give, its verdicts counted as `forwarded` counts them); else what
    `inspect_body` gives, for `forwarded` and `enforce` to decide. A route with a transcriber, a body
    read on the codec thread, or one `inspect_message` has more to do for, takes `inspect_body`."""
    app = exchange.request.app
    if len(body) >= bulk.THREAD_FROM or app.get(TRANSCRIBER) is not None \
            or not codec_and_chain_only(exchange, direction):
        return await inspect_body(exchange, direction, codec, body, content_type)
    chain = exchange.plan.chain(direction)
    steps = chain.steps_for(direction)
    guard = app.get(GUARD)  # a body of a shape this client sent (or was sent) before is read without a parse
    shapes = guard.shapes(exchange.request) if guard is not None else None
    try:
        shaped = shapes.of(codec) if shapes is not None else None  # asked once per body: it counts the bodies
        if steps and shaped is not None and (one := codec.one_http(body, content_type, shaped)) is not None:
            return await _one_relayed(exchange, direction, body, one, chain, steps)
        extracted = codec.extract_http(body, content_type, shaped)
        fields = extracted.fields
        if not steps and not reads_html(fields):
            return body  # no filter: every field passes as it is, and there is no verdict to count
        # The first field's message stands for the template (`passed_at_once`): one message fewer per body.
        template = exchange.field_message(direction, Channel.HTTP, fields[0].text, fields[0].path) if fields \
            else exchange.message(direction)
        inspection = await passed_at_once(extracted, body, chain, steps, template, chain.batch_from(direction))
    except CodecError as exc:  # unreadable, or an HTML field that cannot be read as plain letters
        return exc
    if inspection is not None:
        return inspection
    if fields:
        app[METRICS].count_verdicts(exchange.plan.passes[direction], len(fields))
    return body


async def _one_relayed(exchange: Exchange, direction: Direction, body: bytes,
                       one: tuple[str, tuple[str, str, int, int], str], chain: Chain,
                       steps: tuple[Step, ...]) -> bytes | Inspection:
    """`relay_body` for a body of the one-field shape its connection read last (`Codec.one_http`): decided
    without an `Extracted` (`one_passed_now`), the field's message standing for the template."""
    text, found, charset = one
    template = exchange.field_message(direction, Channel.HTTP, found[1], found[0])
    decided = one_passed_now(body, text, found, chain, steps, template, chain.batch_from(direction), charset)
    if decided is not None:
        return await decided
    exchange.request.app[METRICS].count_verdicts(exchange.plan.passes[direction], 1)
    return body
