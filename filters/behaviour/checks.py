"""The four behaviour checks. Each records the message in the store and reports what it saw.

Counts are kept per scope: the (subject, address) pair in one room, the subject across
addresses (rotating addresses does not reset anything) and the address across subjects
(a storm from one host). The address limit is set far above the per-subject ones so a
shared NAT or office proxy is not punished for one person's behaviour.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Protocol

from filters._api import Message
from filters.behaviour.baseline import Baseline, observe
from filters.behaviour.fingerprint import bands, normalise
from filters.behaviour.identity import Actor, network, room
from filters.behaviour.options import AnomalyOptions, FloodOptions, NetworkOptions, SpamOptions

PREFIX = "bh:"


class Store(Protocol):
    """The part of the gateway's state store this filter uses (structural: no import of the gateway)."""

    async def hit(self, key: str, window: float, now: float | None = None) -> int: ...
    async def add(self, set_key: str, member: str, ttl: float) -> bool: ...
    async def put(self, key: str, value: bytes, ttl: float) -> None: ...
    async def get(self, key: str) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing a check noticed: a finding type, its score, and whom a ban would fit."""

    type: str
    score: float
    ban: str | None = None  # "pair", "subject" or "address"
    label: str = ""


def _worst(counts: dict[str, tuple[int, int]], kind: str, ban_factor: float) -> Signal | None:
    """The scope most over its limit; `counts` maps scope -> (count, limit)."""
    scope, (count, limit) = max(counts.items(), key=lambda item: item[1][0] / item[1][1])
    if count <= limit:
        return None
    ban = scope if count >= limit * ban_factor else None
    return Signal(kind, 1.0, ban, f"{kind}:{scope}")


async def flood(store: Store, opts: FloodOptions, actor: Actor, message: Message, now: float) -> Signal | None:
    window = float(opts.window)
    in_room, by_subject, by_address = await asyncio.gather(
        store.hit(f"{PREFIX}flood:pair:{actor.pair}:{room(message)}", window, now),
        store.hit(f"{PREFIX}flood:subject:{actor.subject}", window, now),
        store.hit(f"{PREFIX}flood:address:{actor.address}", window, now),
    )
    return _worst({"pair": (in_room, opts.per_room), "subject": (by_subject, opts.per_subject),
                   "address": (by_address, opts.per_address)}, "flood", opts.ban_factor)


async def spam(store: Store, opts: SpamOptions, actor: Actor, message: Message, now: float) -> Signal | None:
    if len(normalise(message.text)) < opts.min_length:
        return None
    window = float(opts.window)
    keys = bands(message.text)
    scopes = {
        "pair": f"{PREFIX}spam:pair:{actor.pair}:{room(message)}:",
        "subject": f"{PREFIX}spam:subject:{actor.subject}:",
        "address": f"{PREFIX}spam:address:{actor.address}:",
    }
    counts = await asyncio.gather(*(store.hit(base + band, window, now)
                                    for base in scopes.values() for band in keys))
    per = len(keys)
    limits = {"pair": opts.per_room, "subject": opts.per_subject, "address": opts.per_address}
    found = {scope: (max(counts[i * per:(i + 1) * per]), limits[scope]) for i, scope in enumerate(scopes)}
    return _worst(found, "spam", opts.ban_factor)


async def new_network(store: Store, opts: NetworkOptions, actor: Actor, message: Message,
                      now: float) -> Signal | None:
    """Only subjects with a history can be new somewhere; the first sighting just learns."""
    if not actor.known:
        return None
    ttl = float(opts.remember)
    net = network(message.client or "unknown", opts.ipv4_prefix, opts.ipv6_prefix)
    agent = str(message.metadata.get("user_agent", "") or "")
    client = hashlib.blake2b(agent.encode(), digest_size=8).hexdigest()
    seen_key = f"{PREFIX}seen:{actor.subject}"
    known = await store.get(seen_key) is not None
    new_net, new_client = await asyncio.gather(
        store.add(f"{PREFIX}nets:{actor.subject}", net, ttl),
        store.add(f"{PREFIX}clients:{actor.subject}", client, ttl),
    )
    await store.put(seen_key, b"1", ttl)
    if not known or not (new_net or (new_client and agent)):
        return None
    return Signal("new_network", opts.score, None, "new_network" if new_net else "new_client")


def message_size(message: Message) -> int:
    """The text's length; for an end-to-end encrypted message, whose text nobody may read, the size
    of its payload (the gateway passes it as `metadata["size"]` with `metadata["e2ee"]`)."""
    size = message.metadata.get("size") if message.metadata.get("e2ee") else None
    return size if isinstance(size, int) and not isinstance(size, bool) else len(message.text)


async def anomaly(store: Store, opts: AnomalyOptions, actor: Actor, message: Message,
                  now: float) -> Signal | None:
    """Learns every message; flags one far above the subject's own rate or size, or on a route the
    subject never used, once trained.

    The read-update-write of the baseline is not atomic across gateways; a lost update
    only makes the baseline slightly less precise, never lets a message through unchecked.
    """
    if not actor.known:
        return None
    key = f"{PREFIX}base:{actor.subject}"
    before = Baseline.from_bytes(await store.get(key))
    after, rate_dev, size_dev = observe(before, now, message_size(message), opts.alpha, opts.deviations)
    route = message.route
    if route:
        after = after.used(route, now, float(opts.remember), opts.max_routes)
    await store.put(key, after.to_bytes(), float(opts.remember))
    if before.samples < opts.min_samples:
        return None
    found: list[Signal] = []
    worst = max(rate_dev, size_dev)
    if worst >= opts.deviations:
        score = min(0.9, 0.5 * worst / opts.deviations)  # alerts; blocking is left to the response bands
        found.append(Signal("anomaly", round(score, 3), None,
                            "anomaly:rate" if rate_dev >= size_dev else "anomaly:size"))
    if route and opts.new_route > 0 and not before.knows(route):
        found.append(Signal("anomaly", opts.new_route, None, "anomaly:route"))
    return max(found, key=lambda signal: signal.score, default=None)
