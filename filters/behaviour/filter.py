"""The `behaviour` filter: flooding, near-duplicate spam, new networks and baseline anomalies.

Unlike content filters it keeps history, in the gateway's shared state store, so every
gateway instance counts the same events. Without a store it cannot judge anything and
refuses every message (the chain then blocks, or skips it on a `fail: open` route).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from filters._api import PASS, Direction, Filter, Finding, Hints, Message, Verdict, block
from filters._context import FilterContext
from filters.behaviour import checks
from filters.behaviour.checks import Signal, Store
from filters.behaviour.identity import Actor
from filters.behaviour.options import BehaviourOptions


class StoreMissing(RuntimeError):
    """The filter was built without a state store: fail closed."""


class BehaviourFilter(Filter[BehaviourOptions]):
    """Judges who sends how much, how repetitively and from where, not what the text says."""

    name = "behaviour"
    Options = BehaviourOptions
    directions = frozenset({Direction.INBOUND})
    description = "behaviour detection: flooding, near-duplicate spam, new networks, baseline anomalies"

    def __init__(self, options: BehaviourOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        self.options.validate("")
        self._store: Store | None = self.context.store

    async def inspect(self, message: Message) -> Verdict:
        stamp = message.metadata.get("received_at")
        now = float(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) else self.context.clock()
        return await self.check(message, now)

    async def check(self, message: Message, now: float) -> Verdict:
        """The verdict for `message` received at `now` (epoch seconds; replays pass recorded times)."""
        store = self._store
        if store is None:
            raise StoreMissing("behaviour filter has no state store")
        opts: BehaviourOptions = self.options
        actor = Actor.of(message)
        runs: list[Awaitable[Signal | None]] = []
        if opts.flood.enabled:
            runs.append(checks.flood(store, opts.flood, actor, message, now))
        if opts.spam.enabled:
            runs.append(checks.spam(store, opts.spam, actor, message, now))
        if opts.new_network.enabled:
            runs.append(checks.new_network(store, opts.new_network, actor, message, now))
        if opts.anomaly.enabled:
            runs.append(checks.anomaly(store, opts.anomaly, actor, message, now))
        signals = [signal for signal in await asyncio.gather(*runs) if signal is not None]
        return self._verdict(signals, len(message.text))

    def _verdict(self, signals: list[Signal], length: int) -> Verdict:
        if not signals:
            return PASS
        opts: BehaviourOptions = self.options
        findings = tuple(Finding(s.type, 0, length, s.score) for s in signals)
        score = max(s.score for s in signals)
        bans = sorted({s.ban for s in signals if s.ban})
        labels = tuple(sorted({s.type for s in signals} | {s.label for s in signals if s.label}
                              | {f"ban:{scope}" for scope in bans}))
        hints = Hints(ban=bool(bans), alert=bool(bans) or score >= opts.alert_score, labels=labels)
        reason = "behaviour: " + ", ".join(sorted(s.label or s.type for s in signals))
        if score >= opts.block_score:
            verdict = block(reason, findings, hints)
        else:
            verdict = Verdict(findings=findings, hints=hints, reason=reason)
        return Verdict(verdict.action, verdict.text, verdict.reason, verdict.findings, verdict.hints, self.name)
