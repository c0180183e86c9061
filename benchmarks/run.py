"""`make bench`: chatguard against a direct upstream, nginx and mitmdump, in one bounded run.

Core layout on a 2-core machine (see README): the server under test alone on CPU 0; the load
generator and the upstreams share CPU 1. Each target gets an HTTP POST load (wrk, 64 connections,
~300-byte chat JSON) and a WebSocket echo round-trip load (benchmarks/wsload.py, 64 connections).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import servers, tools
from benchmarks.payload import chat_json

HERE = Path(__file__).resolve().parent
SERVER_CPU, LOAD_CPU = "0", "1"
TARGETS = ("direct", "nginx", "mitmdump", "chatguard")


def core_times() -> dict[str, tuple[int, int]]:
    """(busy, total) jiffies per CPU from /proc/stat."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            nums = [int(v) for v in values]
            idle = nums[3] + nums[4]
            times[name[3:]] = (sum(nums[:8]) - idle, sum(nums[:8]))
    return times


def busy_percent(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], cpu: str | None) -> float:
    if cpu is None or cpu not in before:
        return 0.0
    busy = after[cpu][0] - before[cpu][0]
    total = after[cpu][1] - before[cpu][1]
    return round(100.0 * busy / total, 1) if total else 0.0


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path, log_dir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.log_dir = log_dir
        self.notes: list[str] = []
        self.cmds = tools.ensure_commands(self.notes)
        pin = self.cmds["taskset"] is not None and (os.cpu_count() or 1) >= 2
        if not pin:
            self.notes.append("not pinned: needs taskset and 2 CPUs; figures are only indicative")
        self.server_cpu = SERVER_CPU if pin else None
        self.load_cpu = LOAD_CPU if pin else None
        self.mitmdump = tools.ensure_mitmdump(self.notes) if "mitmdump" in args.targets else None
        self.chatguard = "chatguard" in args.targets and tools.chatguard_available(self.notes)
        self.started: list[servers.Server] = []
        self.http_up = servers.free_port()
        self.ws_up = servers.free_port()

    # -- processes -------------------------------------------------------------------------------
    def launch(self, name: str, command: list[str], cpu: str | None, port: int, ready_url: str | None = None,
               env: dict[str, str] | None = None) -> servers.Server:
        server = servers.start(name, command, cpu, self.log_dir, port, env)
        self.started.append(server)
        servers.wait_ready(server, ready_url)
        return server

    def stop(self, server: servers.Server) -> None:
        server.stop()
        self.started.remove(server)

    def start_upstreams(self) -> None:
        if self.cmds["nginx"]:
            conf = servers.upstream_nginx_conf(self.workdir, self.http_up)
            self.launch("upstream-http", [self.cmds["nginx"], "-c", str(conf)], self.load_cpu, self.http_up)
        self.launch("upstream-ws", [sys.executable, "-m", "benchmarks.wsecho", str(self.ws_up)], self.load_cpu,
                    self.ws_up)

    def start_target(self, target: str, workload: str) -> servers.Server | None:
        port = servers.free_port()
        nginx = self.cmds["nginx"]
        if target == "direct":
            if workload == "http":
                if not nginx:
                    return None
                conf = servers.upstream_nginx_conf(self.workdir, port)
                return self.launch("direct-http", [nginx, "-c", str(conf)], self.server_cpu, port)
            return self.launch("direct-ws", [sys.executable, "-m", "benchmarks.wsecho", str(port)],
                               self.server_cpu, port)
        if target == "nginx" and nginx:
            conf = servers.proxy_nginx_conf(self.workdir, port, self.http_up, self.ws_up)
            return self.launch(f"nginx-{workload}", [nginx, "-c", str(conf)], self.server_cpu, port)
        if target == "mitmdump" and self.mitmdump:
            upstream = self.http_up if workload == "http" else self.ws_up
            command = [self.mitmdump, "--mode", f"reverse:http://127.0.0.1:{upstream}", "--listen-host",
                       "127.0.0.1", "-p", str(port), "-q", "--set", "flow_detail=0"]
            return self.launch(f"mitmdump-{workload}", command, self.server_cpu, port)
        if target == "chatguard" and self.chatguard:
            admin = servers.free_port()
            conf = servers.chatguard_conf(self.workdir, port, admin, self.http_up, self.ws_up)
            command = [sys.executable, "-m", "gateway", "serve", "--config", str(conf)]
            return self.launch(f"chatguard-{workload}", command, self.server_cpu, port,
                               ready_url=f"http://127.0.0.1:{admin}/healthz")
        return None

    # -- load --------------------------------------------------------------------------------------
    def pinned(self, command: list[str]) -> list[str]:
        return ["taskset", "-c", self.load_cpu, *command] if self.load_cpu else command

    def wrk(self, port: int, seconds: float) -> dict[str, Any]:
        assert self.cmds["wrk"]
        command = self.pinned([self.cmds["wrk"], "-t1", f"-c{self.args.connections}", f"-d{max(1, round(seconds))}s",
                               "--timeout", "5s", "-s", str(HERE / "post.lua"),
                               f"http://127.0.0.1:{port}{servers.HTTP_PATH}"])
        out = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 30,
                             env={**os.environ, "BENCH_BODY": chat_json()})
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith('{"requests"')), None)
        if line is None:
            raise RuntimeError(f"wrk failed: {out.stderr.strip() or out.stdout.strip()}")
        raw = json.loads(line)
        seconds_run = raw["duration_us"] / 1e6
        return {"count": raw["requests"], "seconds": round(seconds_run, 3),
                "rate": round(raw["requests"] / seconds_run, 1), "p50_us": raw["p50_us"], "p99_us": raw["p99_us"],
                "errors": raw["socket_errors"] + raw["status_errors"]}

    def wsload(self, port: int, seconds: float, on_start: Callable[[], None] | None = None) -> dict[str, Any]:
        command = self.pinned([sys.executable, "-m", "benchmarks.wsload", "--port", str(port), "--path",
                               servers.WS_PATH, "--connections", str(self.args.connections), "--seconds",
                               str(seconds), "--warmup", "1", "--origin", f"http://127.0.0.1:{port}"])
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=servers.REPO)
        assert proc.stdout is not None
        result: dict[str, Any] | None = None
        for line in proc.stdout:
            if line.startswith("measuring") and on_start:
                on_start()
            elif line.startswith("{"):
                result = json.loads(line)
        proc.wait(timeout=seconds + 30)
        if result is None:
            raise RuntimeError(f"wsload failed: {proc.stderr.read().strip() if proc.stderr else ''}")
        return {"count": result["messages"], "seconds": result["seconds"], "rate": result["msg_per_s"],
                "p50_us": result["p50_us"], "p99_us": result["p99_us"], "errors": result["errors"]}

    def measure(self, target: str, workload: str) -> dict[str, Any] | None:
        server = self.start_target(target, workload)
        if server is None:
            return None
        try:
            if workload == "http":
                self.wrk(server.port, self.args.warmup)
            marks: dict[str, Any] = {}

            def mark() -> None:
                marks["cpu"], marks["cores"] = server.cpu_seconds(), core_times()

            if workload == "http":
                mark()
                row = self.wrk(server.port, self.args.seconds)
            else:
                row = self.wsload(server.port, self.args.seconds, on_start=mark)
            cpu_after, cores_after = server.cpu_seconds(), core_times()
            if "cpu" in marks and row["count"]:
                row["cpu_us_per_op"] = round((cpu_after - marks["cpu"]) / row["count"] * 1e6, 1)
                row["server_core_busy"] = busy_percent(marks["cores"], cores_after, self.server_cpu)
                row["load_core_busy"] = busy_percent(marks["cores"], cores_after, self.load_cpu)
            return {"target": target, **row}
        finally:
            self.stop(server)

    def run(self) -> dict[str, Any]:
        results: dict[str, Any] = {"http": [], "ws": []}
        try:
            self.start_upstreams()
            for workload in ("http", "ws"):
                if workload == "http" and not (self.cmds["wrk"] and self.cmds["nginx"]):
                    self.notes.append("HTTP load skipped: needs wrk and nginx")
                    continue
                for target in self.args.targets:
                    print(f"  {workload:4} {target:10} ...", end="", flush=True)
                    try:
                        row = self.measure(target, workload)
                    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                        self.notes.append(f"{target} {workload}: {exc}")
                        row = None
                    print(f" {row['rate']:>10,.0f}/s" if row else " skipped", flush=True)
                    if row:
                        results[workload].append(row)
        finally:
            for server in list(self.started):
                self.stop(server)
        for rows in results.values():
            base = next((r["rate"] for r in rows if r["target"] == "nginx"), None)
            for row in rows:
                row["x_nginx"] = round(row["rate"] / base, 2) if base else None
        return results


