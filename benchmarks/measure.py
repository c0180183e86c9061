"""One measurement: start a target, drive a load at it, read its CPU time and memory, stop it.

Core layout on a 2-core machine (see README): the server under test alone on CPU 0; the load
generator and the upstreams share CPU 1. The workers rows leave everything unpinned instead.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import chatguard_configs, servers, tools
from benchmarks.payload import DEFAULT_SIZE, chat_json

HERE = Path(__file__).resolve().parent
SERVER_CPU, LOAD_CPU = "0", "1"
TARGETS = ("direct", "nginx", "modsec", "naive", "mitmdump", "chatguard", "shield", "chain")
EXTRA_TARGETS = ("fields",)  # on request only: parts of the chain's cost


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


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (wrk, once it exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Load:
    """What is sent: the workload, message size, route count and worker count of one measurement."""

    workload: str  # http | ws
    size: int = DEFAULT_SIZE
    routes: int = 2
    workers: int = 1
    pinned: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class _Spread:
    """Per process of a `--workers N` gateway during one measurement: the client connections it held
    half-way through the window and the CPU it spent. The supervisor is the process with none of either."""

    def __init__(self, server: servers.Server, after: float) -> None:
        self.connections: dict[int, int] = {}
        self._timer = threading.Timer(after, lambda: self.connections.update(server.connections_by_process()))
        self._timer.start()

    def rows(self, before: dict[int, float], after: dict[int, float]) -> list[dict[str, Any]]:
        self._timer.join()
        return [{"pid": pid, "connections": self.connections.get(pid, 0),
                 "cpu_seconds": round(after[pid] - before.get(pid, 0.0), 2)} for pid in sorted(after)]


class Bench:
    def __init__(self, seconds: float, warmup: float, connections: int, workdir: Path, log_dir: Path,
                 targets: list[str], base: Path | None = None) -> None:
        self.seconds, self.warmup, self.connections = seconds, warmup, connections
        self.workdir = workdir
        self.log_dir = log_dir
        self.notes: list[str] = []
        self.cmds = tools.ensure_commands(self.notes)
        pin = self.cmds["taskset"] is not None and (os.cpu_count() or 1) >= 2
        if not pin:
            self.notes.append("not pinned: needs taskset and 2 CPUs; figures are only indicative")
        self.server_cpu = SERVER_CPU if pin else None
        self.load_cpu = LOAD_CPU if pin else None
        self.mitmdump = tools.ensure_mitmdump(self.notes) if "mitmdump" in targets else None
        self.chatguard = tools.chatguard_available(self.notes)
        self.modsec = servers.modsecurity_available()
        if "modsec" in targets and not self.modsec:
            self.notes.append("modsec skipped: install libnginx-mod-http-modsecurity and modsecurity-crs (as root)")
        self.redis = tools.redis_available()
        if "shield" in targets and not self.redis:
            self.notes.append("shield skipped: no Redis on 127.0.0.1:6379")
        self.base = base  # another checkout: `<variant>@base` targets run chatguard from it (A/B in one run)
        self.started: list[servers.Server] = []
        self.upstreams: dict[bool, tuple[int, int]] = {}  # pinned? -> (http port, ws port)
        self.http_upstreams: dict[bool, servers.Server] = {}  # pinned? -> the HTTP upstream (its CPU time)

    # -- processes -------------------------------------------------------------------------------
    def launch(self, name: str, command: list[str], cpu: str | None, port: int,
               ready_url: str | None = None, cwd: Path = servers.REPO) -> servers.Server:
        env = {**os.environ, "PYTHONPATH": str(cwd)} if cwd != servers.REPO else None
        server = servers.start(name, command, cpu, self.log_dir, port, env=env, cwd=cwd)
        self.started.append(server)
        try:
            servers.wait_ready(server, ready_url)
        except RuntimeError:
            self.stop(server)
            raise
        return server

    def stop(self, server: servers.Server) -> None:
        server.stop()
        if server in self.started:
            self.started.remove(server)

    def stop_all(self) -> None:
        for server in list(self.started):
            self.stop(server)

    def upstream_ports(self, pinned: bool) -> tuple[int, int]:
        """The HTTP and WS upstreams: on the load core when pinned, free otherwise (started once)."""
        if pinned not in self.upstreams:
            cpu = self.load_cpu if pinned else None
            http_port, ws_port = servers.free_port(), servers.free_port()
            if self.cmds["nginx"]:
                conf = servers.upstream_nginx_conf(self.workdir, http_port)
                self.http_upstreams[pinned] = self.launch("upstream-http", [self.cmds["nginx"], "-c", str(conf)],
                                                          cpu, http_port)
            self.launch("upstream-ws", [sys.executable, "-m", "benchmarks.wsecho", str(ws_port)], cpu, ws_port)
            self.upstreams[pinned] = (http_port, ws_port)
        return self.upstreams[pinned]

    def available(self, target: str, workload: str) -> bool:
        if target.endswith("@base"):
            return self.base is not None and self.available(target.removesuffix("@base"), workload)
        nginx = self.cmds["nginx"] is not None
        return {
            "direct": nginx or workload == "ws", "nginx": nginx, "modsec": nginx and self.modsec,
            "naive": True, "mitmdump": self.mitmdump is not None, "chatguard": self.chatguard,
            "shield": self.chatguard and self.redis, "chain": self.chatguard,
            "fields": self.chatguard,
        }[target]

    def start_target(self, target: str, load: Load) -> servers.Server:
        port = servers.free_port()
        nginx = self.cmds["nginx"] or "nginx"
        cpu = self.server_cpu if load.pinned else None
        http_up, ws_up = self.upstream_ports(load.pinned)
        name = f"{target}-{load.workload}"
        if target == "direct":
            if load.workload == "http":
                conf = servers.upstream_nginx_conf(self.workdir, port)
                return self.launch(name, [nginx, "-c", str(conf)], cpu, port)
            return self.launch(name, [sys.executable, "-m", "benchmarks.wsecho", str(port)], cpu, port)
        if target in ("nginx", "modsec"):
            conf = servers.proxy_nginx_conf(self.workdir, port, http_up, ws_up, modsecurity=target == "modsec")
            return self.launch(name, [nginx, "-c", str(conf)], cpu, port)
        if target == "naive":
            command = [sys.executable, "-m", "benchmarks.naive_proxy", str(port), str(http_up), str(ws_up)]
            return self.launch(name, command, cpu, port)
        if target == "mitmdump":
            assert self.mitmdump is not None
            upstream = http_up if load.workload == "http" else ws_up
            command = [self.mitmdump, "--mode", f"reverse:http://127.0.0.1:{upstream}", "--listen-host",
                       "127.0.0.1", "-p", str(port), "-q", "--set", "flow_detail=0"]
            return self.launch(name, command, cpu, port)
        admin = servers.free_port()
        variant, _, base = target.partition("@")
        conf = chatguard_configs.chatguard_conf(self.workdir, variant, port, admin, http_up, ws_up,
                                                routes=load.routes, workers=load.workers)
        command = [sys.executable, "-m", "gateway", "serve", "--config", str(conf)]
        cwd = self.base if base and self.base is not None else servers.REPO
        server = self.launch(name, command, cpu, port, ready_url=f"http://127.0.0.1:{admin}/healthz", cwd=cwd)
        if load.workers > 1:
            self.all_workers_up(server, admin, load.workers)
        return server

    def all_workers_up(self, server: servers.Server, admin: int, workers: int, within: float = 120.0) -> None:
        """/healthz answers once the first worker serves; the others may still be starting (seconds on a busy
        machine). A load started then is served by fewer workers than the row says, for as long as its
        keep-alive connections last (before, now and then the whole measured window). So wait for all."""
        deadline = time.monotonic() + within
        while server.listening_processes(admin) < workers:
            if time.monotonic() > deadline or server.process.poll() is not None:
                self.stop(server)
                raise RuntimeError(f"{server.name}: not all {workers} workers started within {within:.0f} s")
            time.sleep(0.1)

    # -- load --------------------------------------------------------------------------------------
    def pinned(self, command: list[str], pinned: bool) -> list[str]:
        return ["taskset", "-c", self.load_cpu, *command] if self.load_cpu and pinned else command

    def wrk(self, port: int, seconds: float, load: Load) -> dict[str, Any]:
        assert self.cmds["wrk"]
        path = servers.HTTP_PATH if load.size == DEFAULT_SIZE and not load.extra.get("echo") else servers.ECHO_PATH
        # One thread, pinned or not: at some 11 us of CPU per request it drives several times what any target
        # here serves, and a second thread only adds wake-ups (2-4 us more per request: benchmarks/README.md,
        # "The load side's cost"), which the unpinned workers rows pay out of the gateway's two cores.
        command = self.pinned([self.cmds["wrk"], "-t1", f"-c{self.connections}",
                               f"-d{max(1, round(seconds))}s", "--timeout", "5s", "-s", str(HERE / "post.lua"),
                               f"http://127.0.0.1:{port}{path}"], load.pinned)
        out = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 30,
                             env={**os.environ, "BENCH_BODY": chat_json(load.size)})
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith('{"requests"')), None)
        if line is None:
            raise RuntimeError(f"wrk failed: {out.stderr.strip() or out.stdout.strip()}")
        raw = json.loads(line)
        seconds_run = raw["duration_us"] / 1e6
        return {"count": raw["requests"], "seconds": round(seconds_run, 3),
                "rate": round(raw["requests"] / seconds_run, 1), "p50_us": raw["p50_us"], "p99_us": raw["p99_us"],
                "errors": raw["socket_errors"] + raw["status_errors"]}

    def wsload(self, port: int, seconds: float, load: Load, on_start: Callable[[], None]) -> dict[str, Any]:
        command = self.pinned([sys.executable, "-m", "benchmarks.wsload", "--port", str(port), "--path",
                               servers.WS_PATH, "--connections", str(self.connections), "--seconds",
                               str(seconds), "--warmup", str(self.warmup), "--size", str(load.size),
                               "--origin", f"http://127.0.0.1:{port}"], load.pinned)
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=servers.REPO)
        assert proc.stdout is not None
        result: dict[str, Any] | None = None
        for line in proc.stdout:
            if line.startswith("measuring"):
                on_start()
            elif line.startswith("{"):
                result = json.loads(line)
        proc.wait(timeout=seconds + 30)
        if result is None:
            raise RuntimeError(f"wsload failed: {proc.stderr.read().strip() if proc.stderr else ''}")
        return {"count": result["messages"], "seconds": result["seconds"], "rate": result["msg_per_s"],
                "p50_us": result["p50_us"], "p99_us": result["p99_us"], "errors": result["errors"]}

    def measure(self, target: str, load: Load) -> dict[str, Any]:
        """Rate, latency, CPU us per request or message and core use of one target under one load."""
        server = self.start_target(target, load)
        try:
            marks: dict[str, Any] = {}

            def mark() -> None:
                marks["cpu"], marks["cores"] = server.cpu_seconds(), core_times()
                marks["by_process"], marks["sleeps"] = server.cpu_by_process(), server.sleeps()

            upstream = self.http_upstreams.get(load.pinned) if load.workload == "http" else None
            if load.workload == "http":
                self.wrk(server.port, self.warmup, load)
                mark()
                wrk_before, up_before = _children_cpu(), upstream.cpu_seconds() if upstream is not None else 0.0
                spread = _Spread(server, self.seconds / 2) if load.workers > 1 else None
                row = self.wrk(server.port, self.seconds, load)
                wrk_after, up_after = _children_cpu(), upstream.cpu_seconds() if upstream is not None else 0.0
                if spread is not None:
                    row["processes"] = spread.rows(marks["by_process"], server.cpu_by_process())
                if not load.pinned and row["count"]:  # the workers rows: does a busier loop wait less often?
                    row["sleeps_per_op"] = round((server.sleeps() - marks["sleeps"]) / row["count"], 3)
                if upstream is not None and target != "direct" and row["count"]:
                    # wrk and the upstream: what the load side spends per request on the same machine
                    row["load_cpu_us_per_op"] = round((wrk_after - wrk_before + up_after - up_before)
                                                      / row["count"] * 1e6, 1)
                    row["wrk_cpu_us_per_op"] = round((wrk_after - wrk_before) / row["count"] * 1e6, 1)  # of which
            else:
                row = self.wsload(server.port, self.seconds, load, on_start=mark)
            cpu_after, cores_after = server.cpu_seconds(), core_times()
            if "cpu" in marks and row["count"]:
                row["cpu_us_per_op"] = round((cpu_after - marks["cpu"]) / row["count"] * 1e6, 1)
                row["server_core_busy"] = busy_percent(marks["cores"], cores_after, self.server_cpu)
                row["load_core_busy"] = busy_percent(marks["cores"], cores_after, self.load_cpu)
            return {"target": target, **row}
        finally:
            self.stop(server)

    def idle_memory(self, target: str, counts: list[int]) -> dict[str, Any]:
        """Resident memory added per idle WebSocket held open through the target, for each count."""
        load = Load("ws")
        server = self.start_target(target, load)
        row: dict[str, Any] = {"target": target}
        try:
            self.wsload(server.port, 1.0, load, on_start=lambda: None)  # code paths and pools warmed up
            time.sleep(1.0)
            base = server.rss_bytes()
            row["base_rss_mb"] = round(base / 2**20, 1)
            for count in counts:
                command = self.pinned([sys.executable, "-m", "benchmarks.wsload", "--port", str(server.port),
                                       "--path", servers.WS_PATH, "--idle", str(count),
                                       "--origin", f"http://127.0.0.1:{server.port}"], True)
                proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=servers.REPO)
                assert proc.stdout is not None and proc.stdin is not None
                opened = proc.stdout.readline()
                if not opened.startswith("open"):
                    proc.kill()
                    raise RuntimeError(f"idle {count}: {proc.stderr.read().strip() if proc.stderr else opened}")
                time.sleep(2.0)
                held = server.rss_bytes()
                proc.stdin.write("\n")
                proc.stdin.flush()
                out, _ = proc.communicate(timeout=60)
                result = json.loads(out.strip().splitlines()[-1])
                row[f"kb_per_socket_{count}"] = round((held - base) / count / 1024, 1)
                row[f"errors_{count}"] = result["errors"]
                time.sleep(2.0)  # let the closes finish before the next count
        finally:
            self.stop(server)
        return row
