"""The workers suite's control row: two single-worker gateways, each its own process group and session
on its own port, each loaded by its own wrk with half the connections.

Nothing is shared between them but the machine, so beside `--workers 2` this row tells the gateway's own
cost of running several workers (a shared port, the supervisor, metrics added up between workers) from
the scheduler's: Linux's autogroup gives each session one share of the CPU when the cores are
contended, and `--workers N` is one session (the supervisor's) where two separate gateways are two.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from benchmarks import servers
from benchmarks.measure import HERE, Bench, Load, _children_cpu
from benchmarks.payload import chat_json

PROCESSES = 2


def _wrk_all(bench: Bench, ports: list[int], seconds: float) -> tuple[int, float]:
    """One wrk per port at once (one thread, an equal part of the connections); (requests, seconds)."""
    assert bench.cmds["wrk"]
    env = {**os.environ, "BENCH_BODY": chat_json()}
    share = max(1, bench.connections // len(ports))
    runs = [subprocess.Popen([bench.cmds["wrk"], "-t1", f"-c{share}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
                              "-s", str(HERE / "post.lua"), f"http://127.0.0.1:{port}{servers.HTTP_PATH}"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for port in ports]
    requests, longest, errors = 0, 0.0, 0
    for run in runs:
        out, err = run.communicate(timeout=seconds + 30)
        line = next((ln for ln in out.splitlines() if ln.startswith('{"requests"')), None)
        if line is None:
            raise RuntimeError(f"wrk failed: {err.strip() or out.strip()}")
        raw = json.loads(line)
        requests += raw["requests"]
        longest = max(longest, raw["duration_us"] / 1e6)
        errors += raw["socket_errors"] + raw["status_errors"]
    if errors:
        raise RuntimeError(f"wrk: {errors} errors against separate gateways")
    return requests, longest


def measure_separate(bench: Bench, load: Load) -> dict[str, Any]:
    """`PROCESSES` single-worker gateways side by side: summed req/s, CPU us per request of all of them."""
    single = Load("http", pinned=False)
    gateways = [bench.start_target("chatguard", single) for _ in range(PROCESSES)]
    try:
        ports = [gateway.port for gateway in gateways]
        upstream = bench.http_upstreams[False]
        _wrk_all(bench, ports, bench.warmup)
        cpu = sum(gateway.cpu_seconds() for gateway in gateways)
        sleeps = sum(gateway.sleeps() for gateway in gateways)
        wrk_before, up_before = _children_cpu(), upstream.cpu_seconds()
        count, seconds = _wrk_all(bench, ports, bench.seconds)
        wrk_after, up_after = _children_cpu(), upstream.cpu_seconds()
        cpu = sum(gateway.cpu_seconds() for gateway in gateways) - cpu
        sleeps = sum(gateway.sleeps() for gateway in gateways) - sleeps
    finally:
        for gateway in gateways:
            bench.stop(gateway)
    return {"target": "chatguard", "count": count, "seconds": round(seconds, 3), "rate": round(count / seconds, 1),
            "errors": 0, "cpu_us_per_op": round(cpu / count * 1e6, 1) if count else 0.0,
            "load_cpu_us_per_op": round((wrk_after - wrk_before + up_after - up_before) / count * 1e6, 1) if count else 0.0,
            "wrk_cpu_us_per_op": round((wrk_after - wrk_before) / count * 1e6, 1) if count else 0.0,
            "sleeps_per_op": round(sleeps / count, 3) if count else 0.0}
