"""CPU cost of building the threat detector with no compiled Hyperscan database cached: what each worker of a
pod without a usable `CHATGUARD_CACHE_DIR` pays at start and on reload, and the patterns that cost it most.

A rule whose loose spelling takes seconds to compile belongs on RE2 (`multimatch.costly`); its branches times
gaps are printed beside its compile time so the threshold can be checked when rules grow.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.threat.build [--top 8]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from filters.threat import multimatch


def _cpu(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=8, help="patterns listed, the costliest first")
    args = parser.parse_args()
    os.environ["CHATGUARD_CACHE_DIR"] = ""  # compile in memory: nothing read from or stored in a cache
    from filters.threat.detect import Detector
    from filters.threat.filter import ThreatFilter

    print(f"threat filter built with no cache: {_cpu(ThreatFilter):.2f} s of CPU")
    if not multimatch.AVAILABLE:
        print("Hyperscan is not installed here: every rule runs on RE2")
        return
    compiled: list[tuple[float, int, str]] = []
    left: list[tuple[int, str]] = []
    for rule in Detector()._rules.rules:  # every rule, the prompt rules among them
        spelling = multimatch.translate(rule.pattern, loose=True)
        metric = multimatch.branches_times_gaps(rule.pattern)
        if spelling is None:
            continue
        if multimatch.costly(rule.pattern):
            left.append((metric, rule.name))
            continue
        encoded = spelling.text.encode()
        compiled.append((_cpu(lambda encoded=encoded: multimatch._compiled([encoded])), metric, rule.name))
    compiled.sort(reverse=True)
    print(f"\nrules on Hyperscan, compiled alone (the costliest {args.top}); COSTLY = {multimatch.COSTLY}")
    print(f"{'seconds':>8}  {'branches x gaps':>15}  rule")
    for seconds, metric, name in compiled[: args.top]:
        print(f"{seconds:8.2f}  {metric:15,}  {name}")
    print(f"\nrules left on RE2 as costly: {', '.join(f'{name} ({metric:,})' for metric, name in sorted(left))}")


if __name__ == "__main__":
    main()
