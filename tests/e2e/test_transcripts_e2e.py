"""Transcripts through the running gateway, on real SQLite and real PostgreSQL.

Every message the gateway forwards (HTTP bodies, server-sent events, WebSocket frames, both
directions) is recorded after masking under its conversation (the route's `room` variable); a
blocked message is recorded as blocked with no text; `store: full` keeps the original sealed;
a store that cannot keep up never holds a message back (`drop`) or refuses it (`refuse`: 503);
the retention worker runs inside the gateway on its schedule.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
import pytest
from aiohttp import WSMsgType, web

from gateway.config.settings import ConfigError, parse_settings
from gateway.keys import METRICS, TRANSCRIPTS
from gateway.transcripts.mount import Transcripts
from gateway.transcripts.schema import MESSAGES
from tests.databases import pg_url
from tests.gateway.database_fixtures import db_url
from tests.helpers import RunningGateway, gateway_config, route, run_gateway, serve_app, until

__all__ = ["db_url"]

CARD = "4111 1111 1111 1111"
FILTERS = {"mask": {"use": "masking", "options": {"style": "redact"}},
           "stop": {"use": "keyword", "options": {"words": ["banned"], "action": "block"}}}


class Chat:
    """A backend: echoes HTTP bodies with a card added, streams two events, echoes WebSocket frames."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.app = web.Application()
        self.app.router.add_post("/api/rooms/{room}/messages", self.post)
        self.app.router.add_get("/events/{room}", self.events)
        self.app.router.add_get("/ws/{room}", self.ws)

    async def post(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append(body)
        return web.json_response({"text": f"agent: card on file {CARD}"})

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for text in ("hello there", f"your card {CARD}"):
            await response.write(b"data: " + orjson.dumps({"text": text}) + b"\n\n")
        await response.write_eof()
        return response

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                text = orjson.loads(msg.data)["text"]
                await ws.send_str(orjson.dumps({"text": f"echo {text} {CARD}"}).decode())
        return ws


@pytest.fixture
async def chat() -> AsyncIterator[tuple[Chat, str]]:
    backend = Chat()
    async with serve_app(backend.app, shutdown_timeout=0.1) as url:
        yield backend, url


def config(upstream: str, database: str, tmp_path: Path, *, policy: dict[str, Any] | None = None,
           **transcripts: Any) -> dict[str, Any]:
    kek = tmp_path / "kek"
    kek.write_text(bytes(range(32)).hex())
    both = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}}
    extra = {"transcripts": policy} if policy else {}
    routes = [
        route("/api/rooms/{room}/messages", methods=["POST"], messages=both, filters=["mask", "stop"], **extra),
        route("/events/{room}", messages={"outbound": {"sse": {"json": ["/text"]}}}, filters=["mask", "stop"],
              **extra),
        route("/ws/{room}", websocket=True, messages=both, filters=["mask", "stop"], **extra),
    ]
    for r, name in zip(routes, ("http", "sse", "ws"), strict=True):
        r["name"] = name
    settings = {"database": database, "worker": {"enabled": False}, **transcripts}
    return gateway_config(upstream, routes, filters=FILTERS, transcripts=settings, keys={"kek_file": str(kek)})


def parts(gw: RunningGateway) -> Transcripts:
    return gw.app[TRANSCRIPTS]


