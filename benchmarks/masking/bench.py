"""Masking throughput and accuracy on a generated chat corpus, beside Presidio if installed.

    .venv/bin/python benchmarks/masking/bench.py [--count 100000] [--seed 7]

Runs on one core (one process, one thread). Presidio runs in its own venv,
`benchmarks/.venv-presidio`, through `presidio_run.py`, if that venv exists.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from corpus import generate  # noqa: E402
from metrics import score  # noqa: E402

from filters import Action, Message  # noqa: E402
from filters.masking import MaskingFilter  # noqa: E402


async def run_chatguard(lines: list, rounds: int) -> tuple[float, list]:  # type: ignore[type-arg]
    flt = MaskingFilter()
    messages = [Message(line.text) for line in lines]
    for message in messages[:2000]:  # warm caches
        await flt.inspect(message)
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for message in messages:
            await flt.inspect(message)
        best = min(best, time.perf_counter() - began)
    spans = []
    for message in messages:
        verdict = await flt.inspect(message)
        spans.append([(f.start, f.end) for f in verdict.findings] if verdict.action is Action.MODIFY else [])
    return best, spans


def report(name: str, lines: list, seconds: float, spans: list) -> dict:  # type: ignore[type-arg]
    size = sum(len(line.text.encode()) for line in lines)
    result = {"engine": name, "messages": len(lines), "msg_per_s": len(lines) / seconds,
              "mb_per_s": size / seconds / 1e6, "avg_bytes": size / len(lines), **score(lines, spans)}
    print(f"{name:>10}: {result['msg_per_s']:>10,.0f} msg/s  {result['mb_per_s']:6.2f} MB/s  "
          f"recall {result['recall']:.1%}  look-alikes altered {result['lookalikes_altered']:.1%}  "
          f"clean altered {result['clean_altered']:.2%}  ({result['values']} values, "
          f"{result['avg_bytes']:.0f} B/msg)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presidio-count", type=int, default=10_000)
    args = parser.parse_args()
    lines = generate(args.count, args.seed)
    seconds, spans = asyncio.run(run_chatguard(lines, args.rounds))
    results = [report("chatguard", lines, seconds, spans)]
    sensitive_only = [line for line in lines if line.kind != "clean"]
    seconds, spans = asyncio.run(run_chatguard(sensitive_only, 1))
    report("  (values+look-alikes only)", sensitive_only, seconds, spans)
    presidio = HERE.parent / ".venv-presidio" / "bin" / "python"
    if presidio.exists():
        out = subprocess.run([str(presidio), str(HERE / "presidio_run.py"), str(args.presidio_count),
                              str(args.seed)], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            data = json.loads(out.stdout.strip().splitlines()[-1])
            lines_p = generate(args.presidio_count, args.seed)
            results.append(report("presidio", lines_p, data["seconds"], data["spans"]))
        else:
            print("presidio run failed:", out.stderr.strip().splitlines()[-1:])
    else:
        print("presidio: benchmarks/.venv-presidio not found, comparison skipped")


if __name__ == "__main__":
    main()
