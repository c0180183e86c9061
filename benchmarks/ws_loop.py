"""The WebSocket echo round trip in one process: gateway, echo backend and clients on one event loop.

    .venv/bin/python -m benchmarks.ws_loop                          # CPU µs per round trip, every variant
    .venv/bin/python -m benchmarks.ws_loop --variants pass chain    # some of them
    .venv/bin/python -m benchmarks.ws_loop --profile chain          # cProfile of one variant, top functions
    .venv/bin/python -m benchmarks.ws_loop --instructions           # instructions per round trip (callgrind)
    cd /tmp && PYTHONPATH=/other/checkout /path/to/.venv/bin/python -m benchmarks.ws_loop   # another version

What `benchmarks.inspect_loop` leaves out: the frames read and written by aiohttp on both legs, the
relay's pumps and the event loop, as the main table's WebSocket rows pay them. Each client sends the
benchmark's chat frame, waits for its echo and sends it again (closed loop, as `wsload`); the backend
is `wsecho`'s protocol; the gateway is the real server on loopback, started as `gateway.server.run`
starts it. Variants (`chatguard_configs`):

    direct      the clients talking to the echo backend alone
    pass        pass-through route (no message fields, no filters)
    fields      the chain's route with `filters: []`: every frame read by the codec and decided
    noop        the chain's route with its filters replaced by ones that pass at once
    chain       masking + threat on /text, both directions (the main table's `chain`)

Rounds alternate between the variants; each figure is the best round. `--instructions` counts the
instructions per round trip of the whole process under valgrind's callgrind instead (1,000 round trips
after a warm-up), which a busy machine does not move; it does not see system calls or cache misses.
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

from benchmarks import loop_cli, wsframes
from benchmarks.chatguard_configs import chatguard_conf
from benchmarks.payload import chat_json
from benchmarks.servers import WS_PATH
from benchmarks.wsecho import Echo
from benchmarks.wsload import upgrade_request
from filters import Direction

VARIANTS = ("direct", "pass", "fields", "noop", "chain")


class Client(asyncio.Protocol):
    """One WebSocket in a closed loop: send the frame, wait for its echo, again."""

    def __init__(self, upgrade: bytes, frame: bytes, counter: list[int], watch: Callable[[], None] | None = None) -> None:
        self.upgrade = upgrade
        self.frame = frame
        self.counter = counter
        self.watch = watch  # told of every echo
        self.buf = bytearray()
        self.upgraded = False
        self.failed: str | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio's classes
        transport.write(self.upgrade)

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        self.buf += data
        if not self.upgraded:
            status = wsframes.take_handshake(self.buf)
            if status is None:
                return
            if not wsframes.switched(status):
                self.failed = status.decode(errors="replace")
                return
            self.upgraded = True
            transport.write(self.frame)
        while (parsed := wsframes.parse(self.buf)) is not None:
            _, opcode, payload = parsed
            if opcode == wsframes.OP_PING:
                transport.write(wsframes.frame(wsframes.OP_PONG, payload, masked=True))
            elif opcode in (wsframes.OP_TEXT, wsframes.OP_BINARY):
                self.counter[0] += 1
                transport.write(self.frame)
                if self.watch is not None:
                    self.watch()


async def _serve(variant: str, backend_port: int, workdir: Path) -> tuple[int, web.AppRunner]:
    """Start the gateway for `variant` in this loop as `gateway.server.run` does; (its port, its runner)."""
    from gateway.app import build_app
    from gateway.config.settings import parse_settings
    from gateway.edge.listener import GuardedSite
    from gateway.keys import GUARD, RUNTIME

    config = {"pass": "chatguard", "fields": "fields"}.get(variant, "chain")
    conf = chatguard_conf(workdir, config, 0, 0, backend_port, backend_port)
    raw = yaml.safe_load(conf.read_text())
    raw["admin"] = {"enabled": False}
    app = build_app(parse_settings(raw))
    if variant == "noop":
        loop_cli.pass_at_once(step for plan in app[RUNTIME].current.plans.values() for direction in Direction
                              for step in plan.chain(direction).steps)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = GuardedSite(runner, app[GUARD], "127.0.0.1", 0, backlog=1024)
    await site.start()
    return int(runner.addresses[0][1]), runner


async def _start(variant: str, connections: int, size: int, workdir: Path, counter: list[int],
                 watch: Callable[[], None] | None = None) -> tuple[list[Client], asyncio.Server, web.AppRunner | None]:
    """The echo backend, the gateway (but for `direct`) and `connections` clients, each with its first frame sent."""
    loop = asyncio.get_running_loop()
    backend = await loop.create_server(Echo, "127.0.0.1", 0)
    port = backend.sockets[0].getsockname()[1]
    runner = None
    if variant != "direct":
        port, runner = await _serve(variant, port, workdir)
    upgrade = upgrade_request("127.0.0.1", port, WS_PATH, f"http://127.0.0.1:{port}")
    frame = wsframes.frame(wsframes.OP_TEXT, chat_json(size).encode(), masked=True)
    clients = [(await loop.create_connection(lambda: Client(upgrade, frame, counter, watch), "127.0.0.1", port))[1]
               for _ in range(connections)]
    return clients, backend, runner


async def one_round(variant: str, seconds: float, connections: int, size: int,
                    profiler: cProfile.Profile | None = None) -> float:
    """CPU µs per round trip of this process for one variant over `seconds` after a short warm-up."""
    counter = [0]
    with tempfile.TemporaryDirectory(prefix="chatguard-ws-loop-") as tmp:
        clients, backend, runner = await _start(variant, connections, size, Path(tmp), counter)
        await asyncio.sleep(min(1.0, seconds / 3))  # warm-up: every connection upgraded, caches warm
        for _ in range(600):  # a busy machine: the first echoes may take longer than the warm-up
            failed = [c.failed for c in clients if c.failed]
            if failed:
                raise SystemExit(f"{variant}: {failed[0]}")
            if counter[0]:
                break
            await asyncio.sleep(0.1)
        else:
            raise SystemExit(f"{variant}: no echo came back")
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
    return 1e6 * cpu / max(count, 1)


async def counted(variant: str, trips: int, connections: int, size: int) -> None:
    """For `--instructions` (run under callgrind with instrumentation off): warm up, say `warm`, and on
    SIGUSR1 (sent once instrumentation is on) make exactly `trips` more round trips, then exit."""
    loop = asyncio.get_running_loop()
    counter = [0]
    stop = [-1]
    warm, done = loop.create_future(), loop.create_future()

    def watch() -> None:
        if counter[0] == 300 and not warm.done():  # warm-up: every connection upgraded, every code path run
            warm.set_result(None)
        if counter[0] == stop[0] and not done.done():
            done.set_result(None)

    def go() -> None:
        stop[0] = counter[0] + trips

    loop.add_signal_handler(signal.SIGUSR1, go)
    workdir = Path(tempfile.mkdtemp(prefix="chatguard-ws-loop-"))
    clients, _, _ = await _start(variant, connections, size, workdir, counter, watch)
    await asyncio.wait_for(warm, 600)  # a backend or gateway that does not answer: no figure
    failed = [c.failed for c in clients if c.failed]
    if failed:
        raise SystemExit(f"{variant}: {failed[0]}")
    print("warm", flush=True)
    await done
    shutil.rmtree(workdir, ignore_errors=True)
    os._exit(0)  # at once: what follows the last round trip is not counted


LOOP = loop_cli.Loop("benchmarks.ws_loop", VARIANTS, "round trip", "--trips", 2.0, one_round, counted)


async def measure(variants: list[str], rounds: int, seconds: float, connections: int, size: int) -> dict[str, float]:
    return await loop_cli.measure(LOOP, variants, rounds, seconds, connections, size)


def main(argv: list[str] | None = None) -> None:
    loop_cli.main(LOOP, __doc__ or "", argv)


if __name__ == "__main__":
    main()
