"""Real servers on loopback for tests: an upstream app and the gateway in front of it."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from yarl import URL

from gateway.app import build_app
from gateway.config.settings import Settings, parse_settings
from gateway.edge.listener import GuardedSite
from gateway.keys import GUARD


async def wait_until(condition: Callable[[], bool], patience: float = 10.0) -> None:
    """Poll a state that another task reaches on its own (bounded; not a timing assertion)."""
    for _ in range(int(patience / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def exchange_raw(url: str, raw: bytes, within: float) -> bytes:
    """Write `raw` to the listener at `url` and read until it closes the connection: framing cases
    need bytes no client library would send."""
    parsed = URL(url)
    reader, writer = await asyncio.open_connection(parsed.host, parsed.port)
    try:
        writer.write(raw)
        await writer.drain()
        async with asyncio.timeout(within):
            return await reader.read(-1)
    finally:
        writer.close()


STARTS_WITHIN = 60.0  # seconds for a gateway process to answer: a bound for a hung start on a loaded machine


async def answers_health(admin_port: int, exited: Callable[[], bool], within: float = STARTS_WITHIN) -> bool:
    """Whether a gateway process just started answers `/healthz` on its admin port within `within` seconds;
    False at once when `exited()` says the process is gone (it failed to start)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with aiohttp.ClientSession() as client:
        while loop.time() < deadline:
            try:
                async with client.get(f"http://127.0.0.1:{admin_port}/healthz") as resp:
                    if resp.status == 200:
                        return True
            except aiohttp.ClientError:
                pass
            if exited():
                return False
            await asyncio.sleep(0.05)
    return False


def answers_health_blocking(admin_port: int, exited: Callable[[], bool], within: float = STARTS_WITHIN) -> bool:
    """`answers_health` for synchronous code, whether or not an event loop runs in this thread (it waits on
    a loop of its own in another thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, answers_health(admin_port, exited, within)).result()


@asynccontextmanager
async def serve_app(app: web.Application, *, ssl_context: ssl.SSLContext | None = None,
                    shutdown_timeout: float = 1.0) -> AsyncIterator[str]:
    """Run `app` on 127.0.0.1 with a free port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site: web.BaseSite
    if GUARD in app:  # the gateway: its listener, with deadlines and connection caps, as in production
        site = GuardedSite(runner, app[GUARD], "127.0.0.1", 0, ssl_context=ssl_context)
    else:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    host, port = runner.addresses[0][:2]
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://{host}:{port}"
    finally:
        await runner.cleanup()


async def until(condition: Callable[[], bool], what: str, within: float = 30.0) -> None:
    """Wait for `condition` (a cheap, non-blocking check); fail naming `what` after `within` seconds.

    The bound is for a hang, not a performance figure: the machine may be busy."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@dataclass
class RunningGateway:
    url: str
    app: web.Application
    settings: Settings


def route(path: str, upstream: str = "up", **extra: Any) -> dict[str, Any]:
    """A public route to `upstream`; keyword arguments add or override route keys."""
    match = {"path": path}
    for key in ("methods", "host", "websocket"):
        if key in extra:
            match[key] = extra.pop(key)
    return {"match": match, "upstream": upstream, "allow": ["anonymous"], **extra}


def auth_settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    """An `auth:` section for tests: users in SQLite under `tmp_path`, a fresh Ed25519 signing key and
    TOTP key, and password hashing made cheap."""
    from gateway.auth.tokens import generate_pem

    key = tmp_path / "signing.pem"
    key.write_bytes(generate_pem("EdDSA"))
    return {
        "store": f"sqlite://{tmp_path}/users.db",
        "jwt": {"signing_keys": [str(key)]},
        "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode()},
        "argon2_time_cost": 1, "argon2_memory_kib": 1024, **extra,
    }


class LoopTicks:
    """Counts turns of the event loop while in use: proof that the loop was not held (not a timing)."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.count += 1

    async def __aenter__(self) -> LoopTicks:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def gateway_config(upstream_url: str, routes: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"upstreams": {"up": {"url": upstream_url}}, "routes": routes,
            "logging": {"access_log": False}, **top}


@asynccontextmanager
async def run_gateway(config: dict[str, Any], source: str = "") -> AsyncIterator[RunningGateway]:
    """Build the gateway from a config dict through the real settings path and serve it (`source`: the
    file the config is said to come from)."""
    settings = parse_settings(config, source=source, environ={})
    app = build_app(settings)
    async with serve_app(app) as url:
        yield RunningGateway(url, app, settings)


def install_filter_plugins(directory: Path, monkeypatch: pytest.MonkeyPatch, plugins: dict[str, str]) -> None:
    """Register filter classes (`{"use-name": "module:Class"}`) as installed entry points.

    Writes a distribution's metadata into `directory` and puts it on `sys.path`, so the
    classes load through the same `chatguard.filters` entry-point lookup as real plugins.
    """
    dist = directory / "chatguard_test_plugins-0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chatguard-test-plugins\nVersion: 0\n")
    lines = ["[chatguard.filters]", *(f"{name} = {target}" for name, target in plugins.items())]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(directory))


