"""`make bench`: chatguard against a direct upstream, nginx, nginx + ModSecurity + CRS, a naive aiohttp
proxy and mitmdump, in one interleaved run; then message sizes, route counts, idle WebSockets and workers.

Core layout on a 2-core machine (see README): the server under test alone on CPU 0; the load
generator and the upstreams share CPU 1. HTTP: wrk POSTs a ~300-byte chat JSON over 64 connections;
WebSocket: benchmarks/wsload.py does closed-loop echo round trips over 64 connections.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report, suites
from benchmarks.chatguard_configs import VARIANTS
from benchmarks.measure import EXTRA_TARGETS, TARGETS, Bench
from benchmarks.payload import chat_json

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, Any]:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), platform.processor())
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
            "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per target and load")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; rows are their medians")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--targets", nargs="+", choices=[*TARGETS, *EXTRA_TARGETS, *(f"{v}@base" for v in VARIANTS)],
                        default=list(TARGETS), help="targets of the main table")
    parser.add_argument("--base", type=Path, help="a checkout of an earlier chatguard (e.g. `git archive` of a "
                        "commit): targets named VARIANT@base run it, interleaved with the current one")
    parser.add_argument("--suites", nargs="+", choices=suites.SUITES, default=list(suites.SUITES))
    parser.add_argument("--workloads", nargs="+", choices=suites.WORKLOADS, default=list(suites.WORKLOADS),
                        help="loads of the main table (e.g. only ws)")
    args = parser.parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results_dir = HERE / "results"
    log_dir = results_dir / f"logs-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chatguard-bench-") as tmp:
        bench = Bench(args.seconds, args.warmup, args.connections, Path(tmp), log_dir, args.targets,
                      args.base.resolve() if args.base else None)
        print(f"server under test on CPU {bench.server_cpu}, load generator and upstreams on CPU {bench.load_cpu}")
        try:
            for suite in args.suites:
                print(f"\n[{suite}]", flush=True)
                if suite == "main":
                    results[suite] = suites.main(bench, args.targets, args.rounds, args.workloads)
                else:
                    results[suite] = getattr(suites, suite)(bench, args.rounds)
        finally:
            bench.stop_all()
    report_data = {"date": stamp, "machine": machine(), "minutes": round((time.monotonic() - started) / 60, 1),
                   "settings": {"seconds": args.seconds, "warmup": args.warmup, "rounds": args.rounds,
                                "connections": args.connections, "body_bytes": len(chat_json()),
                                "server_cpu": bench.server_cpu, "load_cpu": bench.load_cpu},
                   "notes": bench.notes, "ratios": report.ratios(results), **results}
    report.print_report(results)
    for note in bench.notes:
        print(f"note: {note}")
    out = results_dir / f"bench-{stamp}.json"
    out.write_text(json.dumps(report_data, indent=2))
    print(f"\nresults: {out}  (process logs: {log_dir})")
    return 0 if any(s.get("rows") for s in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
