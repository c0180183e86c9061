"""One message through everything the gateway does to it, short of the decision: the route's E2EE
policy, envelopes opened (answers) or fields sealed (requests), and the filter chain.

The proxies call `inspect_message` per HTTP body and WebSocket frame and hand what it returns to
`gateway.enforce.settle.enforce`: an `Inspection`, a `CodecError` (unreadable, or a field that
cannot be sealed) or an `E2EERefusal`. Encrypted client messages are never altered; the chain
still sees them once as metadata (empty text; `e2ee`, `size` in `Message.metadata`), so rate
and behaviour checks count them like any other message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from types import MappingProxyType

from filters import Action, Chain, Channel, Direction, Message
from gateway.codec import Codec, CodecError
from gateway.e2ee.fields import SealUnavailable
from gateway.e2ee.policy import E2EERefusal
from gateway.e2ee.recognise import Kind
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, inspect
from gateway.keys import FIELD_CRYPTO, METRICS

__all__ = ["Opener", "codec_and_chain_only", "inspect_message", "opener"]

type Opener = Callable[[str], Awaitable[str]]

log = logging.getLogger("chatguard.e2ee")
_NO_KINDS: frozenset[Kind] = frozenset()  # a message no E2EE policy looked at


def codec_and_chain_only(exchange: Exchange, direction: Direction) -> bool:
    """Whether `inspect_message` does nothing for this direction beyond codec and chain: inbound, no E2EE
    policy and no fields to seal; outbound, no field envelopes to open (the key service is mounted once,
    with the app). The fast paths for bodies and frames go straight to codec and chain then."""
    plan = exchange.plan
    if direction is Direction.INBOUND:
        return plan.e2ee is None and plan.seal_codec is None
    return exchange.request.app.get(FIELD_CRYPTO) is None


async def inspect_message(exchange: Exchange, direction: Direction, codec: Codec, payload: bytes | str, *,
                          content_type: str | None = None, frame: bool = False,
                          channel: Channel = Channel.HTTP) -> Inspection | CodecError | E2EERefusal:
    plan = exchange.plan
    app = exchange.request.app
    template = exchange.message(direction, channel)
    chain = plan.chain(direction)
    crypto = app.get(FIELD_CRYPTO)
    kinds: frozenset[Kind] = _NO_KINDS
    try:
        if direction is Direction.INBOUND and plan.e2ee is not None:
            kinds, refusal = plan.e2ee.check(exchange.params, payload)
            for kind in kinds - {Kind.NONE}:
                app[METRICS].e2ee_messages.labels(plan.name, kind.value).inc()
            if refusal is not None:
                return refusal
        if direction is Direction.OUTBOUND and crypto is not None:
            payload = await crypto.open(codec, payload, exchange.params.get("room"), FailureLog(exchange),
                                        content_type=content_type, frame=frame)
        inspection = await inspect(codec, chain, payload, template, content_type=content_type, frame=frame)
        if kinds and Kind.ENCRYPTED in kinds and inspection.action is not Action.BLOCK:
            inspection = await _metadata(inspection, chain, template, payload)
        if direction is Direction.INBOUND and plan.seal_codec is not None and inspection.action is not Action.BLOCK:
            if crypto is None:  # encrypt_fields without the key service (added by a reload): never store plaintext
                raise SealUnavailable("field encryption is not available")
            if plan.settings.encrypt_fields.xmpp:
                sealed = await crypto.seal_xmpp(plan.seal_codec, inspection.payload, exchange.conversation,
                                                frame=frame)
            else:
                sealed = await crypto.seal(plan.seal_codec, plan.seal_pointers, inspection.payload,
                                           exchange.conversation, content_type=content_type, frame=frame)
            inspection = replace(inspection, payload=sealed, original=inspection.original or payload)
    except CodecError as exc:
        return exc
    return inspection


def opener(exchange: Exchange, codec: Codec) -> Opener | None:
    """For streamed answers (SSE events, token-streamed WebSocket frames): a function opening the
    envelopes in one piece's text before the stream's filters see it; None without field encryption."""
    crypto = exchange.request.app.get(FIELD_CRYPTO)
    if crypto is None:
        return None
    room = exchange.params.get("room")
    failed = FailureLog(exchange)

    async def open_piece(data: str) -> str:
        opened = await crypto.open(codec, data, room, failed, frame=True)
        return opened if isinstance(opened, str) else opened.decode()
    return open_piece


async def _metadata(inspection: Inspection, chain: Chain, template: Message, payload: bytes | str) -> Inspection:
    """An encrypted message seen by the chain as what can be seen: sender, room, size, time."""
    seen = Message(text="", direction=template.direction, channel=template.channel, route=template.route,
                   field="e2ee", principal=template.principal, conversation=template.conversation,
                   client=template.client, metadata=MappingProxyType({**template.metadata, "e2ee": True, "size": len(payload)}))
    result = await chain.run(seen)
    if result.action is Action.BLOCK:
        return Inspection(Action.BLOCK, inspection.payload, (*inspection.results, result))
    return replace(inspection, results=(*inspection.results, result))


class FailureLog:
    """Counts and logs envelopes that did not open (reason only: never content, never key material)."""

    __slots__ = ("exchange",)

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def __call__(self, reason: str) -> None:
        exchange = self.exchange
        exchange.request.app[METRICS].envelope_failures.labels(exchange.plan.name, reason).inc()
        log.warning("field envelope left sealed", extra={"fields": {
            "request_id": exchange.request_id, "route": exchange.plan.name, "reason": reason}})

