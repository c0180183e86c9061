"""Shared pieces of the end-to-end tests: a chat backend that records every byte it receives.

The backend answers each HTTP path with a canned, protocol-shaped body and hands each
WebSocket connection to the test, which then plays the backend's side frame by frame.
Everything the gateway forwarded is kept as raw bytes, so a test can assert that only the
filtered text changed and that a blocked message never arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from tests.helpers import RunningGateway, gateway_config, run_gateway, serve_app

WAIT = 5.0            # seconds before a missing frame fails the test (never reached when green)
MARK = "@@"            # stands for the watched word in payload templates
WORD = "forbidden"     # replaced by the `words` filter
REPLACED = "[redacted]"
BANNED = "banned"      # blocks the message through the `stop` filter

# A keyword chain every preset test uses: one word rewritten, one word blocking.
KEYWORD_FILTERS: dict[str, Any] = {
    "words": {"use": "keyword", "options": {"words": [WORD], "action": "replace", "replacement": REPLACED}},
    "stop": {"use": "keyword", "options": {"words": [BANNED], "action": "block"}},
}


def sent(template: str) -> str:
    """What a client or backend sends: the template with the watched word in every marked place."""
    return template.replace(MARK, WORD)


def rewritten(template: str) -> str:
    """What must arrive: the same bytes with only the marked places rewritten."""
    return template.replace(MARK, REPLACED)


@dataclass(frozen=True)
class Hit:
    """One HTTP request as the backend received it."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Reply:
    body: bytes
    content_type: str = "application/json"
    status: int = 200


@dataclass
class Peer:
    """The backend's side of one WebSocket connection, driven by the test."""

    ws: web.WebSocketResponse
    path: str
    inbox: asyncio.Queue[aiohttp.WSMessage] = field(default_factory=asyncio.Queue)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def receive(self) -> aiohttp.WSMessage:
        async with asyncio.timeout(WAIT):
            return await self.inbox.get()

    async def receive_str(self) -> str:
        msg = await self.receive()
        assert msg.type is WSMsgType.TEXT, msg
        return str(msg.data)

    async def closed(self) -> aiohttp.WSMessage:
        """The close (or end) the gateway sent this side, skipping nothing: data first is an error."""
        msg = await self.receive()
        assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING), msg
        return msg


class Backend:
    """A chat backend on loopback: canned HTTP replies per path, test-driven WebSockets."""

    def __init__(self, protocols: tuple[str, ...] = ("xmpp",)) -> None:
        self.protocols = protocols
        self.hits: list[Hit] = []
        self.replies: dict[str, Reply] = {}
        self.peers: asyncio.Queue[Peer] = asyncio.Queue()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def reply(self, path: str, body: str | bytes, content_type: str = "application/json",
              status: int = 200) -> None:
        """Answer requests for `path` (without query) with `body`."""
        self.replies[path] = Reply(body.encode() if isinstance(body, str) else body, content_type, status)

    async def peer(self) -> Peer:
        async with asyncio.timeout(WAIT):
            return await self.peers.get()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        body = await request.read()
        self.hits.append(Hit(request.method, request.raw_path, body, dict(request.headers)))
        reply = self.replies.get(request.path, Reply(b"{}"))
        return web.Response(status=reply.status, body=reply.body, headers={"Content-Type": reply.content_type})

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=self.protocols, autoclose=False)
        await ws.prepare(request)
        peer = Peer(ws, request.raw_path)
        self.peers.put_nowait(peer)
        try:
            while True:
                msg = await ws.receive()
                peer.inbox.put_nowait(msg)
                if msg.type is WSMsgType.CLOSE:
                    await ws.close()
                    break
                if msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        finally:
            peer.done.set()
        return ws


@pytest.fixture
async def backend() -> AsyncIterator[tuple[Backend, str]]:
    chat = Backend()
    async with serve_app(chat.app, shutdown_timeout=0.1) as url:
        yield chat, url


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        yield session


def gateway(upstream_url: str, routes: list[dict[str, Any]], filters: dict[str, Any] | None = None,
            **top: Any) -> AbstractAsyncContextManager[RunningGateway]:
    """The real gateway in front of `upstream_url` with `routes` and named `filters`."""
    return run_gateway(gateway_config(upstream_url, routes, filters=filters or KEYWORD_FILTERS, **top))


def preset(name: str, filters: tuple[str, ...] = ("words", "stop"), **extra: Any) -> dict[str, Any]:
    """A public preset entry for the `up` upstream running `filters`."""
    return {"preset": name, "upstream": "up", "allow": ["anonymous"], "filters": list(filters), **extra}


async def next_message(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The client's next message, or a test failure after WAIT seconds."""
    async with asyncio.timeout(WAIT):
        return await ws.receive()
