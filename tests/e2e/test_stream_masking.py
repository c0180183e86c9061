"""Server-sent events through the running gateway: a card a bot streams in pieces never reaches the
client whole, events still flow one by one, and a route that filters text never lets an event
stream through uninspected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from tests.helpers import gateway_config, route, run_gateway, serve_app

WAIT = 5.0
CARD = "4111 1111 1111 1111"
PIECES = ["Your card ", "4111 11", "11 1111 ", "1111", " is on file."]
FILTERS = {"mask": {"use": "masking", "options": {"style": "redact"}},
           "stop": {"use": "keyword", "options": {"words": ["banned"], "action": "block"}}}


class Bot:
    """A backend streaming tokens as server-sent events; each event waits for the test's go."""

    def __init__(self) -> None:
        self.events: list[bytes] = []
        self.go: asyncio.Queue[None] = asyncio.Queue()
        self.paced = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in self.events:
            if self.paced:
                await self.go.get()
            await response.write(event)
        await response.write_eof()
        return response


@pytest.fixture
async def bot() -> AsyncIterator[tuple[Bot, str]]:
    backend = Bot()
    app = web.Application()
    app.router.add_get("/{tail:.*}", backend.handle)
    async with serve_app(app, shutdown_timeout=0.1) as url:
        yield backend, url


def config(url: str, outbound: dict[str, Any], filters: tuple[str, ...] = ("mask", "stop")) -> dict[str, Any]:
    return gateway_config(url, [route("/{rest:path}", messages={"outbound": outbound}, filters=list(filters))],
                          filters=FILTERS)


async def text_arrives(resp: aiohttp.ClientResponse) -> str:
    """The text of the events read until one carries text (events emptied while it is gathered come first)."""
    text = ""
    while not text:
        event = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), WAIT)
        text = "".join(datas(event))
    return text


def datas(body: bytes) -> list[str]:
    return [line[6:] for line in body.decode().split("\n") if line.startswith("data: ")]


async def test_card_streamed_in_json_tokens_is_masked(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.events = [b"data: " + orjson.dumps({"choices": [{"delta": {"content": p}}]}) + b"\n\n"
                      for p in PIECES] + [b"data: [DONE]\n\n"]
    sse = {"sse": {"json": ["/choices/*/delta/content"]}}
    async with run_gateway(config(url, sse)) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/v1/chat") as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        body = await resp.read()
    text = "".join(orjson.loads(d)["choices"][0]["delta"]["content"] for d in datas(body) if d not in ("", "[DONE]"))
    assert text == "Your card [CARD] is on file."
    assert "1111" not in body.decode()
    assert datas(body)[-1] == "[DONE]"  # held as a possible value, flushed last


async def test_events_flow_one_by_one(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.paced = True
    backend.events = [b"data: hello there \n\n", b"data: card " + CARD.encode() + b" ok \n\n"]
    async with run_gateway(config(url, {"sse": {"text": True}})) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/events") as resp:
        backend.go.put_nowait(None)
        # sent before the backend produced the next event: gathered text goes on after `limits.stream_flush`
        assert await text_arrives(resp) == "hello there "
        backend.go.put_nowait(None)
        rest = await asyncio.wait_for(resp.read(), WAIT)
    assert "".join(datas(rest)) == "card [CARD] ok "


async def test_blocked_event_ends_the_stream(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.events = [b"data: fine \n\n", b"data: banned \n\n", b"data: after \n\n"]
    async with run_gateway(config(url, {"sse": {"text": True}})) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/events") as resp:
        body = await resp.read()
    assert b"banned" not in body and b"after" not in body


async def test_event_stream_on_a_route_without_sse_fields_is_refused(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.events = [b"data: card " + CARD.encode() + b"\n\n"]
    async with run_gateway(config(url, {"json": ["/text"]})) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/events") as resp:
        assert resp.status == 502
        assert CARD.encode() not in await resp.read()


async def test_oversized_event_cuts_the_stream(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.events = [b"data: ok \n\n", b"data: " + b"x" * 4096]
    cfg = config(url, {"sse": {"text": True}})
    cfg["routes"][0]["max_body"] = "1KiB"
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/events") as resp:
        body = await resp.read()
    assert b"xxxx" not in body


TOKENS = ["Hello ", "there, ", "how ", "can ", "I ", "help ", "you ", "today? "]


async def test_a_token_stream_flows_event_by_event_while_small_events_are_gathered(bot: tuple[Bot, str]) -> None:
    """Each small event's text is gathered (`limits.stream_batch`), yet reaches the client, in the event the
    backend sent, before the backend sends the next one: `limits.stream_flush` lets it go while it waits."""
    backend, url = bot
    backend.paced = True
    backend.events = [b"data: " + orjson.dumps({"choices": [{"delta": {"content": t}}]}) + b"\n\n"
                      for t in TOKENS] + [b"data: [DONE]\n\n"]
    sse = {"sse": {"json": ["/choices/*/delta/content"]}}
    async with run_gateway(config(url, sse)) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/v1/chat") as resp:
        for token in TOKENS:
            backend.go.put_nowait(None)  # the backend sends one event and waits for the next go
            event = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), WAIT)
            assert orjson.loads(datas(event)[0])["choices"][0]["delta"]["content"] == token
        backend.go.put_nowait(None)
        assert datas(await asyncio.wait_for(resp.read(), WAIT)) == ["[DONE]"]


async def test_the_flush_delay_running_out_inside_a_card_never_lets_it_out(bot: tuple[Bot, str]) -> None:
    """The backend pauses inside the card after each piece: what is gathered goes on, the card's start waits."""
    backend, url = bot
    backend.paced = True
    pieces = ["card 4111 11", "11 1111 ", "1111", " ok "]
    backend.events = [b"data: " + p.encode() + b"\n\n" for p in pieces]
    async with run_gateway(config(url, {"sse": {"text": True}})) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/events") as resp:
        backend.go.put_nowait(None)
        assert await text_arrives(resp) == "card "  # sent while the backend waits; the digits are held
        for _ in pieces[1:]:
            backend.go.put_nowait(None)
        rest = await asyncio.wait_for(resp.read(), WAIT)
    assert "".join(datas(rest)) == "[CARD] ok "
    assert b"1111" not in rest
