"""The demo chat backend: rooms kept in memory, a REST API, a WebSocket per room and one page.

It trusts its callers completely, like many real chat backends do: protecting it is the
gateway's job. It still rejects malformed input so the demo shows clean errors.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiohttp import WSMsgType, web

__all__ = ["HISTORY", "MAX_TEXT", "MAX_USER", "ChatStore", "Room", "create_app", "start_backend"]

HISTORY = 200          # messages kept per room; older ones fall off
MAX_TEXT = 4000        # characters
MAX_USER = 64          # characters
ROOM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PAGE = Path(__file__).with_name("static") / "index.html"


@dataclass
class Room:
    """One room's recent history and the WebSockets listening to it."""

    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY))
    sockets: set[web.WebSocketResponse] = field(default_factory=set)


class ChatStore:
    """All rooms of one backend; ids are unique per store so clients can de-duplicate."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self._ids = itertools.count(1)

    def room(self, name: str) -> Room:
        return self.rooms.setdefault(name, Room())

    async def post(self, room_name: str, user: str, text: str) -> dict[str, Any]:
        """Store a message and send it to every socket in the room; returns the stored message."""
        message = {"id": next(self._ids), "user": user, "text": text, "ts": int(time.time() * 1000)}
        room = self.room(room_name)
        room.history.append(message)
        frame = orjson.dumps({"type": "message", **message}).decode()
        for ws in list(room.sockets):
            if ws.closed:
                room.sockets.discard(ws)
                continue
            try:
                await ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                room.sockets.discard(ws)  # the peer went away mid-send; it is not our problem
        return message


STORE = web.AppKey("store", ChatStore)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, dumps=lambda o: orjson.dumps(o).decode())


def _room_name(request: web.Request) -> str:
    name = request.match_info["room"]
    if not ROOM_NAME.fullmatch(name):
        raise web.HTTPBadRequest(text='{"error": "bad room name"}', content_type="application/json")
    return name


def validate_message(data: Any) -> tuple[str, str] | str:
    """Return (user, text) from a decoded payload, or an error message."""
    if not isinstance(data, dict):
        return "expected a JSON object"
    user, text = data.get("user"), data.get("text")
    if not isinstance(user, str) or not user.strip() or len(user) > MAX_USER:
        return f"'user' must be a non-empty string of at most {MAX_USER} characters"
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return f"'text' must be a non-empty string of at most {MAX_TEXT} characters"
    return user.strip(), text


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PAGE, headers={"Cache-Control": "no-cache"})


async def list_messages(request: web.Request) -> web.Response:
    room = request.app[STORE].rooms.get(_room_name(request))
    messages = list(room.history) if room else []
    return web.Response(body=orjson.dumps({"messages": messages}), content_type="application/json")


async def post_message(request: web.Request) -> web.Response:
    name = _room_name(request)
    try:
        data = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return _error(400, "body is not valid JSON")
    checked = validate_message(data)
    if isinstance(checked, str):
        return _error(400, checked)
    message = await request.app[STORE].post(name, *checked)
    return web.Response(body=orjson.dumps(message), status=201, content_type="application/json")


async def room_socket(request: web.Request) -> web.WebSocketResponse:
    """Each text frame `{"type":"message","user","text"}` is stored and broadcast to the room."""
    name = _room_name(request)
    store = request.app[STORE]
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
    await ws.prepare(request)
    room = store.room(name)
    room.sockets.add(ws)
    try:
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            try:
                data = orjson.loads(frame.data)
            except orjson.JSONDecodeError:
                await ws.send_str('{"type":"error","error":"frame is not valid JSON"}')
                continue
            if not isinstance(data, dict) or data.get("type") != "message":
                await ws.send_str('{"type":"error","error":"expected type \\"message\\""}')
                continue
            checked = validate_message(data)
            if isinstance(checked, str):
                await ws.send_str(orjson.dumps({"type": "error", "error": checked}).decode())
                continue
            await store.post(name, *checked)
    finally:
        room.sockets.discard(ws)
    return ws


async def _close_sockets(app: web.Application) -> None:
    for room in app[STORE].rooms.values():
        for ws in list(room.sockets):
            await ws.close(code=1001, message=b"server shutting down")


def create_app(store: ChatStore | None = None) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    app[STORE] = store or ChatStore()
    app.router.add_get("/", index)
    app.router.add_get("/api/rooms/{room}/messages", list_messages)
    app.router.add_post("/api/rooms/{room}/messages", post_message)
    app.router.add_get("/ws/{room}", room_socket)
    app.on_shutdown.append(_close_sockets)
    return app


async def start_backend(host: str, port: int) -> web.AppRunner:
    """Serve the backend on host:port; the caller owns the runner and must `cleanup()` it."""
    runner = web.AppRunner(create_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
