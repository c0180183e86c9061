"""Where the memory of an idle bridged WebSocket goes: Python objects per socket, by allocation site.

`python -m benchmarks.ws_memory --sockets 500` serves the benchmark's pass-through config in this
process (uvloop), with `benchmarks.wsecho` as the upstream and `benchmarks.wsload --idle` as the
clients (both separate processes, so only the gateway's objects are counted), and prints the
objects still allocated per open socket (tracemalloc, after a collection), grouped by the source
line that allocated them (`--group file` by file, `--frames N` deeper tracebacks).
The RSS figure of the idle suite (`python -m benchmarks.run --suites idle`) adds the allocator's
overhead and fragmentation to this; this one says which objects to look at.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import uvloop

from benchmarks import servers
from benchmarks.chatguard_configs import chatguard_conf
from gateway.config.settings import load_settings
from gateway.server import run, tune_gc


async def _measure(sockets: int, group: str, frames: int, top: int, variant: str) -> None:
    upstream_port, port, admin = servers.free_port(), servers.free_port(), servers.free_port()
    echo = await asyncio.create_subprocess_exec(sys.executable, "-m", "benchmarks.wsecho", str(upstream_port),
                                                cwd=servers.REPO)
    stop, ready = asyncio.Event(), asyncio.Event()
    with tempfile.TemporaryDirectory() as work:
        conf = chatguard_conf(Path(work), variant, port, admin, servers.free_port(), upstream_port)
        settings = load_settings(conf)
        serving = asyncio.get_running_loop().create_task(run(settings, None, ready=ready, stop=stop))
        try:
            await asyncio.wait_for(ready.wait(), 60)
            await _hold(port, 20)  # code paths, pools and caches warmed up before counting
            gc.collect()
            tracemalloc.start(frames)
            before = tracemalloc.take_snapshot()
            await _hold(port, sockets, lambda: _report(before, sockets, group, top))
            tracemalloc.stop()
        finally:
            stop.set()
            await serving
            echo.terminate()
            await echo.wait()


async def _hold(port: int, count: int, while_open: Callable[[], None] | None = None) -> None:
    """Open `count` idle WebSockets through the gateway, call `while_open`, close them."""
    command = [sys.executable, "-m", "benchmarks.wsload", "--port", str(port), "--path", servers.WS_PATH,
               "--idle", str(count), "--origin", f"http://127.0.0.1:{port}"]
    proc = await asyncio.create_subprocess_exec(*command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                cwd=servers.REPO)
    assert proc.stdout is not None and proc.stdin is not None
    opened = await proc.stdout.readline()
    if not opened.startswith(b"open"):
        proc.kill()
        raise RuntimeError(f"idle {count}: {opened!r}")
    await asyncio.sleep(1.0)
    if while_open is not None:
        while_open()
    proc.stdin.write(b"\n")
    await proc.stdin.drain()
    await proc.communicate()
    await asyncio.sleep(1.0)


def _report(before: tracemalloc.Snapshot, sockets: int, group: str, top: int) -> None:
    gc.collect()
    after = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    stats = after.compare_to(before, group)
    total = sum(s.size_diff for s in stats)
    print(f"{total / sockets / 1024:.2f} KB of Python objects per open socket ({sockets} sockets)")
    for stat in stats[:top]:
        if abs(stat.size_diff) < sockets * 16:
            break
        print(f"{stat.size_diff / sockets:8.0f} B {stat.count_diff / sockets:6.1f} obj  {stat.traceback[0]}")
        for frame in list(stat.traceback)[1:]:
            print(f"{'':26}{frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--group", choices=("lineno", "filename", "traceback"), default="lineno")
    parser.add_argument("--frames", type=int, default=1)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--variant", default="chatguard", help="chatguard (pass-through) or chain")
    args = parser.parse_args()
    tune_gc()
    uvloop.run(_measure(args.sockets, args.group, args.frames, args.top, args.variant))


if __name__ == "__main__":
    main()
