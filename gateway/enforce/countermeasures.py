"""Turning a chain decision into countermeasures: ban, throttle, alert, step-up, quarantine.

`Responder.respond` runs after the chain, in `gateway.enforce.settle`. It maps the verdict's
score to the route's band of actions, adds what the filters hinted (ban, alert, step-up),
applies the stateful ones (bans, throttles, quarantine) through the state store and
returns an `Outcome`; `settle.answer` says what it means on the wire. Alerts
never wait on the network: `gateway.enforce.alerts.AlertSender` queues them.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Literal

import orjson

from filters import Hints
from gateway.access.shield import address_key, pair_key, subject_key, throttle_key
from gateway.enforce.alerts import AlertSender
from gateway.enforce.settings import BanPolicy, ResponseSettings
from gateway.state import Ban, StateStore

audit = logging.getLogger("chatguard.audit")

_YEARS = 10 * 365 * 86400.0


@dataclass(frozen=True, slots=True)
class Offender:
    """Whom a decision is about, and where."""

    client: str
    subject: str
    route: str = ""
    request_id: str = ""
    # What a quarantined message needs to be delivered later: how it came and where it was going.
    channel: Literal["http", "ws"] = "http"
    direction: Literal["inbound", "outbound"] = "inbound"
    method: str = ""
    target: str = ""  # the client's path and query, without gateway credentials
    content_type: str = ""
    client_key: str = ""  # what bans count by (the address, or its IPv6 /64); empty: the address itself

    @property
    def anonymous(self) -> bool:
        return not self.subject or self.subject == "anonymous"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the countermeasures did; `gateway.enforce.settle.answer` says what the sender gets."""

    actions: frozenset[str]
    ban: Ban | None = None
    retry_after: float | None = None
    quarantine_id: str | None = None
    request_id: str = ""


def actions_for(settings: ResponseSettings, score: float, hints: Hints) -> frozenset[str]:
    """Every band the score reaches, plus the filters' hints."""
    chosen: set[str] = {a for band in settings.bands if score >= band.min_score for a in band.actions}
    if hints.ban:
        chosen.add("ban")
    if hints.alert:
        chosen.add("alert")
    if hints.step_up:
        chosen.add("step_up")
    return frozenset(chosen)


def ban_key(offender: Offender, labels: tuple[str, ...]) -> str:
    """Narrowest key that fits: the pair by default, the address only for address-wide storms."""
    client = offender.client_key or offender.client
    if offender.anonymous or "ban:address" in labels:
        return address_key(client)
    if "ban:subject" in labels:
        return subject_key(offender.subject)
    return pair_key(offender.subject, client)


async def escalate(store: StateStore, policy: BanPolicy, key: str, reason: str) -> Ban:
    """Ban `key`, longer for each offence remembered."""
    offences = await store.incr(f"offences:{key}", 1, float(policy.memory))
    return await store.ban(key, policy.length(offences), reason)


async def quarantine(store: StateStore, payload: bytes | str, offender: Offender, reason: str,
                     ttl: float) -> str:
    """Hold `payload` for review; returns its id (a sequence number plus a random tag)."""
    number = await store.incr("quarantine:seq", 1, _YEARS)
    item_id = f"{number}-{secrets.token_hex(4)}"
    record = {"id": item_id, "at": time.time(), "route": offender.route, "client": offender.client,
              "subject": offender.subject, "reason": reason, "request_id": offender.request_id,
              "channel": offender.channel, "direction": offender.direction, "method": offender.method,
              "target": offender.target, "content_type": offender.content_type,
              "payload": payload if isinstance(payload, str) else payload.decode("utf-8", "replace")}
    await store.put(f"quarantine:{number}", orjson.dumps(record), ttl)
    return item_id


async def held(store: StateStore, limit: int = 100) -> list[dict[str, object]]:
    """The newest held messages still under review, newest first."""
    top = await store.incr("quarantine:seq", 0, _YEARS)
    found: list[dict[str, object]] = []
    for number in range(top, max(0, top - 4 * limit), -1):
        raw = await store.get(f"quarantine:{number}")
        if raw:
            found.append(orjson.loads(raw))
            if len(found) >= limit:
                break
    return found


async def release(store: StateStore, item_id: str) -> dict[str, object] | None:
    """Take a held message out of quarantine (once); None if unknown, expired or already taken."""
    number, _, _ = item_id.partition("-")
    if not number.isdigit():
        return None
    raw = await store.get(f"quarantine:{number}")
    if not raw:
        return None
    record = orjson.loads(raw)
    if record.get("id") != item_id or not await store.add("quarantine:released", item_id, _YEARS):
        return None
    await store.put(f"quarantine:{number}", b"", 0.001)  # no delete in the store: expire it at once
    return dict(record)


class Responder:
    """Applies one route's response settings; built once, shared by every request."""

    def __init__(self, store: StateStore, settings: ResponseSettings, alerts: AlertSender | None = None) -> None:
        self.store = store
        self.settings = settings
        self.alerts = alerts
        self._routes: dict[ResponseSettings, Responder] = {}

    def for_route(self, settings: ResponseSettings | None) -> Responder:
        """The responder for a route's own bands (None: these), sharing this one's store and alert
        sender, so bans and offences count across routes and alerts keep one queue."""
        if settings is None or settings == self.settings:
            return self
        found = self._routes.get(settings)
        if found is None:
            found = self._routes[settings] = Responder(self.store, settings, self.alerts)
        return found

    async def respond(self, offender: Offender, score: float, hints: Hints, reasons: tuple[str, ...] = (),
                      payload: bytes | str = b"") -> Outcome:
        actions = actions_for(self.settings, score, hints)
        if not actions:
            return Outcome(frozenset(), request_id=offender.request_id)
        reason = "; ".join(reasons)[:200]
        event = {"event": "threat.response", "actions": sorted(actions), "score": round(score, 3),
                 "labels": list(hints.labels), "route": offender.route, "client": offender.client,
                 "subject": offender.subject, "request_id": offender.request_id}
        ban = None
        retry = None
        item = None
        if "ban" in actions:
            ban = await escalate(self.store, self.settings.ban, ban_key(offender, hints.labels), reason)
            event["ban"] = {"key": ban.key, "until": ban.until}
        if "throttle" in actions:
            key = ban_key(offender, hints.labels)
            await self.store.put(throttle_key(key), b"1", float(self.settings.throttle_for))
            retry = float(self.settings.throttle_for)
            event["throttle"] = {"key": key, "until": time.time() + retry}  # the console lists and lifts it
        if "quarantine" in actions and ban is None:
            item = await quarantine(self.store, payload, offender, reason, float(self.settings.quarantine_for))
            event["quarantine"] = item
        audit.info("threat.response", extra={"fields": event})
        if "alert" in actions and self.alerts is not None:
            self.alerts.submit(event)
        return Outcome(actions, ban, retry, item, offender.request_id)
