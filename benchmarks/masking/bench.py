"""Masking accuracy and throughput on the tuning and validation parts of the generated corpus,
beside Presidio if installed.

    .venv/bin/python benchmarks/masking/bench.py [--count 50000] [--seed 7] [--no-scan]

Each part (see `corpus.py`: no value family and no template is shared) is scored on
recall (a value counts when fully covered), look-alikes altered and clean lines altered,
per value type too. Throughput is measured on one core: the filter alone
(`MaskingFilter.inspect` in a loop) and end to end through `chatguard scan` (CPU time of
the child, startup taken off), in a fresh process and in one that read as many other lines
of the part first (`benchmarks/scan_rate.py`). Presidio runs in its own venv, `benchmarks/.venv-presidio`,
through `presidio_run.py`, on the first `--presidio-count` lines of each part.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from corpus import Line, generate  # noqa: E402
from metrics import score  # noqa: E402

from benchmarks.scan_rate import ScanRate, scan_rate  # noqa: E402
from filters import Action, Message  # noqa: E402
from filters.masking import MaskingFilter  # noqa: E402

PARTS = ("tuning", "validation")
Spans = list[list[tuple[int, int]]]


async def run_chatguard(lines: list[Line], rounds: int) -> tuple[float, Spans]:
    flt = MaskingFilter()
    messages = [Message(line.text) for line in lines]
    for message in messages[:2000]:  # warm caches
        await flt.inspect(message)
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for message in messages:
            await flt.inspect(message)
        best = min(best, time.process_time() - began)
    spans: Spans = []
    for message in messages:
        verdict = await flt.inspect(message)
        spans.append([(f.start, f.end) for f in verdict.findings] if verdict.action is Action.MODIFY else [])
    return best, spans


def by_type(lines: list[Line], spans: Spans) -> dict[str, float]:
    """Recall per value type."""
    found: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for line, replaced in zip(lines, spans, strict=True):
        for kind, start, end in line.values:
            total[kind] += 1
            found[kind] += all(any(a <= i < b for a, b in replaced) for i in range(start, end))
    return {kind: found[kind] / total[kind] for kind in sorted(total)}


def presidio(count: int, seed: int, part: str) -> tuple[float, Spans] | None:
    python = HERE.parent / ".venv-presidio" / "bin" / "python"
    if not python.exists():
        return None
    out = subprocess.run([str(python), str(HERE / "presidio_run.py"), str(count), str(seed), part],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print("presidio run failed:", out.stderr.strip().splitlines()[-1:])
        return None
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], [[tuple(s) for s in line] for line in data["spans"]]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presidio-count", type=int, default=5_000)
    parser.add_argument("--no-scan", action="store_true", help="skip the `chatguard scan` throughput run")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    print(f"{'engine':10} {'part':10} {'recall':>7} {'look-alikes':>11} {'clean':>6} {'msg/s filter':>13} "
          f"{'msg/s scan':>11} {'scan steady':>12}  recall per type")
    for part in PARTS:
        lines = generate(args.count, args.seed, part)
        seconds, spans = asyncio.run(run_chatguard(lines, args.rounds))
        figures = score(lines, spans)
        rate = len(lines) / seconds
        # The steady figure: the same lines after as many others of the part (another seed) in the same process.
        scan = ScanRate(0.0, 0.0) if args.no_scan else scan_rate(
            [line.text for line in lines], {"mask": {"use": "masking"}},
            warm=[line.text for line in generate(args.count, args.seed + 1, part)])
        types = by_type(lines, spans)
        results[f"chatguard:{part}"] = {**figures, "msg_per_s_filter": rate, "msg_per_s_scan": scan.fresh,
                                        "msg_per_s_scan_steady": scan.steady,
                                        "recall_by_type": types}
        print(f"{'chatguard':10} {part:10} {figures['recall']:7.1%} {figures['lookalikes_altered']:11.1%} "
              f"{figures['clean_altered']:6.2%} {rate:13,.0f} {scan.fresh:11,.0f} {scan.steady:12,.0f}  "
              + " ".join(f"{k}={v:.0%}" for k, v in types.items()), flush=True)
        measured = presidio(args.presidio_count, args.seed, part)
        if measured is None:
            print(f"{'presidio':10} {part:10} skipped (benchmarks/.venv-presidio not found)")
            continue
        p_seconds, p_spans = measured
        p_lines = lines[:args.presidio_count]
        p_figures = score(p_lines, p_spans)
        p_types = by_type(p_lines, p_spans)
        results[f"presidio:{part}"] = {**p_figures, "msg_per_s_filter": len(p_lines) / p_seconds,
                                       "recall_by_type": p_types}
        print(f"{'presidio':10} {part:10} {p_figures['recall']:7.1%} {p_figures['lookalikes_altered']:11.1%} "
              f"{p_figures['clean_altered']:6.2%} {len(p_lines) / p_seconds:13,.0f} {'-':>11} {'-':>12}  "
              + " ".join(f"{k}={v:.0%}" for k, v in p_types.items()), flush=True)
    out = HERE.parent / "results" / f"masking-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"count": args.count, "seed": args.seed, "results": results}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