async def conversation(gw: RunningGateway, room: str, permissions: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every message recorded in `room`, as a reader with `permissions` sees it."""
    transcripts = parts(gw)
    assert await transcripts.sink.flush()
    read = await transcripts.access.read(transcripts.access.reader(permissions), room, None, 1000)
    assert read is not None, f"nothing recorded in {room}"
    return list(read["messages"])


async def test_http_both_directions_recorded_after_masking(chat: tuple[Chat, str], db_url: str,
                                                           tmp_path: Path) -> None:
    backend, url = chat
    async with run_gateway(config(url, db_url, tmp_path)) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/rooms/r1/messages", json={"text": f"pay with {CARD}"}) as response:
            assert response.status == 200
            assert CARD not in await response.text()
        messages = await conversation(gw, "r1", frozenset({"unmask:*"}))
    assert CARD not in backend.received[0].decode()
    assert [(m["direction"], m["channel"], m["route"], m["verdict"], m["findings"], m["text_state"])
            for m in messages] == [("inbound", "http", "http", "modify", ["card"], "masked"),
                                   ("outbound", "http", "http", "modify", ["card"], "masked")]
    assert all(CARD.replace(" ", "") not in m["text"].replace(" ", "") for m in messages)
    assert messages[0]["text"].startswith("pay with ") and messages[0]["subject"] == "anonymous"


async def test_store_full_keeps_the_original_sealed_and_readable_with_unmask(chat: tuple[Chat, str], db_url: str,
                                                                            tmp_path: Path) -> None:
    _, url = chat
    async with run_gateway(config(url, db_url, tmp_path, store="full")) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/rooms/r2/messages", json={"text": f"pay with {CARD}"}) as response:
            assert response.status == 200
        unmasked = await conversation(gw, "r2", frozenset({"unmask:card"}))
        masked = await conversation(gw, "r2", frozenset({"unmask:email"}))
        raw = await parts(gw).parts.store.db.fetch(f"SELECT text, full_text FROM {MESSAGES}")  # type: ignore[union-attr]  # noqa: S608
    assert unmasked[0]["text"] == f"pay with {CARD}" and unmasked[0]["text_state"] == "unmasked"
    assert CARD not in masked[0]["text"] and masked[0]["text_state"] == "masked"
    assert all(CARD.encode() not in bytes(cell) for row in raw for cell in row if cell is not None)


async def test_a_blocked_message_is_recorded_without_text(chat: tuple[Chat, str], db_url: str,
                                                          tmp_path: Path) -> None:
    backend, url = chat
    async with run_gateway(config(url, db_url, tmp_path, store="full")) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/rooms/r3/messages", json={"text": "a banned word"}) as response:
            assert response.status == 403
        messages = await conversation(gw, "r3", frozenset({"unmask:*"}))
        raw = await parts(gw).parts.store.db.fetch(f"SELECT text, full_text FROM {MESSAGES}")  # type: ignore[union-attr]  # noqa: S608
    assert backend.received == []
    assert [(m["verdict"], m["text"], m["text_state"]) for m in messages] == [("block", None, "blocked")]
    assert raw == [(None, None)] or [tuple(r) for r in raw] == [(None, None)]


async def test_server_sent_events_are_recorded_event_by_event(chat: tuple[Chat, str], db_url: str,
                                                              tmp_path: Path) -> None:
    _, url = chat
    async with run_gateway(config(url, db_url, tmp_path)) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/events/r4") as response:
            body = await response.read()
        messages = await conversation(gw, "r4")
    assert CARD not in body.decode()
    texts = "".join(m["text"] for m in messages)
    assert "hello there" in texts and "your card" in texts and CARD not in texts
    assert {(m["direction"], m["channel"]) for m in messages} == {("outbound", "http")}
    assert "card" in {f for m in messages for f in m["findings"]}


async def test_websocket_frames_both_ways_are_recorded(chat: tuple[Chat, str], db_url: str,
                                                       tmp_path: Path) -> None:
    _, url = chat
    async with run_gateway(config(url, db_url, tmp_path)) as gw, aiohttp.ClientSession() as client:
        async with client.ws_connect(f"{gw.url}/ws/r5") as ws:
            await ws.send_str(orjson.dumps({"text": f"mine is {CARD}"}).decode())
            reply = await ws.receive_str(timeout=10)
            await ws.send_str(orjson.dumps({"text": "this is banned"}).decode())
            await ws.send_str(orjson.dumps({"text": "still here"}).decode())
            # The block's notice and the echo of "still here" may come in either order: close only once the
            # echo is in, or the gateway may still be relaying it when the client goes (then it is neither
            # delivered nor recorded, and the count below would wait for a fifth frame that never comes).
            for _ in range(3):
                if "still here" in await ws.receive_str(timeout=10):
                    break
        await until(lambda: parts(gw).sink.depth == 0 and parts(gw).sink.metrics.written._value.get() >= 5,
                    "five frames recorded")
        messages = await conversation(gw, "r5")
    assert CARD not in reply
    seen = [(m["direction"], m["channel"], m["verdict"]) for m in messages]
    assert seen.count(("inbound", "ws", "modify")) == 1 and seen.count(("inbound", "ws", "block")) == 1
    assert seen.count(("outbound", "ws", "modify")) == 2 and seen.count(("inbound", "ws", "pass")) == 1
    assert all(m["text"] is None for m in messages if m["verdict"] == "block")
    assert all(CARD not in (m["text"] or "") for m in messages)


class Locked:
    """Holds the transcript table locked from another connection: the store stops answering."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pg: asyncpg.Connection | None = None
        self._sqlite: sqlite3.Connection | None = None

    async def __aenter__(self) -> Locked:
        if self.url.startswith("sqlite"):
            self._sqlite = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            self._sqlite.execute("BEGIN EXCLUSIVE")
        else:
            schema = self.url.split("search_path=")[1]
            self._pg = await asyncpg.connect(pg_url(schema).split("?")[0])
            await self._pg.execute("BEGIN")
            await self._pg.execute(f'LOCK TABLE "{schema}".{MESSAGES} IN ACCESS EXCLUSIVE MODE')
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
        if self._pg is not None:
            await self._pg.execute("ROLLBACK")
            await self._pg.close()


async def test_a_stuck_store_never_holds_messages_back_under_drop(chat: tuple[Chat, str], db_url: str,
                                                                  tmp_path: Path) -> None:
    backend, url = chat
    async with run_gateway(config(url, db_url, tmp_path, queue=1, batch=1)) as gw, \
            aiohttp.ClientSession() as client:
        async with Locked(db_url):
            for i in range(5):
                async with client.post(f"{gw.url}/api/rooms/r6/messages", json={"text": f"m{i}"}) as response:
                    assert response.status == 200
            dropped = parts(gw).sink.metrics.dropped.labels("http")._value.get()
            metrics = gw.app[METRICS].render().decode()
    assert len(backend.received) == 5
    assert dropped >= 8   # 10 messages (5 each way), at most one queued and one being written
    assert 'chatguard_transcripts_dropped_total{route="http"}' in metrics


async def test_a_stuck_store_refuses_with_503_under_refuse(chat: tuple[Chat, str], db_url: str,
                                                           tmp_path: Path) -> None:
    backend, url = chat
    cfg = config(url, db_url, tmp_path, queue=1, batch=1, on_backlog="refuse")
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client:
        async with Locked(db_url):
            statuses = []
            for i in range(4):
                async with client.post(f"{gw.url}/api/rooms/r7/messages", json={"text": f"m{i}"}) as response:
                    statuses.append(response.status)
                    body = await response.json()
        assert 503 in statuses and body["error"].startswith("service unavailable")
        refused = parts(gw).sink.metrics.refused.labels("http")._value.get()
        # once the store answers again, messages go through and are recorded
        async with client.post(f"{gw.url}/api/rooms/r7/messages", json={"text": "after"}) as response:
            await until(lambda: parts(gw).sink.depth == 0, "the queue drained", within=60)
    assert refused >= 1 and len(backend.received) < 5


async def test_the_retention_worker_runs_in_the_gateway_under_the_lease(chat: tuple[Chat, str], db_url: str,
                                                                       tmp_path: Path) -> None:
    _, url = chat
    cfg = config(url, db_url, tmp_path, retention="1s", worker={"enabled": True, "interval": "1s", "lease": "10s"})
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/rooms/r8/messages", json={"text": "short lived"}) as response:
            assert response.status == 200
        transcripts = parts(gw)
        assert await transcripts.sink.flush()
        db = transcripts.parts.store.db  # type: ignore[union-attr]
        assert await db.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 2  # noqa: S608
        for _ in range(600):  # the worker's first run comes at once, then every second
            if await db.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 0:  # noqa: S608
                break
            await asyncio.sleep(0.1)
        assert await db.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 0  # noqa: S608


async def test_the_conversation_is_the_variable_the_route_names(chat: tuple[Chat, str], db_url: str,
                                                                tmp_path: Path) -> None:
    _, url = chat
    cfg = config(url, db_url, tmp_path)
    cfg["routes"][0]["match"]["path"] = "/api/{kind}/{thread}/messages"
    cfg["routes"][0]["conversation"] = "thread"
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/rooms/t-42/messages", json={"text": "hi"}) as response:
            assert response.status == 200
        messages = await conversation(gw, "t-42")
    assert len(messages) == 2


def test_a_conversation_variable_the_path_lacks_is_a_config_error(tmp_path: Path) -> None:
    cfg = config("http://127.0.0.1:9", "sqlite:///" + str(tmp_path / "t.db"), tmp_path)
    cfg["routes"][0]["conversation"] = "thread"
    with pytest.raises(ConfigError, match=r"routes\[0\]\.conversation|routes\.0\.conversation"):
        parse_settings(cfg, environ={})
