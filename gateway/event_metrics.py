"""Audited events counted as metrics: sign-in outcomes, bans and throttles.

Sign-ins, second factors, lockouts and the countermeasures raised are audited where they happen (on the
`chatguard.audit` logger, with user names and addresses). Counting them from that one stream keeps the
metric and the record from drifting apart: every counted outcome is in the trail and vice versa. Only
the event name and the list of actions are read, never a user, address or token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from gateway.metrics import Metrics

AUDIT_LOGGER = "chatguard.audit"

# event name -> (counter attribute of Metrics, label value)
AUTH_EVENTS: dict[str, tuple[str, str]] = {
    "auth.login": ("logins", "ok"),
    "auth.login_failed": ("logins", "failed"),
    "auth.locked": ("logins", "locked"),
    "auth.lockout": ("logins", "locked"),
    "auth.banned": ("logins", "banned"),
    "auth.mfa_passed": ("mfa", "ok"),
    "auth.mfa_failed": ("mfa", "failed"),
    "auth.recovery_code": ("mfa", "recovery_code"),
    "auth.refresh_reuse": ("tokens_refused", "refresh_reuse"),
    "auth.delegate_refused": ("tokens_refused", "delegate_refused"),
}
BAN_KINDS = {"ip": "address", "subject": "subject", "pair": "pair"}


def ban_kind(key: object) -> str:
    """`ip:203.0.113.5` -> `address`: the kind of a ban key, never the address or name in it."""
    prefix = str(key).split(":", 1)[0]
    return BAN_KINDS.get(prefix, "other")


def _event(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    if isinstance(fields, dict) and "event" in fields:
        return fields
    return {"event": getattr(record, "event", None), "actions": getattr(record, "actions", None)}


class EventCounter(logging.Handler):
    """A handler on the audit logger that turns known events into counter increments."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(logging.INFO)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event = _event(record)
            name = event.get("event")
            if name in AUTH_EVENTS:
                counter, value = AUTH_EVENTS[name]
                getattr(self.metrics, counter).labels(value).inc()
            elif name == "auth.abuse":  # credential stuffing or spraying: the address is banned
                self.metrics.bans.labels("address").inc()
            elif name == "threat.response":
                for action, raised_counter in (("ban", self.metrics.bans), ("throttle", self.metrics.throttles)):
                    raised = event.get(action)
                    if isinstance(raised, dict):
                        raised_counter.labels(ban_kind(raised.get("key"))).inc()
        except Exception:  # counting must never break the request that was audited
            self.handleError(record)


def event_counter_context(metrics: Metrics) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context: count events while the app runs (the logger passes INFO meanwhile)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        logger = logging.getLogger(AUDIT_LOGGER)
        handler = EventCounter(metrics)
        previous = logger.level
        if logger.getEffectiveLevel() > logging.INFO or logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous)

    return context
