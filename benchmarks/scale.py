"""Long-lived connections at scale, through one chatguard worker (pass-through routes, heartbeat on):

- `http_p99_with_idle`: HTTP POST latency (wrk, the main table's load) while 50, then 5,000 idle
  WebSockets are held open through the same worker. Target: p99 at 5,000 within 2x of p99 at 50.
- `rss_cycles`: resident memory after each of 10 cycles of opening 3,000 WebSockets and closing them
  all. Target: RSS after the 10th cycle within 5 % of RSS after the first (nothing kept per closed socket).

The memory per idle socket beside nginx and the naive proxy is the `idle` suite's table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from benchmarks import servers
from benchmarks.measure import Bench, Load

IDLE_FOR_P99 = (50, 5000)
CYCLES, PER_CYCLE = 10, 3000
SETTLE = 30.0  # seconds to wait for every socket of a cycle to be closed on the gateway


class Held:
    """`count` idle WebSockets held open through `port` by one wsload process (pinned to the load core)."""

    def __init__(self, bench: Bench, port: int, count: int) -> None:
        command = bench.pinned([sys.executable, "-m", "benchmarks.wsload", "--port", str(port), "--path",
                                servers.WS_PATH, "--idle", str(count), "--origin", f"http://127.0.0.1:{port}"], True)
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, cwd=servers.REPO)
        assert self.proc.stdout is not None
        opened = self.proc.stdout.readline()
        if not opened.startswith("open"):
            self.proc.kill()
            raise RuntimeError(f"idle {count}: {self.proc.stderr.read().strip() if self.proc.stderr else opened}")

    def release(self) -> int:
        """Close them; the number of sockets that were lost while held (0 expected)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        out, _ = self.proc.communicate(timeout=120)
        return int(json.loads(out.strip().splitlines()[-1])["errors"])


def wait_closed(server: servers.Server, baseline: int) -> None:
    """Until the gateway holds no more descriptors than before the cycle (every socket closed)."""
    deadline = time.monotonic() + SETTLE
    while server.descriptors() > baseline + 8 and time.monotonic() < deadline:
        time.sleep(0.2)


def http_p99_with_idle(bench: Bench, order: tuple[int, ...] = IDLE_FOR_P99) -> dict[str, Any]:
    """One server; for each count: hold the sockets, run the HTTP load, release them."""
    server = bench.start_target("chatguard", Load("http"))
    row: dict[str, Any] = {"target": "chatguard"}
    try:
        bench.wrk(server.port, bench.warmup, Load("http"))
        for count in order:
            held = Held(bench, server.port, count)
            try:
                time.sleep(1.0)
                result = bench.wrk(server.port, bench.seconds, Load("http"))
            finally:
                lost = held.release()
            row[f"p99_us_{count}"] = result["p99_us"]
            row[f"p50_us_{count}"] = result["p50_us"]
            row[f"rate_{count}"] = result["rate"]
            row[f"errors_{count}"] = result["errors"] + lost
    finally:
        bench.stop(server)
    first, last = IDLE_FOR_P99
    row["p99_ratio"] = round(row[f"p99_us_{last}"] / row[f"p99_us_{first}"], 2) if row[f"p99_us_{first}"] else None
    return row


def rss_cycles(bench: Bench, target: str = "chatguard") -> dict[str, Any]:
    """RSS (MB) after each cycle of opening PER_CYCLE sockets and closing them all."""
    server = bench.start_target(target, Load("ws"))
    row: dict[str, Any] = {"target": target, "rss_mb": [], "errors": 0}
    try:
        bench.wsload(server.port, 1.0, Load("ws"), on_start=lambda: None)  # code paths and pools warmed up
        baseline = server.descriptors()
        for _ in range(CYCLES):
            held = Held(bench, server.port, PER_CYCLE)
            row["errors"] += held.release()
            wait_closed(server, baseline)
            time.sleep(1.0)
            row["rss_mb"].append(round(server.rss_bytes() / 2**20, 1))
    finally:
        bench.stop(server)
    first, last = row["rss_mb"][0], row["rss_mb"][-1]
    row["growth_percent"] = round(100.0 * (last - first) / first, 1)
    return row
