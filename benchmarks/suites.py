"""The parts of `make bench`, each measured in interleaved rounds and summarised by medians.

Interleaved: round 1 measures every target once, then round 2 does it again, and so on, so a burst
of load from elsewhere on the machine hits every target alike instead of whichever ran at the time.
Each row of the report is the median of its rounds (the raw rounds are kept in the JSON).
"""

from __future__ import annotations

import os
import statistics
import subprocess
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks import scale as scale_runs
from benchmarks import separate
from benchmarks.measure import Bench, Load

WORKLOADS = ("http", "ws")
SUITES = ("main", "sizes", "routes", "idle", "workers", "scale")
SIZES = (300, 4000, 64000)
SIZE_TARGETS = ("nginx", "naive", "chatguard", "chain")
ROUTE_COUNTS = (10, 100, 1000)
IDLE_COUNTS = (1000, 5000)
IDLE_TARGETS = ("nginx", "naive", "chatguard")
_MEDIANS = ("rate", "p50_us", "p99_us", "cpu_us_per_op", "load_cpu_us_per_op", "wrk_cpu_us_per_op", "server_core_busy",
            "load_core_busy", "sleeps_per_op")

type Case = tuple[str, str, Load]  # (row label, target, load)


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"target": rows[0]["target"], "rounds": len(rows),
                           "errors": sum(r.get("errors", 0) for r in rows)}
    for key in _MEDIANS:
        values = [r[key] for r in rows if key in r]
        if values:
            out[key] = round(statistics.median(values), 3 if key == "sleeps_per_op" else 1)
    cpu = [r["cpu_us_per_op"] for r in rows if "cpu_us_per_op" in r]
    if len(cpu) > 1:
        out["cpu_spread"] = [min(cpu), max(cpu)]
    return out


def interleaved(bench: Bench, cases: Iterable[Case], rounds: int,
                measure: Callable[[str, Load], dict[str, Any]] | None = None,
                alternate: bool = False) -> dict[str, Any]:
    """Every case once per round; per label the median row and the raw rows. `alternate` runs the even
    rounds in the reverse order, so a load that grows or fades during a round favours no case."""
    run = measure or bench.measure
    cases = [c for c in cases if bench.available(c[1], c[2].workload)]
    raw: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in cases}
    for number in range(1, rounds + 1):
        for label, target, load in (cases[::-1] if alternate and number % 2 == 0 else cases):
            print(f"  round {number}/{rounds}  {label:34} ...", end="", flush=True)
            try:
                row = run(target, load)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                bench.notes.append(f"{label}, round {number}: {exc}")
                print(" failed", flush=True)
                continue
            raw[label].append({**row, "round": number})
            rate = f"{row['rate']:>10,.0f}/s" if "rate" in row else ""
            cpu = f"{row['cpu_us_per_op']:>8.1f} us/op" if "cpu_us_per_op" in row else ""
            memory = " ".join(f"{v} KB" for k, v in row.items() if k.startswith("kb_per_socket"))
            print(f" {rate} {cpu}{memory}", flush=True)
    return {"rows": {label: _summary(rows) for label, rows in raw.items() if rows}, "raw": raw}


def main(bench: Bench, targets: list[str], rounds: int, workloads: Iterable[str] = WORKLOADS) -> dict[str, Any]:
    """Every target, HTTP POST and WebSocket echo (or only `workloads`), the ~300-byte chat message."""
    cases: list[Case] = []
    for workload in workloads:
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
    """Memory per idle WebSocket held open through nginx, the naive proxy and chatguard pass-through
    (and the `--base` checkout's pass-through, when one is given)."""
    targets = (*IDLE_TARGETS, *(("chatguard@base",) if bench.base is not None else ()))
    cases = [(f"idle {target}", target, Load("ws")) for target in targets]

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
    """Pass-through HTTP req/s with --workers 1 and 2, nothing pinned (the kernel spreads the work), and
    the control: two single-worker gateways side by side (benchmarks/separate.py). Every other round runs
    them in the reverse order, so the 1- and 2-worker rows of a round come first alike."""
    cases = [(f"http chatguard workers {n}", "chatguard", Load("http", workers=n, pinned=False)) for n in (1, 2)]
    cases.append((f"http chatguard {separate.PROCESSES} separate processes", "chatguard",
                  Load("http", pinned=False, extra={"separate": True})))

    def measure(target: str, load: Load) -> dict[str, Any]:
        return separate.measure_separate(bench, load) if load.extra.get("separate") else bench.measure(target, load)

    result = interleaved(bench, cases, rounds, measure, alternate=True)
    for row in result["rows"].values():
        row["cores"] = os.cpu_count() or 1  # what the workers and the load side share (report.workers_ceiling)
    one, two = (f"http chatguard workers {n}" for n in (1, 2))
    if two in result["rows"]:
        result["rows"][two].update(paired(result["raw"].get(one, []), result["raw"][two]))
    return result


