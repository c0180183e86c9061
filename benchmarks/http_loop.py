"""The HTTP request path in one process: gateway, backend and client on one event loop, no wrk.

    .venv/bin/python -m benchmarks.http_loop                         # CPU µs per request, every variant
    .venv/bin/python -m benchmarks.http_loop --variants chain noop   # some of them
    .venv/bin/python -m benchmarks.http_loop --profile chain         # cProfile of one variant, top functions
    .venv/bin/python -m benchmarks.http_loop --instructions          # instructions per request (callgrind)
    cd /other/checkout && PYTHONPATH=. /path/to/.venv/bin/python -m benchmarks.http_loop   # another version
                                                                     # (copy this file into an older one)

Each variant serves the benchmark's chat POST (the main table's ~300-byte JSON, answered by a fixed
chat JSON) through the real server, started as `gateway.server.run` starts it (listener with the
connection guard, dispatch, proxy, upstream pool), over loopback sockets. The client and the backend
are minimal asyncio protocols in the same process; `direct` times them alone (the client talking to
the backend), so `gateway` = variant - direct is what the gateway costs per request. Variants:

    direct      the client and the backend only
    pass        pass-through route (no message fields, no filters)
    empty       the chain's route with `filters: []`: both bodies read, parsed, run through an empty
                chain and enforced
    noop        the chain's route with its filters replaced by ones that pass at once
    chain       masking + threat on /text, both directions (the main table's `chain`)

Rounds alternate between the variants; each figure is the best round (on a shared machine the least
disturbed one). On a machine too busy for CPU time to hold still, `--instructions` counts the
instructions per request under valgrind's callgrind instead (1,000 requests after a warm-up; about
half a minute per variant): the same figure whatever else runs, though it does not see system calls
or cache misses.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import yaml
from aiohttp import web

from benchmarks import loop_cli
from benchmarks.chatguard_configs import chatguard_conf
from benchmarks.payload import chat_json
from benchmarks.servers import HTTP_PATH
from filters import Direction

VARIANTS = ("direct", "pass", "empty", "noop", "chain")


class Backend(asyncio.Protocol):
    """Answers every request with the fixed chat JSON (keep-alive; bodies are read by Content-Length)."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio's classes

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            at = head.find(b"\r\ncontent-length:")
            length = int(head[at + 17:head.find(b"\r\n", at + 2) if head.find(b"\r\n", at + 2) > 0 else None]) \
                if at >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            assert self.transport is not None
            self.transport.write(self.answer)


class Client(asyncio.Protocol):
    """One keep-alive connection in a closed loop: send the POST, wait for the whole answer, again."""

    def __init__(self, request: bytes, counter: list[int], watch: Callable[[], None] | None = None) -> None:
        self.request = request
        self.counter = counter
        self.watch = watch  # told of every answer
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.failed: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio's classes
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].lower()
        if not head.startswith(b"http/1.1 200"):
            self.failed = head.decode(errors="replace")
            return
        at = head.find(b"\r\ncontent-length:")
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17:stop if stop > 0 else None])
        if len(self.buffer) < end + 4 + length:
            return
        self.buffer = self.buffer[end + 4 + length:]
        self.counter[0] += 1
        assert self.transport is not None
        self.transport.write(self.request)
        if self.watch is not None:
            self.watch()


async def _serve(variant: str, backend_port: int, workdir: Path) -> tuple[int, web.AppRunner]:
    """Start the gateway for `variant` in this loop as `gateway.server.run` does; (its port, its runner)."""
    from gateway.app import build_app
    from gateway.config.settings import parse_settings
    from gateway.edge.listener import GuardedSite
    from gateway.keys import GUARD, RUNTIME

    conf = chatguard_conf(workdir, "chatguard" if variant == "pass" else "chain", 0, 0, backend_port, backend_port)
    raw = yaml.safe_load(conf.read_text())
    raw["admin"] = {"enabled": False}
    if variant == "empty":
        for route in raw["routes"]:
            route["filters"] = []
    app = build_app(parse_settings(raw))
    if variant == "noop":
        loop_cli.pass_at_once(step for plan in app[RUNTIME].current.plans.values() for direction in Direction
                              for step in plan.chain(direction).steps)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = GuardedSite(runner, app[GUARD], "127.0.0.1", 0, backlog=1024)
    await site.start()
    return int(runner.addresses[0][1]), runner