def machine() -> dict[str, Any]:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), platform.processor())
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}


def print_table(results: dict[str, Any]) -> None:
    units = {"http": "req/s", "ws": "msg/s"}
    for workload, rows in results.items():
        if not rows:
            continue
        print(f"\n{'HTTP POST' if workload == 'http' else 'WebSocket echo round trip'}")
        print(f"  {'target':10} {units[workload]:>10} {'x nginx':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'CPU us/op':>10} {'srv core':>9} {'load core':>10} {'errors':>7}")
        for r in rows:
            ratio = f"{r['x_nginx']:.2f}" if r.get("x_nginx") is not None else "-"
            print(f"  {r['target']:10} {r['rate']:>10,.0f} {ratio:>8} {r['p50_us'] / 1000:>8.2f} "
                  f"{r['p99_us'] / 1000:>8.2f} {r.get('cpu_us_per_op', 0):>10.1f} "
                  f"{r.get('server_core_busy', 0):>8.0f}% {r.get('load_core_busy', 0):>9.0f}% {r['errors']:>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per target and load")
    parser.add_argument("--warmup", type=float, default=2.0, help="HTTP warm-up seconds before each measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    args = parser.parse_args(argv)
    if "nginx" not in args.targets:
        args.targets.insert(0, "nginx")  # every ratio is relative to nginx
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results_dir = HERE / "results"
    log_dir = results_dir / f"logs-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chatguard-bench-") as tmp:
        bench = Bench(args, Path(tmp), log_dir)
        print(f"server under test on CPU {bench.server_cpu}, load generator and upstreams on CPU {bench.load_cpu}")
        results = bench.run()
    report = {"date": stamp, "machine": machine(), "settings": {
        "seconds": args.seconds, "warmup": args.warmup, "connections": args.connections,
        "body_bytes": len(chat_json()), "server_cpu": bench.server_cpu, "load_cpu": bench.load_cpu},
        "notes": bench.notes, **results}
    print_table(results)
    for note in bench.notes:
        print(f"note: {note}")
    out = results_dir / f"bench-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nresults: {out}  (process logs: {log_dir})")
    return 0 if results["http"] or results["ws"] else 1


if __name__ == "__main__":
    sys.exit(main())
