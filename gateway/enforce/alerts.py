"""Signed webhook alerts: queued, never awaited on the hot path, delivered by one background task."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time

import aiohttp
import orjson

from gateway.enforce.settings import AlertSettings, Webhook
from gateway.metrics import Metrics

audit = logging.getLogger("chatguard.audit")

SIGNATURE = "X-Chatguard-Signature"
TIMESTAMP = "X-Chatguard-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `timestamp.body`: the timestamp lets receivers refuse replays."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


DROP_REPORT_INTERVAL = 60.0  # seconds between two audit entries about dropped alerts


class AlertSender:
    """A bounded queue drained by one named background task; `submit` never blocks.

    A full queue drops the new alert: counted (`dropped`, and `chatguard_alerts_total{outcome=
    "dropped"}`), and audited at most once a minute with the count since, so a flood of alerts
    cannot turn into a flood of audit entries."""

    def __init__(self, settings: AlertSettings, session: aiohttp.ClientSession | None = None,
                 metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(settings.queue)
        self.dropped = 0
        self.failed = 0
        self.metrics = metrics
        self._unreported = 0
        self._reported_at = -DROP_REPORT_INTERVAL
        self._session = session
        self._own_session = session is None
        self._task: asyncio.Task[None] | None = None

    def submit(self, event: dict[str, object]) -> bool:
        if not self.settings.webhooks:
            return False
        try:
            self.queue.put_nowait(orjson.dumps(event))
        except asyncio.QueueFull:
            self.dropped += 1
            self._unreported += 1
            self._count("dropped")
            now = time.monotonic()
            if now - self._reported_at >= DROP_REPORT_INTERVAL:
                self._reported_at = now
                count, self._unreported = self._unreported, 0
                audit.warning("alert.dropped", extra={"fields": {"event": "alert.dropped", "dropped": count,
                                                                 "dropped_total": self.dropped}})
            return False
        return True

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.alerts.labels(outcome).inc()

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=float(self.settings.timeout)))
        self._task = asyncio.get_running_loop().create_task(self._run(), name="chatguard-alerts")

    async def drain(self) -> None:
        """Wait until every queued alert was delivered or given up (shutdown, tests)."""
        await self.queue.join()

    async def _run(self) -> None:
        while True:
            body = await self.queue.get()
            try:
                for hook in self.settings.webhooks:
                    if await self._deliver(hook, body):
                        self._count("sent")
                    else:
                        self.failed += 1
                        self._count("failed")
                        audit.warning("alert.undelivered", extra={"fields": {"event": "alert.undelivered"}})
            finally:
                self.queue.task_done()

    async def _deliver(self, hook: Webhook, body: bytes) -> bool:
        assert self._session is not None
        opts = self.settings
        for attempt in range(opts.attempts):
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/json", TIMESTAMP: stamp, SIGNATURE: sign(hook.secret, stamp, body)}
            try:
                async with self._session.post(hook.url, data=body, headers=headers) as answer:
                    if answer.status < 300:
                        return True
                    if answer.status < 500 and answer.status not in (408, 429):
                        return False  # the receiver refuses this alert: retrying cannot help
            except (aiohttp.ClientError, TimeoutError):
                pass
            if attempt + 1 < opts.attempts:
                await asyncio.sleep(min(float(opts.max_backoff), float(opts.backoff) * 2 ** attempt))
        return False

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None
