"""A client that closes or resets its connection while its body is still coming: the exchange ends quietly
(one log line, no traceback), the backend never gets a whole request, and the request is counted (499).

Each body path is tried: a streamed upload (`max_upload`), a body the route inspects (buffered), and a body
the route does not read, which streams to the backend."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import traceback
from typing import Any

import pytest

from gateway.keys import METRICS
from tests.e2e.conftest import Backend, gateway
from tests.e2e.test_uploads import FILE, MP, part, route

ROUTES = {
    "streamed-upload": route(),
    "inspected": route(name="inspected", max_body="2MiB", max_upload=None),
    "pass-through": {"name": "pass-through", "match": {"path": "/upload"}, "upstream": "up",
                     "allow": ["anonymous"], "max_body": "2MiB"},
}


async def _half_sent(url: str, reset: bool) -> None:
    """POST a multipart body announced longer than what is sent, send half of it, then close or reset."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    data = part("msg", b"hello") + part("file", FILE, "a.bin")
    head = (f"POST /upload HTTP/1.1\r\nHost: chat.test\r\nContent-Type: {MP}\r\n"
            f"Content-Length: {len(data) + 100}\r\n\r\n").encode()
    writer.write(head + data[:len(data) // 2])
    await writer.drain()
    await asyncio.sleep(0.2)  # the gateway has begun (the upload has gone on to the backend)
    if reset:
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    else:
        writer.close()
    del reader


def _count(app: Any, route_name: str, status: str) -> float:
    value = app[METRICS].registry.get_sample_value("chatguard_requests_total", {"route": route_name, "status": status})
    return value or 0.0


@pytest.mark.parametrize("reset", [True, False], ids=["reset", "closed"])
@pytest.mark.parametrize("path", list(ROUTES))
async def test_a_client_gone_mid_body_ends_the_exchange_quietly(path: str, reset: bool, backend: tuple[Backend, str],
                                                               caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    settings = ROUTES[path]
    caplog.set_level(logging.INFO)
    async with gateway(url, [settings]) as gw:
        await _half_sent(gw.url, reset)
        for _ in range(100):
            if _count(gw.app, settings["name"], "499"):
                break
            await asyncio.sleep(0.05)
        assert _count(gw.app, settings["name"], "499") == 1
    assert [hit for hit in chat.hits if hit.path == "/upload"] == []  # nothing whole reached the backend
    gone = [record for record in caplog.records if record.name == "chatguard.proxy"]
    assert [record.getMessage() for record in gone] == ["client closed the connection before its request body was read"]
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING and "tests/e2e/conftest.py" not in _trace(record)] == []


def _trace(record: logging.LogRecord) -> str:
    """A record's traceback ('' without one): the test backend's own, about the request cut short, names conftest."""
    return "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else ""
