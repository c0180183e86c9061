"""What the Live page shows: blocks, alerts, bans and denials as the audit logger hears them.

A handler on the `chatguard.audit` logger turns the entries that matter to people on duty into
small `LiveEvent`s (never message text: the audit entries hold finding types and counts only),
keeps the newest in a ring and counts alerts per hour and blocks per type for the charts. Readers
(the server-sent event stream) wait on it without polling. Everything is bounded: the ring, the
hours kept, the number of distinct block types.

It hears this process; with several workers it also follows the other workers' audit files
(`siblings`). At start it reads the newest audit entries, so a restart does not blank the page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.audit.handler import AUDIT_LOGGER, record_fields

RING = 500
HOURS = 48
MAX_TYPES = 64
KINDS = ("block", "alert", "ban", "quarantine", "throttle", "deny")
_BLOCKING = {"filter.block": "block", "codec.reject": "block", "inspect.limit": "block", "authz.deny": "deny",
             "auth.abuse": "ban"}


@dataclass(frozen=True, slots=True)
class LiveEvent:
    seq: int
    at: float
    kind: str       # one of KINDS
    route: str
    subject: str
    client: str
    detail: str     # finding types, actions or the rule; never message text

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "kind": self.kind, "route": self.route,
                "subject": self.subject, "client": self.client, "detail": self.detail}


def _detail_of(fields: dict[str, Any]) -> str:
    findings = fields.get("findings")
    if isinstance(findings, dict) and findings:
        return ", ".join(f"{k} x{v}" for k, v in sorted(findings.items()))[:200]
    for key in ("limit", "error", "rule", "reason"):
        if fields.get(key):
            return str(fields[key])[:200]
    return ""


def classify(event: str, fields: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, detail) for an audit entry the Live page shows, None for the rest."""
    if event == "threat.response":
        actions = [str(a) for a in fields.get("actions", ())]
        found: str | None = next((k for k in ("ban", "quarantine", "alert", "throttle", "block")
                                  if k in actions), None)
        if found is None:
            return None
        labels = ", ".join(str(x) for x in fields.get("labels", ()))
        return found, f"{', '.join(actions)} (score {fields.get('score', '?')}{'; ' + labels if labels else ''})"
    kind = _BLOCKING.get(event)
    if kind is None:
        return None
    if kind == "block" and event != "filter.block":
        return kind, f"{event}: {_detail_of(fields)}".rstrip(": ")
    return kind, _detail_of(fields)


class LiveFeed(logging.Handler):
    """Ring of recent events plus hourly counts; `wait` wakes stream readers when something arrives."""

    def __init__(self, size: int = RING) -> None:
        super().__init__(level=logging.INFO)
        self.events: deque[LiveEvent] = deque(maxlen=size)
        self.alerts_per_hour: dict[int, int] = {}
        self.blocks_by_type: Counter[str] = Counter()
        self.throttle_until: dict[str, float] = {}  # throttles set while this process listened
        self.seq = 0
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._previous_level = logging.NOTSET

    # -- life cycle ---------------------------------------------------------------------------------

    def attach(self) -> None:
        """Listen on the audit logger (at INFO at least, as the audit writer does)."""
        self._loop = asyncio.get_running_loop()
        logger = logging.getLogger(AUDIT_LOGGER)
        self._previous_level = logger.level
        logger.addHandler(self)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)

    def detach(self) -> None:
        logger = logging.getLogger(AUDIT_LOGGER)
        logger.removeHandler(self)
        if logger.level == logging.INFO and self._previous_level != logging.INFO:
            logger.setLevel(self._previous_level)
        self.closed = True
        self._changed.set()

    # -- input --------------------------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = record_fields(record)
            event = str(fields.get("event") or record.getMessage())
            self.add(event, fields, record.created)
        except Exception:
            self.handleError(record)

    def add(self, event: str, fields: dict[str, Any], at: float | None = None) -> LiveEvent | None:
        found = classify(event, fields)
        if found is None:
            return None
        kind, detail = found
        at = time.time() if at is None else at
        self.seq += 1
        item = LiveEvent(self.seq, at, kind, str(fields.get("route") or ""),
                         str(fields.get("subject") or fields.get("user") or ""), str(fields.get("client") or ""),
                         detail)
        self.events.append(item)
        self._count(item, event, fields)
        self._wake()
        return item

    def note_throttle(self, key: str, until: float) -> None:
        now = time.time()
        for old in [k for k, u in self.throttle_until.items() if u <= now]:
            del self.throttle_until[old]
        if key in self.throttle_until or len(self.throttle_until) < RING:
            self.throttle_until[key] = until

    def _count(self, item: LiveEvent, event: str, fields: dict[str, Any]) -> None:
        throttle = fields.get("throttle")
        if event == "threat.response" and isinstance(throttle, dict) and isinstance(throttle.get("key"), str):
            self.note_throttle(throttle["key"], float(throttle.get("until") or 0))
        if event == "threat.response" and "alert" in fields.get("actions", ()):
            hour = int(item.at // 3600)
            self.alerts_per_hour[hour] = self.alerts_per_hour.get(hour, 0) + 1
            for old in [h for h in self.alerts_per_hour if h <= hour - HOURS]:
                del self.alerts_per_hour[old]
        if item.kind == "block":
            findings = fields.get("findings")
            names = list(findings) if isinstance(findings, dict) and findings else [event]
            for name in names:
                if name in self.blocks_by_type or len(self.blocks_by_type) < MAX_TYPES:
                    self.blocks_by_type[str(name)] += 1

    def _wake(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._changed.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._changed.set)

    def seed(self, entries: Iterable[dict[str, Any]]) -> None:
        """Earlier entries from the audit file (oldest first), so a restart does not blank the page."""
        for entry in entries:
            try:
                at = datetime.fromisoformat(str(entry.get("ts", "")).replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
            self.add(str(entry.get("event", "")), entry, at)

    # -- output -------------------------------------------------------------------------------------

    def recent(self, route: str = "", kind: str = "", after: int = 0, limit: int = 100) -> list[LiveEvent]:
        """Newest first, filtered by route and kind, only those after sequence number `after`."""
        found = [e for e in reversed(self.events) if e.seq > after and (not route or e.route == route)
                 and (not kind or e.kind == kind)]
        return found[:limit]

    async def wait(self, after: int, *, patience: float) -> bool:
        """Until something newer than `after` arrives (True), `patience` seconds pass or the feed closes."""
        deadline = time.monotonic() + patience
        while self.seq <= after and not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                return False
        return self.seq > after

    def hourly(self, now: float | None = None, hours: int = 24) -> list[tuple[int, int]]:
        """(hour start epoch, alerts) for the last `hours` hours, oldest first."""
        current = int((time.time() if now is None else now) // 3600)
        return [(h * 3600, self.alerts_per_hour.get(h, 0)) for h in range(current - hours + 1, current + 1)]
