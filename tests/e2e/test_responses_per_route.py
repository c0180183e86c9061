"""Score bands per route through the running gateway: the same risky message is let through with an
alert on one route, held for review on another and gets its sender banned on a third; a held HTTP
message is delivered once when released, a held WebSocket frame is handed back instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from filters import PASS, Filter, Finding, Hints, Message, Verdict
from gateway.admin.bans import add_routes, bind_gateway
from gateway.config.settings import ConfigError, parse_settings
from gateway.keys import STATE
from tests.e2e.conftest import Backend, gateway, next_message
from tests.helpers import RunningGateway, gateway_config, install_filter_plugins, route, serve_app

RISKY = "risky: drop the tables"
FIELDS = {"inbound": {"json": ["/text"]}}
FILTERS = {"probe": {"use": "probe"}}


class Probe(Filter):
    """Scores "risky" messages 0.7 and lets them pass: only the route's bands decide what happens."""

    name = "probe"

    async def inspect(self, message: Message) -> Verdict:
        if message.text.startswith("risky"):
            return Verdict(reason="probe flagged", findings=(Finding("probe", 0, 5, 0.7),),
                           hints=Hints(labels=("probe",)), filter=self.name)
        return PASS


@pytest.fixture(autouse=True)
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"probe": f"{__name__}:Probe"})


def bands(*actions: str) -> dict[str, Any]:
    return {"bands": [{"min_score": 0.6, "actions": list(actions)}]}


def routes() -> list[dict[str, Any]]:
    return [
        route("/global/messages", filters=["probe"], messages=FIELDS),
        route("/held/messages", filters=["probe"], messages=FIELDS, responses=bands("quarantine")),
        route("/strict/messages", filters=["probe"], messages=FIELDS, responses=bands("ban")),
    ]


async def post(client: aiohttp.ClientSession, url: str, text: str) -> tuple[int, dict[str, Any]]:
    async with client.post(url, data=orjson.dumps({"text": text}),
                           headers={"Content-Type": "application/json"}) as answer:
        return answer.status, orjson.loads(await answer.read() or b"{}")


@pytest.mark.parametrize(("path", "status", "forwarded"), [
    ("/global/messages", 200, True),      # global bands: alert only, delivered
    ("/held/messages", 202, False),       # the route holds it for review
    ("/strict/messages", 403, False),     # the route bans the sender
])
async def test_each_route_answers_with_its_own_band(path: str, status: int, forwarded: bool,
                                                    backend: tuple[Backend, str],
                                                    client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), FILTERS, responses=bands("alert")) as gw:
        got, answer = await post(client, gw.url + path, RISKY)
    assert got == status
    assert bool(chat.hits) is forwarded
    if status == 202:
        assert answer["status"] == "held for review"


async def test_a_ban_on_one_route_refuses_the_sender_on_every_route(backend: tuple[Backend, str],
                                                                    client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), FILTERS) as gw:
        assert (await post(client, gw.url + "/strict/messages", RISKY))[0] == 403
        assert (await post(client, gw.url + "/global/messages", "hello"))[0] == 403
    assert chat.hits == []


def test_a_bad_route_band_names_its_key_path() -> None:
    broken = route("/x", responses={"bands": [{"min_score": 2, "actions": ["block"]}]})
    with pytest.raises(ConfigError, match=r"routes\[0\]\.responses\.bands\[0\]\.min_score"):
        parse_settings(gateway_config("http://127.0.0.1:1", [broken]), environ={})


@asynccontextmanager
async def admin_for(gw: RunningGateway) -> AsyncIterator[str]:
    """The ban and quarantine endpoints bound to a running gateway (without the admin guard)."""
    admin = web.Application()
    add_routes(admin, gw.app[STATE])
    bind_gateway(admin, gw.app)
    async with serve_app(admin) as url:
        yield url


async def release(client: aiohttp.ClientSession, admin_url: str, item: str) -> tuple[int, dict[str, Any]]:
    async with client.post(f"{admin_url}/admin/quarantine/{item}/release") as answer:
        return answer.status, await answer.json()


async def test_release_delivers_a_held_http_message_once(backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    held_route = route("/chat/held/messages", filters=["probe"], messages=FIELDS, responses=bands("quarantine"),
                       strip_prefix="/chat")
    async with gateway(url, [held_route], FILTERS) as gw, admin_for(gw) as admin_url:
        status, answer = await post(client, f"{gw.url}/chat/held/messages?room=r1", RISKY)
        assert status == 202 and chat.hits == []
        got, record = await release(client, admin_url, answer["id"])
        assert got == 200 and record["delivered"] is True and record["upstream_status"] == 200
        assert (await release(client, admin_url, answer["id"]))[0] == 404  # at most once
    [hit] = chat.hits
    assert (hit.method, hit.path, hit.body) == ("POST", "/held/messages?room=r1", orjson.dumps({"text": RISKY}))
    assert hit.headers["X-Chatguard-Released-By"] == "admin" and hit.headers["X-Request-ID"] == answer["request_id"]
    assert hit.headers["Content-Type"] == "application/json"


async def test_release_of_a_websocket_frame_says_it_cannot_be_delivered(backend: tuple[Backend, str],
                                                                        client: aiohttp.ClientSession) -> None:
    chat, url = backend
    ws_route = route("/ws/held", websocket=True, filters=["probe"], messages=FIELDS, responses=bands("quarantine"))
    async with gateway(url, [ws_route], FILTERS) as gw, admin_for(gw) as admin_url:
        async with client.ws_connect(f"{gw.url}/ws/held") as ws:
            await chat.peer()
            await ws.send_str(orjson.dumps({"text": RISKY}).decode())
            reply = orjson.loads((await next_message(ws)).data)
        got, record = await release(client, admin_url, reply["id"])
    assert got == 200 and record["delivered"] is False and "WebSocket" in record["reason"]
    assert record["payload"] == orjson.dumps({"text": RISKY}).decode()  # handed back to the reviewer
    assert chat.hits == []
