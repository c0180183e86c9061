"""The inspection path of one WebSocket echo round trip, in-process: no sockets, no load generator.

    .venv/bin/python -m benchmarks.inspect_loop                  # CPU µs per round trip, best of 5 rounds
    .venv/bin/python -m benchmarks.inspect_loop --noop-filters   # the gateway's own work only
    .venv/bin/python -m benchmarks.inspect_loop --profile        # cProfile of the loop, top functions
    .venv/bin/python -m benchmarks.inspect_loop --instructions [--noop-filters]   # instructions (callgrind)
    cd /path/to/other/checkout && .venv/bin/python -m benchmarks.inspect_loop   # another version

The benchmark's chat frame goes through `Bridge._filtered` as the relay calls it, inbound and then
outbound (the chain config of `make bench`: masking + threat on `/text`, both directions), which is
what the server does per echo round trip besides reading and writing the frames. Also timed: the same
filters called directly on the frame's text, so `gateway` = round trip - filters alone is the cost of
the codec, the chain's bookkeeping and budget, the decision and the metrics. Rounds alternate between
the two, and each figure is the best round: on a shared machine the least disturbed one. (Another
version is measured from its own directory: `python -m` puts the current directory ahead of
`PYTHONPATH`, so `PYTHONPATH=other` alone measures the tree you stand in.)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
import yaml
from aiohttp.test_utils import make_mocked_request

from benchmarks import callgrind, loop_cli
from benchmarks.chatguard_configs import chatguard_conf
from benchmarks.payload import DEFAULT_SIZE, chat_json
from filters import ANONYMOUS, Channel, Direction, Message
from gateway.app import build_app
from gateway.config.settings import parse_settings
from gateway.inspect.exchange import Exchange
from gateway.inspect.frames import FrameInspector
from gateway.keys import RUNTIME
from gateway.proxy.ws_bridge import Bridge


async def measure(count: int, rounds: int, size: int, noop: bool, profile: bool,
                  counted: bool = False) -> dict[str, float]:
    """CPU µs per round trip (`round trip`), per the same filter calls alone, and their difference.
    `counted` (the child of `--instructions`, under callgrind with instrumentation off): after the warm-up,
    say `warm`, wait for SIGUSR1 (instrumentation on), make `count` round trips and exit."""
    with tempfile.TemporaryDirectory(prefix="chatguard-inspect-loop-") as tmp:
        conf = chatguard_conf(Path(tmp), "chain", 1, 2, 3, 4)
        app = build_app(parse_settings(yaml.safe_load(conf.read_text())))
    runtime = app[RUNTIME].current
    plan = runtime.plans["ws"]
    steps = [step for direction in Direction for step in plan.chain(direction).steps]
    if noop:
        loop_cli.pass_at_once(steps)
    request = make_mocked_request("GET", "/ws/bench", headers={"Upgrade": "websocket", "Connection": "Upgrade"},
                                  app=app)
    exchange = Exchange(request=request, runtime=runtime, plan=plan, request_id="bench", client="127.0.0.1",
                        principal=ANONYMOUS, conversation="bench", websocket=True)
    bridge = Bridge(exchange, None, None, {}, 1.0)  # type: ignore[arg-type]  # no sockets: only _filtered runs
    frame = chat_json(size)
    text = json.loads(frame)["text"]
    inbound, outbound = plan.codec(Direction.INBOUND), plan.codec(Direction.OUTBOUND)
    assert inbound is not None and outbound is not None
    to_backend = FrameInspector(exchange, Direction.INBOUND, inbound)
    to_client = FrameInspector(exchange, Direction.OUTBOUND, outbound)
    alone = [(step.filter, Message(text=text, direction=direction, channel=Channel.WS, route=plan.name, field="/text"))
             for direction in Direction for step in plan.chain(direction).steps]

    async def round_trip() -> None:
        relayed = await bridge._filtered(to_backend, Direction.INBOUND, None, frame)  # type: ignore[arg-type]
        assert relayed is not None, "the benchmark's frame was stopped"
        # aiohttp hands the relay text frames as str (`decode_text`), as it does the first leg
        assert await bridge._filtered(to_client, Direction.OUTBOUND, None, relayed.decode()) is not None  # type: ignore[arg-type]

    async def filters_alone() -> None:  # by the path the chain calls them by (`inspect_now` where it answers)
        for flt, message in alone:
            if flt.inspect_now(message) is None:
                await flt.inspect(message)

    cases: dict[str, Callable[[], Awaitable[None]]] = {"round trip": round_trip, "filters alone": filters_alone}
    for run in cases.values():
        for _ in range(max(1, count // 10)):
            await run()
    if counted:
        go = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, go.set_result, None)
        print("warm", flush=True)
        await go
        for _ in range(count):
            await round_trip()
        os._exit(0)  # at once: what follows the last round trip is not counted
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            await round_trip()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):
        for name, run in cases.items():
            started = time.process_time()
            for _ in range(count):
                await run()
            best[name] = min(best[name], (time.process_time() - started) / count * 1e6)
    best["gateway"] = best["round trip"] - best["filters alone"]
    return best


def instructions(count: int, size: int, noop: bool) -> float:
    """Instructions per round trip under valgrind's callgrind, over `count` round trips after the warm-up:
    the same figure however busy the machine is (it does not see cache misses)."""
    return callgrind.per_operation("benchmarks.inspect_loop", ["--counted", "--count", str(count), "--size", str(size),
                                   *(["--noop-filters"] if noop else [])], count, "inspect_loop")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inspect_loop", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500, help="round trips per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="bytes of the chat frame")
    parser.add_argument("--noop-filters", action="store_true", help="filters that pass at once: the gateway alone")
    parser.add_argument("--profile", action="store_true", help="print the top functions of a cProfile run first")
    parser.add_argument("--instructions", action="store_true",
                        help="instructions per round trip under callgrind instead of CPU time (needs valgrind)")
    parser.add_argument("--counted", action="store_true", help=argparse.SUPPRESS)  # the child of --instructions
    args = parser.parse_args(argv)
    if args.instructions:
        print(f"instructions per echo round trip (two inspections): "
              f"{instructions(args.count, args.size, args.noop_filters):,.0f}")
        return 0
    if args.counted:
        uvloop.run(measure(args.count, 1, args.size, args.noop_filters, False, counted=True))
    figures: dict[str, Any] = uvloop.run(measure(args.count, args.rounds, args.size, args.noop_filters, args.profile))
    print("CPU µs per echo round trip (two inspections): "
          + ", ".join(f"{name} {value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