class RawWebSocket:
    """A hand-made WebSocket client for what client libraries never do on purpose.

    It sends fragmented messages, arbitrary opcodes and close payloads, and reads only
    when told to (a client that never reads is how backpressure is tested).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: int,
                 headers: dict[str, str]) -> None:
        self.reader = reader
        self.writer = writer
        self.status = status
        self.headers = headers

    @classmethod
    async def connect(cls, base_url: str, path: str, headers: dict[str, str] | None = None,
                      receive_buffer: int | None = None) -> RawWebSocket:
        url = URL(base_url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (url.host, url.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=2**20)
        key = base64.b64encode(os.urandom(16)).decode()
        request = {"Host": f"{url.host}:{url.port}", "Upgrade": "websocket", "Connection": "Upgrade",
                   "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", **(headers or {})}
        writer.write(f"GET {path} HTTP/1.1\r\n".encode()
                     + "".join(f"{k}: {v}\r\n" for k, v in request.items()).encode() + b"\r\n")
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        got = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        return cls(reader, writer, status, got)

    def send_frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        """Queue one masked frame (no await: the caller decides when to drain)."""
        mask = os.urandom(4)
        first = (0x80 if fin else 0) | opcode
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", first, 0x80 | size)
        elif size < 65536:
            header = struct.pack("!BBH", first, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", first, 0x80 | 127, size)
        key = (mask * (size // 4 + 1))[:size]
        masked = (int.from_bytes(payload) ^ int.from_bytes(key)).to_bytes(size) if size else b""
        self.writer.write(header + mask + masked)

    async def read_frame(self) -> tuple[bool, int, bytes]:
        """(fin, opcode, payload) of the next frame from the server (never masked)."""
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return bool(first & 0x80), first & 0x0F, await self.reader.readexactly(size)

    def close(self) -> None:
        self.writer.close()


class WsUpstream:
    """A WebSocket backend for tests: records handshakes and closes, echoes, closes or floods on request.

    Paths: `/ws/echo` echoes every message (a text `close:CODE:REASON` makes it close with
    that code instead, `big:N` makes it send N bytes); `/ws/flood` sends `flood_chunk` binary messages until `flood_limit`
    bytes are out; `/ws/refuse/STATUS` answers the upgrade with that plain HTTP status.
    """

    def __init__(self, protocols: tuple[str, ...] = ("xmpp", "mqtt")) -> None:
        self.protocols = protocols
        self.handshakes: list[web.Request] = []
        self.received: list[str | bytes] = []
        self.closes: list[tuple[int | None, str]] = []
        self.closed = asyncio.Event()
        self.flood_chunk = b"\x00" * 16384
        self.flood_limit = 64 << 20
        self.flood_sent = 0
        self.flood_transport: asyncio.Transport | None = None
        self.app = web.Application()
        self.app.router.add_get("/ws/echo", self.echo)
        self.app.router.add_get("/ws/flood", self.flood)
        self.app.router.add_get("/ws/refuse/{status}", self.refuse)

    async def _accept(self, request: web.Request) -> web.WebSocketResponse:
        self.handshakes.append(request)
        ws = web.WebSocketResponse(protocols=self.protocols, max_msg_size=0)
        await ws.prepare(request)
        return ws

    async def echo(self, request: web.Request) -> web.WebSocketResponse:
        ws = await self._accept(request)
        try:
            while True:
                msg = await ws.receive()
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    self.received.append(msg.data)
                if msg.type is WSMsgType.TEXT and msg.data.startswith("close:"):
                    _, code, reason = msg.data.split(":", 2)
                    await ws.close(code=int(code), message=reason.encode())
                    self.closes.append((ws.close_code, "reply"))
                    break
                if msg.type is WSMsgType.TEXT and msg.data.startswith("big:"):
                    await ws.send_bytes(b"x" * int(msg.data[4:]))
                elif msg.type is WSMsgType.TEXT:
                    await ws.send_str(msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await ws.send_bytes(msg.data)
                elif msg.type is WSMsgType.CLOSE:
                    self.closes.append((msg.data, msg.extra or ""))
                    break
                else:
                    self.closes.append((ws.close_code, "no close frame"))
                    break
        finally:
            self.closed.set()
        return ws

    async def flood(self, request: web.Request) -> web.WebSocketResponse:
        ws = await self._accept(request)
        self.flood_transport = request.transport  # type: ignore[assignment]
        try:
            while self.flood_sent < self.flood_limit and not ws.closed:
                await ws.send_bytes(self.flood_chunk)
                self.flood_sent += len(self.flood_chunk)
        except ConnectionResetError:
            pass  # the gateway hung up: the test is over
        return ws

    async def refuse(self, request: web.Request) -> web.Response:
        self.handshakes.append(request)
        return web.Response(status=int(request.match_info["status"]), text="no")



@asynccontextmanager
async def recording_backend() -> AsyncIterator[tuple[list[str], str]]:
    """A backend answering `{"ok": true}` to every request and keeping each request's body, in order."""
    reached: list[str] = []

    async def record(request: web.Request) -> web.Response:
        reached.append(await request.text())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    async with serve_app(app) as url:
        yield reached, url

@asynccontextmanager
async def serve_ws_upstream(protocols: tuple[str, ...] = ("xmpp", "mqtt")) -> AsyncIterator[tuple[WsUpstream, str]]:
    upstream = WsUpstream(protocols)
    async with serve_app(upstream.app) as url:
        yield upstream, url
