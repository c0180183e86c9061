"""WebSocket token streams through the running gateway: a card a bot sends across consecutive frames
never reaches the client whole, the tail held at the end goes out masked before the close, and a
route without stream-capable filters forwards each frame as it is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from tests.helpers import gateway_config, route, run_gateway, serve_app

WAIT = 5.0
PIECES = ["Your card ", "4111 11", "11 1111 ", "1111", " is on file."]
FILTERS = {"mask": {"use": "masking", "options": {"style": "redact", "websocket_streams": True}},
           "chatmask": {"use": "masking", "options": {"style": "redact"}},
           "stop": {"use": "keyword", "options": {"words": ["banned"], "action": "block"}}}


class Bot:
    """A backend that answers "go" with the frames of `tokens`, then closes (or keeps the line open)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.close_after = True

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        paced = iter(self.tokens)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT and msg.data == "next":  # one token per "next", then wait
                await ws.send_str(json.dumps({"type": "token", "text": next(paced)}))
            if msg.type is WSMsgType.TEXT and msg.data == "go":
                for token in self.tokens:
                    await ws.send_str(json.dumps({"type": "token", "text": token}))
                if self.close_after:
                    await ws.close(code=4000, message=b"done")
        return ws


@pytest.fixture
async def bot() -> AsyncIterator[tuple[Bot, str]]:
    backend = Bot()
    app = web.Application()
    app.router.add_get("/{tail:.*}", backend.handle)
    async with serve_app(app, shutdown_timeout=0.1) as url:
        yield backend, url


def config(url: str, filters: tuple[str, ...] = ("mask", "stop"), batch: int | None = None) -> dict[str, Any]:
    """`batch`: `limits.stream_batch` (1: every frame read alone, as the masker holds it; default: gathered)."""
    streaming = route("/ws/{tail:path}", websocket=True, filters=list(filters),
                      messages={"outbound": {"json": ["/text"]}})
    streaming["websocket"] = {"on_block": "drop"}
    cfg = gateway_config(url, [streaming], filters=FILTERS)
    if batch is not None:
        cfg["limits"] = {**cfg.get("limits", {}), "stream_batch": batch}
    return cfg


async def read_all(ws: aiohttp.ClientWebSocketResponse, count: int | None = None) -> tuple[list[str], int | None]:
    """Texts of the frames until the close (or `count` frames), and the close code."""
    texts: list[str] = []
    while count is None or len(texts) < count:
        msg = await ws.receive(timeout=WAIT)
        if msg.type is not WSMsgType.TEXT:
            return texts, msg.data if msg.type is WSMsgType.CLOSE else None
        frame = json.loads(msg.data)
        assert frame["type"] == "token"
        texts.append(frame["text"])
    return texts, None


@pytest.mark.parametrize("pieces", [PIECES, ["Your card ", *"4111111111111111", " is on file."]])
async def test_a_card_split_across_frames_never_reaches_the_client(bot: tuple[Bot, str],
                                                                   pieces: list[str]) -> None:
    backend, url = bot
    backend.tokens = pieces
    async with run_gateway(config(url)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, code = await read_all(ws)
    assert "".join(texts) == "Your card [CARD] is on file."
    assert not any("1111" in text for text in texts)
    assert code == 4000


@pytest.mark.parametrize("batch", [1, None])
async def test_a_value_still_held_at_the_close_goes_out_masked_first(bot: tuple[Bot, str], batch: int | None) -> None:
    backend, url = bot
    backend.tokens = ["card ", "4111 1111 ", "1111 1111"]
    async with run_gateway(config(url, batch=batch)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, code = await read_all(ws)
    assert texts[-1].endswith("[CARD]") and "".join(texts) == "card [CARD]"
    if batch is None:  # gathered: the frames wait with the text, which goes out in the last of them
        assert texts == ["", "", "card [CARD]"]
    assert code == 4000


async def test_the_held_tail_goes_out_in_front_of_the_next_frame(bot: tuple[Bot, str]) -> None:
    backend, url = bot
    backend.tokens, backend.close_after = ["call me at my", " desk now "], False
    async with run_gateway(config(url, batch=1)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, _ = await read_all(ws, 2)
    assert texts == ["call me at ", "my desk now "]  # "my" could have begun a value: held, then sent with it


async def test_gathered_frames_go_on_after_the_flush_delay_without_a_close(bot: tuple[Bot, str]) -> None:
    """The backend stays quiet with the line open: the frames held with the gathered text still come."""
    backend, url = bot
    backend.tokens, backend.close_after = ["call me at my", " desk now "], False
    async with run_gateway(config(url)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, _ = await read_all(ws, 2)
    assert texts == ["", "call me at my desk now "]  # as many frames as the backend sent, the text in the last


@pytest.mark.parametrize("batch", [1, None])
async def test_a_blocked_frame_is_dropped_and_the_stream_goes_on(bot: tuple[Bot, str], batch: int | None) -> None:
    backend, url = bot
    backend.tokens = ["hello ", "a banned word ", "card 4111 1111 ", "1111 1111 ok"]
    async with run_gateway(config(url, batch=batch)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, code = await read_all(ws)
    whole = "".join(texts)
    assert "banned" not in whole and "1111" not in whole
    if batch == 1:  # each frame read alone: only the frame with the word is dropped
        assert "[CARD]" in whole
    else:  # the frames' text was gathered and read as one: all of it is dropped, none of it went out
        assert whole == ""
    assert code == 4000  # the connection went on to the backend's close


@pytest.mark.parametrize("filters", [("stop",), ("chatmask", "stop")])
async def test_a_route_without_stream_filters_forwards_each_frame_alone(bot: tuple[Bot, str],
                                                                       filters: tuple[str, ...]) -> None:
    backend, url = bot
    backend.tokens = [*PIECES, "card 4111 1111 1111 1111 ok"]
    async with run_gateway(config(url, filters)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        await ws.send_str("go")
        texts, _ = await read_all(ws)
    # per-frame inspection only: nothing held, nothing merged; whole values in one frame still masked
    assert texts[:-1] == PIECES
    assert texts[-1] == ("card [CARD] ok" if "chatmask" in filters else "card 4111 1111 1111 1111 ok")


async def test_a_paced_token_stream_arrives_frame_by_frame_while_its_text_is_gathered(bot: tuple[Bot, str]) -> None:
    """Each frame's text is gathered, yet reaches the client, in the frame the backend sent, before the
    backend sends the next one (`limits.stream_flush` lets it go while the backend waits)."""
    backend, url = bot
    backend.tokens, backend.close_after = ["Hello ", "there, ", "your ", "order ", "is ", "on ", "its ", "way. "], False
    async with run_gateway(config(url)) as gw, aiohttp.ClientSession() as client, \
            client.ws_connect(f"{gw.url}/ws/chat") as ws:
        for token in backend.tokens:
            await ws.send_str("next")  # the backend sends one frame and waits for the next "next"
            texts, _ = await read_all(ws, 1)
            assert texts == [token]
