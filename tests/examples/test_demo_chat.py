"""The demo chat backend on a real loopback port: REST API, WebSocket rooms, the page."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from examples.demo_chat.app import HISTORY, MAX_TEXT, MAX_USER, start_backend


@pytest.fixture
async def base() -> AsyncIterator[str]:
    runner = await start_backend("127.0.0.1", 0)
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def _receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
    data = await asyncio.wait_for(ws.receive_json(), 5)
    assert isinstance(data, dict)
    return data


async def test_post_then_list(base: str, http: aiohttp.ClientSession) -> None:
    for text in ("hello", "second"):
        async with http.post(f"{base}/api/rooms/lobby/messages", json={"user": "ann", "text": text}) as resp:
            assert resp.status == 201
            created = await resp.json()
            assert created["text"] == text
    async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
        assert resp.status == 200
        messages = (await resp.json())["messages"]
    assert [m["text"] for m in messages] == ["hello", "second"]
    assert set(messages[0]) == {"id", "user", "text", "ts"}
    assert type(messages[0]["ts"]) is int and messages[0]["ts"] > 1_600_000_000_000
    assert messages[0]["id"] != messages[1]["id"]


async def test_unknown_room_is_empty_and_rooms_are_separate(base: str, http: aiohttp.ClientSession) -> None:
    await http.post(f"{base}/api/rooms/a/messages", json={"user": "ann", "text": "only in a"})
    async with http.get(f"{base}/api/rooms/b/messages") as resp:
        assert (await resp.json()) == {"messages": []}


async def test_history_is_bounded(base: str, http: aiohttp.ClientSession) -> None:
    for i in range(HISTORY + 5):
        await http.post(f"{base}/api/rooms/r/messages", json={"user": "u", "text": f"m{i}"})
    async with http.get(f"{base}/api/rooms/r/messages") as resp:
        messages = (await resp.json())["messages"]
    assert len(messages) == HISTORY
    assert messages[-1]["text"] == f"m{HISTORY + 4}"


@pytest.mark.parametrize("body", [
    b"not json",
    b"[1, 2]",
    b'{"text": "no user"}',
    b'{"user": "ann"}',
    b'{"user": "ann", "text": "   "}',
    b'{"user": 5, "text": "x"}',
    b'{"user": "ann", "text": ["x"]}',
    ('{"user": "ann", "text": "' + "x" * (MAX_TEXT + 1) + '"}').encode(),
    ('{"user": "' + "u" * (MAX_USER + 1) + '", "text": "x"}').encode(),
])
async def test_bad_posts_are_rejected(base: str, http: aiohttp.ClientSession, body: bytes) -> None:
    async with http.post(f"{base}/api/rooms/lobby/messages", data=body) as resp:
        assert resp.status == 400
        assert "error" in await resp.json()
    async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
        assert (await resp.json()) == {"messages": []}


@pytest.mark.parametrize("room", ["a%20b", "x" * 65, "%3Cscript%3E"])
async def test_bad_room_names_are_rejected(base: str, http: aiohttp.ClientSession, room: str) -> None:
    async with http.get(f"{base}/api/rooms/{room}/messages") as resp:
        assert resp.status == 400


async def test_body_over_limit_is_refused(base: str, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{base}/api/rooms/lobby/messages", data=b"x" * 300_000) as resp:
        assert resp.status == 413


async def test_websocket_broadcasts_to_its_room_only(base: str, http: aiohttp.ClientSession) -> None:
    async with (http.ws_connect(f"{base}/ws/lobby") as alice, http.ws_connect(f"{base}/ws/lobby") as bob,
                http.ws_connect(f"{base}/ws/other") as eve):
        await alice.send_json({"type": "message", "user": "alice", "text": "hi bob"})
        for ws in (alice, bob):
            frame = await _receive(ws)
            assert frame["type"] == "message" and frame["user"] == "alice" and frame["text"] == "hi bob"
            assert type(frame["ts"]) is int and "id" in frame
        # A POST reaches the sockets too; the other room only ever sees its own message.
        await http.post(f"{base}/api/rooms/other/messages", json={"user": "eve", "text": "elsewhere"})
        assert (await _receive(eve))["text"] == "elsewhere"
    async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
        assert [m["text"] for m in (await resp.json())["messages"]] == ["hi bob"]


@pytest.mark.parametrize("frame", [
    "not json",
    '{"type": "typing"}',
    '["message"]',
    '{"type": "message", "user": "ann"}',
    '{"type": "message", "user": "", "text": "x"}',
])
async def test_bad_frames_get_an_error_and_are_not_stored(
        base: str, http: aiohttp.ClientSession, frame: str) -> None:
    async with http.ws_connect(f"{base}/ws/lobby") as ws:
        await ws.send_str(frame)
        reply = await _receive(ws)
        assert reply["type"] == "error"
        await ws.send_json({"type": "message", "user": "ann", "text": "still open"})
        assert (await _receive(ws))["text"] == "still open"
    async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
        assert [m["text"] for m in (await resp.json())["messages"]] == ["still open"]


async def test_oversized_frame_closes_the_socket(base: str, http: aiohttp.ClientSession) -> None:
    async with http.ws_connect(f"{base}/ws/lobby") as ws:
        await ws.send_str("x" * 70_000)
        closing = await asyncio.wait_for(ws.receive(), 5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 1009


async def test_page_is_self_contained_and_uses_relative_urls(base: str, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{base}/") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        page = await resp.text()
    assert "<script>" in page and 'fetch("api/rooms/' in page and 'new URL("ws/' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "innerHTML" not in page  # chat text is rendered with textContent only


async def test_server_shutdown_closes_sockets_with_going_away() -> None:
    runner = await start_backend("127.0.0.1", 0)
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http, http.ws_connect(f"http://127.0.0.1:{port}/ws/lobby") as ws:
        await ws.send_json({"type": "message", "user": "ann", "text": "joined"})
        assert (await _receive(ws))["text"] == "joined"  # the socket is registered in its room
        await runner.cleanup()
        closing = await asyncio.wait_for(ws.receive(), 5)
        assert closing.type is aiohttp.WSMsgType.CLOSE
        assert closing.data == aiohttp.WSCloseCode.GOING_AWAY
