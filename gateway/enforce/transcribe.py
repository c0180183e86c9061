"""The transcript step of enforcement: every message's final fate goes to the sink, never waiting for it.

`Transcriber.record` runs once the enforcement of a message is final (countermeasures settled)
and before the proxies apply it. It resolves the route's policy, builds the records
(`gateway.transcripts.capture`) and offers them to the bounded sink, which answers at once.
When the queue is full the route's `on_backlog` decides: `drop` forwards the message without its
transcript (the sink counts and alerts), `refuse` turns a message that would have gone on into a
503 (HTTP) or the route's `on_block` handling (WebSocket), because for that route a message
without its transcript is worse than no message. A message that was refused anyway stays refused.
"""

from __future__ import annotations

import time

from filters import Direction
from gateway.enforce.decide import Result, refused
from gateway.enforce.enforcement import Enforcement
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.transcripts.capture import Envelope, blocked, records
from gateway.transcripts.config import Policy
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.sink import TranscriptSink

__all__ = ["NOT_RECORDED", "Transcriber"]

NOT_RECORDED = "service unavailable: the transcript of this message cannot be kept"


class Transcriber:
    """The sink, and each route's policy resolved from the live runtime (so a reload that changes
    `transcripts:` policies takes effect for new messages; the database itself needs a restart)."""

    def __init__(self, sink: TranscriptSink) -> None:
        self.sink = sink
        self._policies: dict[int, tuple[object, Policy]] = {}

    def policy(self, exchange: Exchange) -> Policy:
        plan = exchange.plan
        cached = self._policies.get(id(plan))
        if cached is None or cached[0] is not plan:  # ids are reused once a retired runtime is freed
            if len(self._policies) > 4096:
                self._policies.clear()
            default: Policy = exchange.runtime.settings.transcripts.default
            own = plan.settings.transcripts
            cached = self._policies[id(plan)] = (plan, own.over(default) if own is not None else default)
        return cached[1]

    def record(self, exchange: Exchange, direction: Direction, result: Result,
               enforcement: Enforcement) -> Enforcement:
        """Offer the message's records; returns `enforcement`, or a refusal under `on_backlog: refuse`."""
        policy = self.policy(exchange)
        if not policy.records:
            return enforcement
        found = self._records(exchange, direction, result, enforcement, policy)
        if not found or self.sink.offer(found, exchange.plan.name, policy.on_backlog):
            return enforcement
        if policy.on_backlog != "refuse" or not enforcement.forwards:
            return enforcement
        return refused(exchange, NOT_RECORDED, 503, enforcement.audit)

    @staticmethod
    def _records(exchange: Exchange, direction: Direction, result: Result,
                 enforcement: Enforcement, policy: Policy) -> list[TranscriptRecord]:
        principal = exchange.principal
        envelope = Envelope(
            conversation=exchange.conversation, route=exchange.plan.name, direction=direction.value,
            channel=exchange.channel.value, subject=principal.subject,
            roles=tuple(sorted(r for r in principal.roles if ":" not in r)),  # roles, not the permissions
            request_id=exchange.request_id, ts=time.time())
        if isinstance(result, Inspection):
            return records(envelope, result, forwarded=enforcement.forwards, keep_original=policy.store == "full")
        if enforcement.forwards:
            return []  # an access check that let the message on: its inspection records it
        return [blocked(envelope)]
