"""The parts of `make bench`, each measured in interleaved rounds and summarised by medians.

Interleaved: round 1 measures every target once, then round 2 does it again, and so on, so a burst
of load from elsewhere on the machine hits every target alike instead of whichever ran at the time.
Each row of the report is the median of its rounds (the raw rounds are kept in the JSON).
"""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks.measure import Bench, Load

SUITES = ("main", "sizes", "routes", "idle", "workers")
SIZES = (300, 4000, 64000)
SIZE_TARGETS = ("nginx", "naive", "chatguard", "chain")
ROUTE_COUNTS = (10, 100, 1000)
IDLE_COUNTS = (1000, 5000)
IDLE_TARGETS = ("nginx", "naive", "chatguard")
_MEDIANS = ("rate", "p50_us", "p99_us", "cpu_us_per_op", "server_core_busy", "load_core_busy")

type Case = tuple[str, str, Load]  # (row label, target, load)


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"target": rows[0]["target"], "rounds": len(rows),
                           "errors": sum(r.get("errors", 0) for r in rows)}
    for key in _MEDIANS:
        values = [r[key] for r in rows if key in r]
        if values:
            out[key] = round(statistics.median(values), 1)
    cpu = [r["cpu_us_per_op"] for r in rows if "cpu_us_per_op" in r]
    if len(cpu) > 1:
        out["cpu_spread"] = [min(cpu), max(cpu)]
    return out


def interleaved(bench: Bench, cases: Iterable[Case], rounds: int,
                measure: Callable[[str, Load], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every case once per round; per label the median row and the raw rows."""
    run = measure or bench.measure
    cases = [c for c in cases if bench.available(c[1], c[2].workload)]
    raw: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in cases}
    for number in range(1, rounds + 1):
        for label, target, load in cases:
            print(f"  round {number}/{rounds}  {label:34} ...", end="", flush=True)
            try:
                row = run(target, load)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                bench.notes.append(f"{label}, round {number}: {exc}")
                print(" failed", flush=True)
                continue
            raw[label].append(row)
            rate = f"{row['rate']:>10,.0f}/s" if "rate" in row else ""
            cpu = f"{row['cpu_us_per_op']:>8.1f} us/op" if "cpu_us_per_op" in row else ""
            memory = " ".join(f"{v} KB" for k, v in row.items() if k.startswith("kb_per_socket"))
            print(f" {rate} {cpu}{memory}", flush=True)
    return {"rows": {label: _summary(rows) for label, rows in raw.items() if rows}, "raw": raw}


def main(bench: Bench, targets: list[str], rounds: int) -> dict[str, Any]:
    """Every target, HTTP POST and WebSocket echo, the ~300-byte chat message."""
    cases: list[Case] = []
    for workload in ("http", "ws"):
        for target in targets:
            if workload == "ws" and target == "modsec":
                continue  # nginx relays frames ModSecurity never sees: the nginx row is that figure
            cases.append((f"{workload} {target}", target, Load(workload)))
    return interleaved(bench, cases, rounds)


def sizes(bench: Bench, rounds: int) -> dict[str, Any]:
    """300 B, 4 KB and 64 KB messages; the HTTP upstream echoes the body so both directions carry the size."""
    cases = [(f"{workload} {target} {size}", target, Load(workload, size=size, extra={"echo": True}))
             for workload in ("http", "ws") for size in SIZES for target in SIZE_TARGETS]
    return interleaved(bench, cases, rounds)


def routes(bench: Bench, rounds: int) -> dict[str, Any]:
    """Pass-through HTTP with 10, 100 and 1,000 routes sharing the benchmark route's first segment."""
    cases = [(f"http chatguard {count} routes", "chatguard", Load("http", routes=count)) for count in ROUTE_COUNTS]
    return interleaved(bench, cases, rounds)


def idle(bench: Bench, rounds: int) -> dict[str, Any]:
    """Memory per idle WebSocket held open through nginx, the naive proxy and chatguard pass-through."""
    cases = [(f"idle {target}", target, Load("ws")) for target in IDLE_TARGETS]

    def hold(target: str, load: Load) -> dict[str, Any]:
        return bench.idle_memory(target, list(IDLE_COUNTS))

    result = interleaved(bench, cases, rounds, measure=hold)
    for label, rows in result["raw"].items():
        if not rows:
            continue
        summary = result["rows"][label]
        for key in rows[0]:
            if key.startswith(("kb_per_socket", "base_rss")):
                summary[key] = round(statistics.median(r[key] for r in rows if key in r), 1)
            elif key.startswith("errors_"):
                summary[key] = sum(r.get(key, 0) for r in rows)
    return result


def workers(bench: Bench, rounds: int) -> dict[str, Any]:
    """Pass-through HTTP req/s with --workers 1 and 2, nothing pinned (the kernel spreads the work)."""
    cases = [(f"http chatguard workers {n}", "chatguard", Load("http", workers=n, pinned=False)) for n in (1, 2)]
    return interleaved(bench, cases, rounds)
