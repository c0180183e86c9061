"""Webhook alerts: signed, retried with back-off, dropped (never awaited) when the queue is full."""

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from filters import Hints
from gateway.enforce.alerts import SIGNATURE, TIMESTAMP, AlertSender
from gateway.enforce.countermeasures import Responder
from gateway.enforce.settings import AlertSettings, Webhook
from gateway.metrics import Metrics
from gateway.state import MemoryStore
from tests.gateway.enforce.test_countermeasures import ALICE, BANDS, SECRET


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[TestServer, list[tuple[dict[str, str], bytes]]]]:
    """A webhook receiver that fails the first two attempts with 503."""
    seen: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((dict(request.headers), await request.read()))
        return web.Response(status=503 if len(seen) <= 2 else 204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, seen
    await server.close()


async def test_webhook_is_signed_and_retried(receiver: tuple[TestServer, list[tuple[dict[str, str], bytes]]],
                                            caplog: pytest.LogCaptureFixture) -> None:
    server, seen = receiver
    sender = AlertSender(AlertSettings(webhooks=(Webhook(str(server.make_url("/hook")), SECRET),),
                                       backoff=0.01, max_backoff=0.05))
    await sender.start()
    try:
        with caplog.at_level(logging.INFO, logger="chatguard.audit"):
            outcome = await Responder(MemoryStore(), BANDS, sender).respond(ALICE, 0.6, Hints(labels=("flood",)))
        assert outcome.actions == {"alert"}
        assert any(r.message == "threat.response" for r in caplog.records)
        await asyncio.wait_for(sender.drain(), 5)
    finally:
        await sender.aclose()
    assert len(seen) == 3 and sender.failed == 0
    headers, body = seen[-1]
    expected = hmac.new(SECRET.encode(), headers[TIMESTAMP].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE] == "sha256=" + expected
    assert json.loads(body)["labels"] == ["flood"]


async def test_full_alert_queue_drops_instead_of_blocking(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()
    sender = AlertSender(AlertSettings(webhooks=(Webhook("http://127.0.0.1:9/x", SECRET),), queue=2), metrics=metrics)
    caplog.set_level(logging.INFO, "chatguard.audit")
    assert [sender.submit({"n": i}) for i in range(1000)] == [True, True] + [False] * 998
    assert sender.dropped == 998
    assert metrics.registry.get_sample_value("chatguard_alerts_total", {"outcome": "dropped"}) == 998
    drops = [r for r in caplog.records if r.getMessage() == "alert.dropped"]
    assert len(drops) == 1  # a flood of alerts is not a flood of audit entries
    await sender.aclose()
