"""Bans shared through the real Redis over WebSocket: a sender banned by a frame on one gateway is
refused (403 before the upgrade) by a second gateway sharing the store, until an admin lifts the ban."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType

from gateway.keys import STATE
from tests.e2e.conftest import Backend, next_message
from tests.e2e.probe import RISKY
from tests.gateway.state._redis import REDIS_URL, raw_redis, unique_prefix
from tests.helpers import gateway_config, install_filter_plugins, route, run_gateway


@pytest.fixture(autouse=True)
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"probe": "tests.e2e.probe:Probe"})


def frame(text: str) -> str:
    return orjson.dumps({"text": text}).decode()


async def refused(client: aiohttp.ClientSession, url: str) -> int:
    """The status of a refused upgrade, or 101 when the WebSocket opened."""
    try:
        async with client.ws_connect(url):
            return 101
    except aiohttp.WSServerHandshakeError as error:
        return error.status


async def test_a_ban_set_over_websocket_on_one_gateway_refuses_the_upgrade_on_the_other(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    prefix = unique_prefix()
    ws_route = route("/ws/chat", websocket=True, filters=["probe"], messages={"inbound": {"json": ["/text"]}})
    cfg = gateway_config(url, [ws_route], filters={"probe": {"use": "probe"}},
                         state={"backend": "redis", "url": REDIS_URL, "prefix": prefix},
                         responses={"bands": [{"min_score": 0.5, "actions": ["ban"]}]})
    async with raw_redis(prefix), AsyncExitStack() as stack:
        one = await stack.enter_async_context(run_gateway(cfg))
        two = await stack.enter_async_context(run_gateway(cfg))
        assert await refused(client, f"{two.url}/ws/chat") == 101  # not banned yet: the upgrade works
        await chat.peer()
        async with client.ws_connect(f"{one.url}/ws/chat") as ws:
            await chat.peer()
            await ws.send_str(frame(RISKY))
            closing = await next_message(ws)
            assert closing.type is WSMsgType.CLOSE and ws.close_code == 1008
        assert await refused(client, f"{two.url}/ws/chat") == 403
        assert await refused(client, f"{one.url}/ws/chat") == 403
        assert chat.peers.empty()  # neither refused upgrade reached the backend
        bans = await two.app[STATE].bans()
        assert len(bans) == 1 and await one.app[STATE].unban(bans[0].key)
        assert await refused(client, f"{two.url}/ws/chat") == 101  # lifted on one store, lifted everywhere
