"""WebSocket round-trip load generator: N connections, each sends a chat frame and waits for its echo.

`python -m benchmarks.wsload --port P --path /ws/bench --connections 64 --seconds 10` prints one JSON
line: round trips completed in the window, msg/s, p50/p99 latency. One process on one core; framing is
hand-rolled (benchmarks/wsframes.py) and the outgoing frame is built once, so the client stays cheap.

`--idle N` instead opens N WebSockets that send nothing, prints `open N` once they are all upgraded,
holds them until a line arrives on stdin (the caller measures the proxy's memory meanwhile), then
closes them and prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import time
from array import array
from typing import cast

import uvloop

from benchmarks import tools, wsframes
from benchmarks.payload import DEFAULT_SIZE, chat_json


class Client(asyncio.Protocol):
    """One connection doing closed-loop round trips while `shared.running` is true."""

    def __init__(self, shared: Shared, request: bytes) -> None:
        self.shared = shared
        self.request = request
        self.buf = bytearray()
        self.upgraded = False
        self.sent_at = 0
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.shared.errors += not self.idle.done()
        for fut in (self.ready, self.idle):
            if not fut.done():
                fut.set_exception(ConnectionError("connection lost")) if fut is self.ready else fut.set_result(None)

    def send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter_ns()
        self.transport.write(self.shared.frame)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded:
            status = wsframes.take_handshake(self.buf)
            if status is None:
                return
            if not wsframes.switched(status):
                self.ready.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded = True
            self.ready.set_result(None)
        shared = self.shared
        while (parsed := wsframes.parse(self.buf)) is not None:
            _, opcode, payload = parsed
            if opcode == wsframes.OP_PING:
                assert self.transport is not None
                self.transport.write(wsframes.frame(wsframes.OP_PONG, payload, masked=True))
                continue
            if opcode not in (wsframes.OP_TEXT, wsframes.OP_BINARY):
                continue
            now = time.perf_counter_ns()
            if shared.measuring:
                shared.latencies.append(now - self.sent_at)
            if shared.running:
                self.send()
            elif not self.idle.done():
                self.idle.set_result(None)


class Shared:
    def __init__(self, payload: bytes) -> None:
        self.frame = wsframes.frame(wsframes.OP_TEXT, payload, masked=True)
        self.running = True
        self.measuring = False
        self.errors = 0
        self.latencies = array("q")


def upgrade_request(host: str, port: int, path: str, origin: str) -> bytes:
    key = base64.b64encode(os.urandom(16))
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n").encode() + b"Sec-WebSocket-Key: " + key + b"\r\n\r\n"


async def connect(shared: Shared, host: str, port: int, request: bytes, count: int, batch: int = 200) -> list[Client]:
    """`count` upgraded connections, opened `batch` at a time (a burst of thousands overflows accept queues)."""
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    while len(clients) < count:
        opened = []
        for _ in range(min(batch, count - len(clients))):
            _, client = await loop.create_connection(lambda: Client(shared, request), host, port)
            opened.append(client)
        await asyncio.wait_for(asyncio.gather(*(c.ready for c in opened)), 30)
        clients += opened
    return clients


def close_all(clients: list[Client]) -> None:
    close = wsframes.frame(wsframes.OP_CLOSE, (1000).to_bytes(2, "big"), masked=True)
    for client in clients:
        if client.transport is not None:
            client.transport.write(close)
            client.transport.close()


async def hold_idle(host: str, port: int, path: str, connections: int, origin: str) -> dict[str, float | int]:
    """Open `connections` idle WebSockets, report, hold them until stdin says go, close them."""
    shared = Shared(b"")
    clients = await connect(shared, host, port, upgrade_request(host, port, path, origin), connections)
    print(f"open {len(clients)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    lost = shared.errors
    close_all(clients)
    await asyncio.sleep(0.5)
    return {"connections": len(clients), "errors": lost}


async def run(host: str, port: int, path: str, connections: int, seconds: float, warmup: float,
              origin: str, size: int = DEFAULT_SIZE) -> dict[str, float | int]:
    shared = Shared(chat_json(size).encode())
    clients = await connect(shared, host, port, upgrade_request(host, port, path, origin), connections)
    for client in clients:
        client.send()
    await asyncio.sleep(warmup)
    shared.latencies = array("q")
    shared.measuring = True
    print("measuring", flush=True)
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    shared.measuring = False
    elapsed = time.perf_counter() - started
    shared.running = False
    await asyncio.wait([c.idle for c in clients], timeout=5)
    close_all(clients)
    lat = sorted(shared.latencies)
    count = len(lat)
    return {
        "messages": count,
        "seconds": round(elapsed, 3),
        "msg_per_s": round(count / elapsed, 1),
        "p50_us": round(lat[count // 2] / 1000, 1) if count else 0.0,
        "p99_us": round(lat[min(count - 1, count * 99 // 100)] / 1000, 1) if count else 0.0,
        "errors": shared.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/ws/bench")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--origin", default="http://127.0.0.1")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="message size in bytes (about)")
    parser.add_argument("--idle", type=int, default=0, help="open this many idle WebSockets instead (see above)")
    args = parser.parse_args()
    tools.raise_fd_limit()
    if args.idle:
        result = uvloop.run(hold_idle(args.host, args.port, args.path, args.idle, args.origin))
    else:
        result = uvloop.run(run(args.host, args.port, args.path, args.connections, args.seconds, args.warmup,
                                args.origin, args.size))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
