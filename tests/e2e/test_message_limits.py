"""What reaches the filters is capped, through the running gateway: fields per message, characters
per field. Above the caps a request is refused (422, 413) before any filter runs, a backend answer
is not relayed (502), and a WebSocket message is refused by the route's `on_block`."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import orjson
import pytest

from filters import PASS, Filter, Message, Verdict
from tests.e2e.conftest import Backend, gateway, next_message
from tests.helpers import install_filter_plugins, route

FIELDS = {"inbound": {"json": ["/m/*/t"]}, "outbound": {"json": ["/m/*/t"]}}


class Counting(Filter):
    """Passes everything and counts the calls (class-wide: the gateway builds its own instance)."""

    name = "counting"
    calls = 0

    async def inspect(self, message: Message) -> Verdict:
        Counting.calls += 1
        return PASS


@pytest.fixture(autouse=True)
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"counting": f"{__name__}:Counting"})
    Counting.calls = 0


def body(count: int, text: str = "hi") -> bytes:
    return orjson.dumps({"m": [{"t": text} for _ in range(count)]})


def routes(**limits: int) -> list[dict[str, object]]:
    ws = route("/ws", websocket=True, filters=["count"], messages=FIELDS, **limits)
    return [route("/api/send", filters=["count"], messages=FIELDS, **limits), ws]


FILTERS = {"count": {"use": "counting"}}


async def post(client: aiohttp.ClientSession, url: str, data: bytes) -> tuple[int, str]:
    async with client.post(f"{url}/api/send", data=data, headers={"Content-Type": "application/json"}) as response:
        return response.status, orjson.loads(await response.read())["error"]


async def test_eighty_thousand_fields_are_refused_before_any_filter_runs(backend: tuple[Backend, str],
                                                                        client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), FILTERS) as gw:  # the default cap: 1000 fields
        assert len(body(80_000)) < 1024 * 1024  # within max_body: only the field cap refuses it
        assert await post(client, gw.url, body(80_000)) == (422, "too many message fields")
    assert Counting.calls == 0
    assert chat.hits == []


async def test_a_field_longer_than_max_chars_is_refused_with_413(backend: tuple[Backend, str],
                                                                client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(max_chars=100), FILTERS) as gw:
        assert await post(client, gw.url, body(1, "x" * 101)) == (413, "message field too long")
        async with client.post(f"{gw.url}/api/send", data=body(2, "x" * 100),
                               headers={"Content-Type": "application/json"}) as response:
            assert response.status == 200  # at the cap: inspected and forwarded
    assert Counting.calls == 2
    assert len(chat.hits) == 1


async def test_a_backend_answer_over_the_caps_is_not_relayed(backend: tuple[Backend, str],
                                                             client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply("/api/send", body(11))
    async with gateway(url, routes(max_fields=10), FILTERS) as gw, client.get(f"{gw.url}/api/send") as response:
        assert response.status == 502
        assert orjson.loads(await response.read())["error"] == "upstream response exceeds inspection limits"


async def test_a_websocket_message_over_the_caps_is_refused_and_the_connection_goes_on(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(max_fields=10), FILTERS) as gw, client.ws_connect(f"{gw.url}/ws") as ws:
        peer = await chat.peer()
        await ws.send_str(body(11).decode())
        assert orjson.loads((await next_message(ws)).data)["error"] == "too many message fields"
        await ws.send_str(body(10).decode())
        assert await peer.receive_str() == body(10).decode()


async def test_a_list_longer_joined_than_max_chars_is_read_in_windows(backend: tuple[Backend, str],
                                                                     client: aiohttp.ClientSession) -> None:
    """Items each under `max_chars` whose joined text passes it are read joined in windows of whole items, so
    the list is forwarded (it was refused with 413) and a phrase split over items is still read whole."""
    chat, url = backend
    filters = {**FILTERS, "stop": {"use": "keyword", "options": {"words": ["split,word"], "action": "block"}}}
    fields = {"inbound": {"json": ["/m"]}}
    async with gateway(url, [route("/api/send", filters=["count", "stop"], messages=fields, max_chars=100)],
                       filters) as gw:
        long_list = orjson.dumps({"m": ["x" * 60, "y" * 60, "z" * 60]})
        async with client.post(f"{gw.url}/api/send", data=long_list,
                               headers={"Content-Type": "application/json"}) as response:
            assert response.status == 200
        for items in (["x" * 60, "split", "word", "y" * 60], ["x" * 90, "a" * 40, "split", "word", "b" * 40],
                      ["x" * 80 + " split", "word " + "y" * 80]):  # the phrase across two long items
            async with client.post(f"{gw.url}/api/send", data=orjson.dumps({"m": items}),
                                   headers={"Content-Type": "application/json"}) as response:
                assert response.status == 403, items
    assert [hit.body for hit in chat.hits] == [long_list]