async def start_backend(size: int) -> tuple[bytes, asyncio.Server, int]:
    """The request body of `size` bytes, and a backend on a free port answering each request with a chat JSON."""
    answer = chat_json().encode()
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % len(answer)) + answer
    backend = await asyncio.get_running_loop().create_server(lambda: Backend(response), "127.0.0.1", 0)
    return chat_json(size).encode(), backend, backend.sockets[0].getsockname()[1]


async def one_round(variant: str, seconds: float, connections: int, size: int,
                    profiler: cProfile.Profile | None = None) -> float:
    """CPU µs per request of this process for one variant over `seconds` after a short warm-up."""
    loop = asyncio.get_running_loop()
    body, backend, backend_port = await start_backend(size)
    with tempfile.TemporaryDirectory(prefix="chatguard-http-loop-") as tmp:
        runner = None
        port = backend_port
        if variant != "direct":
            port, runner = await _serve(variant, backend_port, Path(tmp))
        path = HTTP_PATH.encode()
        request = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % (path, port, len(body))) + body
        counter = [0]
        clients = [(await loop.create_connection(lambda: Client(request, counter), "127.0.0.1", port))[1]
                   for _ in range(connections)]
        await asyncio.sleep(min(1.0, seconds / 3))  # warm-up: pools filled, caches warm
        failed = [c.failed for c in clients if c.failed]
        if failed:
            raise SystemExit(f"{variant}: {failed[0]}")
        gc.collect()
        start_count, start_cpu = counter[0], time.process_time()
        if profiler is not None:
            profiler.enable()
        await asyncio.sleep(seconds)
        if profiler is not None:
            profiler.disable()
        cpu, count = time.process_time() - start_cpu, counter[0] - start_count
        for client in clients:
            if client.transport is not None:
                client.transport.close()
        if runner is not None:
            await runner.cleanup()
        backend.close()
        await backend.wait_closed()
    return 1e6 * cpu / max(count, 1)


async def counted(variant: str, requests: int, connections: int, size: int) -> None:
    """For `--instructions` (run under callgrind with instrumentation off): warm up, say `warm`, and on
    SIGUSR1 (sent once instrumentation is on) serve exactly `requests` more requests, then exit."""
    loop = asyncio.get_running_loop()
    body, backend, port = await start_backend(size)
    workdir = Path(tempfile.mkdtemp(prefix="chatguard-http-loop-"))
    if variant != "direct":
        port, _ = await _serve(variant, port, workdir)
    request = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % (HTTP_PATH.encode(), port, len(body))) + body
    counter = [0]
    stop = [-1]
    warm, done = loop.create_future(), loop.create_future()

    def watch() -> None:
        if counter[0] == 300 and not warm.done():  # warm-up: pools filled, every code path run
            warm.set_result(None)
        if counter[0] == stop[0] and not done.done():
            done.set_result(None)

    def go() -> None:
        stop[0] = counter[0] + requests

    loop.add_signal_handler(signal.SIGUSR1, go)
    clients = [(await loop.create_connection(lambda: Client(request, counter, watch), "127.0.0.1", port))[1]
               for _ in range(connections)]
    await asyncio.wait_for(warm, 600)  # a backend or gateway that does not answer: no figure
    failed = [c.failed for c in clients if c.failed]
    if failed:
        raise SystemExit(f"{variant}: {failed[0]}")
    print("warm", flush=True)
    await done
    shutil.rmtree(workdir, ignore_errors=True)
    os._exit(0)  # at once: what follows the last request is not counted


LOOP = loop_cli.Loop("benchmarks.http_loop", VARIANTS, "req", "--requests", 3.0, one_round, counted)


async def measure(variants: list[str], rounds: int, seconds: float, connections: int, size: int) -> dict[str, float]:
    return await loop_cli.measure(LOOP, variants, rounds, seconds, connections, size)


def main(argv: list[str] | None = None) -> None:
    loop_cli.main(LOOP, __doc__ or "", argv)


if __name__ == "__main__":
    main()