def paired(one: list[dict[str, Any]], two: list[dict[str, Any]]) -> dict[str, Any]:
    """What the `--workers 2` rounds show beside the 1-worker rounds: req/s of 2 / 1 per round (each pair
    measured back to back, so a burst of load from elsewhere shifts both instead of only one side of a
    ratio of medians), the client connections each worker held and the supervisor's CPU."""
    rates = {row["round"]: row["rate"] for row in one if row.get("rate")}
    out: dict[str, Any] = {"round_ratios": [round(row["rate"] / rates[row["round"]], 2) for row in two
                                            if row["round"] in rates]}
    spreads = [row["processes"] for row in two if row.get("processes")]
    if spreads:
        out["connections_per_worker"] = [[p["connections"] for p in procs if p["connections"]] for procs in spreads]
        out["cpu_seconds_per_worker"] = [[p["cpu_seconds"] for p in procs if p["connections"]] for procs in spreads]
        out["other_cpu_seconds"] = max(sum(p["cpu_seconds"] for p in procs if not p["connections"])
                                       for procs in spreads)  # the supervisor (and nothing else, it should be)
    return out


def scale(bench: Bench, rounds: int) -> dict[str, Any]:
    """Thousands of WebSockets through one worker (benchmarks/scale.py): HTTP p99 beside 50 and 5,000 idle
    sockets, in `rounds` rounds (the order of the two counts alternates); RSS over 10 open/close cycles."""
    raw: list[dict[str, Any]] = []
    first, last = scale_runs.IDLE_FOR_P99
    for number in range(1, rounds + 1):
        order = (first, last) if number % 2 else (last, first)
        print(f"  round {number}/{rounds}  http p99 beside {first} and {last} idle websockets ...", end="", flush=True)
        try:
            row = scale_runs.http_p99_with_idle(bench, order)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            bench.notes.append(f"scale p99, round {number}: {exc}")
            print(" failed", flush=True)
            continue
        raw.append(row)
        print(f" p99 {row[f'p99_us_{first}'] / 1000:.1f} / {row[f'p99_us_{last}'] / 1000:.1f} ms", flush=True)
    rows: dict[str, Any] = {}
    if raw:
        summary: dict[str, Any] = {"target": "chatguard", "rounds": len(raw)}
        for key in raw[0]:
            if key.startswith(("p99_us_", "p50_us_", "rate_")):
                summary[key] = round(statistics.median(r[key] for r in raw), 1)
            elif key.startswith("errors_"):
                summary[key] = sum(r[key] for r in raw)
        summary["p99_ratio"] = round(summary[f"p99_us_{last}"] / summary[f"p99_us_{first}"], 2)
        rows["http p99 with idle websockets"] = summary
    for target in ("chatguard", *(("chatguard@base",) if bench.base is not None else ())):
        label = "rss cycles" + (" (base)" if target.endswith("@base") else "")
        print(f"  {target}: rss over {scale_runs.CYCLES} cycles of {scale_runs.PER_CYCLE} websockets ...", end="",
              flush=True)
        try:
            cycles = rows[label] = scale_runs.rss_cycles(bench, target)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            bench.notes.append(f"scale {label}: {exc}")
            print(" failed", flush=True)
            continue
        print(f" {cycles['rss_mb'][0]} -> {cycles['rss_mb'][-1]} MB ({cycles['growth_percent']:+.1f} %)", flush=True)
    return {"rows": rows, "raw": {"http p99 with idle websockets": raw}}
