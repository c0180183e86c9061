"""A filter that raises or hangs, through the running gateway: blocked with `fail: closed`,
skipped with `fail: open`, and its exception text (which could quote the message) never shown."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType

from filters import PASS, Filter, Message, Verdict
from tests.e2e.conftest import Backend, gateway, next_message
from tests.filters.test_budget import spin
from tests.helpers import install_filter_plugins, route

LEAK = "internal-state-7f3a9c"   # what a careless filter puts in its exception
TEXT = "my private words"


class Boom(Filter):
    """Raises with the message text in the exception, as a buggy filter might."""

    name = "boom"

    async def inspect(self, message: Message) -> Verdict:
        raise RuntimeError(LEAK + message.text)


class Hang(Filter):
    """Never answers."""

    name = "hang"

    async def inspect(self, message: Message) -> Verdict:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


class Spin(Filter):
    """Computes for 2 s of CPU and then passes: no await, so no asyncio timeout could stop it."""

    name = "spin"

    async def inspect(self, message: Message) -> Verdict:
        spin(2.0)
        return PASS


@pytest.fixture(autouse=True)
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"boom": f"{__name__}:Boom", "hang": f"{__name__}:Hang",
                                                   "spin": f"{__name__}:Spin"})


FILTERS = {"boom": {"use": "boom"}, "hang": {"use": "hang", "timeout": "50ms"},
           "spin": {"use": "spin", "timeout": "500ms"}}
BODY = orjson.dumps({"text": TEXT, "ts": 1700000000000})


def routes(bad: str, fail: str, on_block: str = "error_frame") -> list[dict[str, object]]:
    fields = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}}
    ws = route("/ws", websocket=True, filters=[bad], fail=fail, messages=fields)
    ws["websocket"] = {"on_block": on_block}
    return [route("/api/send", filters=[bad], fail=fail, messages=fields), ws]


def assert_nothing_leaked(caplog: pytest.LogCaptureFixture, *shown: bytes | str) -> None:
    for text in (caplog.text, *(s.decode() if isinstance(s, bytes) else s for s in shown)):
        assert LEAK not in text and TEXT not in text


@pytest.mark.parametrize("bad", ["boom", "hang"])
async def test_http_fail_closed_blocks_with_403(bad: str, backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                                caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    caplog.set_level(logging.DEBUG)
    async with gateway(url, routes(bad, "closed"), FILTERS) as gw, client.post(
            f"{gw.url}/api/send", data=BODY, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 403
        body = await response.read()
        assert orjson.loads(body)["error"] == "message blocked by policy"
    assert chat.hits == []
    assert f"filter {bad}" in caplog.text  # the failure is logged, by name only
    assert_nothing_leaked(caplog, body)


async def test_a_filter_computing_past_its_budget_blocks_and_the_failure_is_recorded(
        backend: tuple[Backend, str], client: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    caplog.set_level(logging.INFO)
    async with gateway(url, routes("spin", "closed"), FILTERS) as gw, client.post(
            f"{gw.url}/api/send", data=BODY, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 403  # it answered PASS, but 2 s of CPU under a 0.5 s budget is a failure
    assert chat.hits == []
    blocks = [r for r in caplog.records if r.name == "chatguard.audit" and r.getMessage() == "filter.block"]
    assert [r.fields["reasons"] for r in blocks] == [["filter spin exceeded its CPU budget"]]  # type: ignore[attr-defined]
    assert "filter spin exceeded its CPU budget" in caplog.text


@pytest.mark.parametrize("bad", ["boom", "hang"])
async def test_http_fail_closed_blocks_the_backends_answer(bad: str, backend: tuple[Backend, str],
                                                           client: aiohttp.ClientSession,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    chat.reply("/api/send", BODY)
    async with gateway(url, routes(bad, "closed"), FILTERS) as gw, client.get(f"{gw.url}/api/send") as response:
        assert response.status == 403
        body = await response.read()
    assert_nothing_leaked(caplog, body)


@pytest.mark.parametrize("bad", ["boom", "hang"])
async def test_http_fail_open_skips_the_filter(bad: str, backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                               caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    chat.reply("/api/send", BODY)
    async with gateway(url, routes(bad, "open"), FILTERS) as gw, client.post(
            f"{gw.url}/api/send", data=BODY, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
        assert await response.read() == BODY
    assert [hit.body for hit in chat.hits] == [BODY]
    assert LEAK not in caplog.text


@pytest.mark.parametrize("bad", ["boom", "hang"])
@pytest.mark.parametrize("on_block", ["drop", "error_frame", "close"])
async def test_ws_fail_closed_applies_on_block(bad: str, on_block: str, backend: tuple[Backend, str],
                                               client: aiohttp.ClientSession,
                                               caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    async with gateway(url, routes(bad, "closed", on_block), FILTERS) as gw, client.ws_connect(f"{gw.url}/ws") as ws:
        peer = await chat.peer()
        await ws.send_bytes(BODY)
        if on_block == "close":
            msg = await next_message(ws)
            assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1008)
            shown.append(msg.extra or "")
            assert (await peer.closed()).data == 1008
        else:
            if on_block == "error_frame":
                msg = await next_message(ws)
                shown.append(msg.data)
                assert orjson.loads(msg.data)["error"] == "message blocked by policy"
            # the backend's messages go through the same failing chain: never delivered either
            await peer.ws.send_bytes(BODY)
            if on_block == "error_frame":
                assert orjson.loads(await peer.receive_str())["error"] == "message blocked by policy"
            await ws.close()
            assert (await peer.closed()).type is WSMsgType.CLOSE
    assert_nothing_leaked(caplog, *shown)


@pytest.mark.parametrize("bad", ["boom", "hang"])
async def test_ws_fail_open_forwards_both_ways(bad: str, backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                               caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    async with gateway(url, routes(bad, "open"), FILTERS) as gw, client.ws_connect(f"{gw.url}/ws") as ws:
        peer = await chat.peer()
        await ws.send_str(BODY.decode())
        assert await peer.receive_str() == BODY.decode()
        await peer.ws.send_str(BODY.decode())
        assert (await next_message(ws)).data == BODY.decode()
    assert LEAK not in caplog.text
