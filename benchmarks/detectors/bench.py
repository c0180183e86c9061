"""Worst-case cost of every detector: each shape at 64 KB and 1 MB, in CPU microseconds per KB.

    .venv/bin/python -m benchmarks.detectors.bench [--sizes 65536 1048576] [--only threat] [--seed N]

Prints, per detector, the worst shape and its cost at each size and the median (all shapes at the
first size; at larger sizes the `--top` worst shapes of the size before), then the cost of 80,000 tiny
fields (per field) through the masking and threat filters. The `random-*` shapes are drawn afresh from
`--seed` (by default a new one each run, printed and written to the results). Linear code costs the same per KB at both sizes; a super-linear one shows it as
a jump from the 64 KB column to the 1 MB one. Writes `benchmarks/results/detectors-DATE.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path

from benchmarks.detectors.shapes import ALL, text
from benchmarks.detectors.targets import targets
from filters import Message
from filters.masking import MaskingFilter
from filters.threat import ThreatFilter

RESULTS = Path(__file__).resolve().parents[1] / "results"


def cost(target: object, message: str) -> float:
    """CPU microseconds per KB of `message` (one run: the shapes are large)."""
    began = time.process_time()
    target(message)  # type: ignore[operator]
    return (time.process_time() - began) * 1e6 / (len(message.encode()) / 1024)


def tiny_fields(count: int = 80_000) -> dict[str, float]:
    """CPU microseconds per field for `count` tiny fields, as one body of many fields would cost."""
    fields = [Message(f"ok {i % 10}") for i in range(count)]
    result = {}
    for name, flt in (("masking", MaskingFilter()), ("threat", ThreatFilter())):
        async def run(f: object = flt) -> None:
            for field in fields:
                await f.inspect(field)  # type: ignore[attr-defined]
        began = time.process_time()
        asyncio.run(run())
        result[name] = (time.process_time() - began) * 1e6 / count
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[65536, 1 << 20])
    parser.add_argument("--only", default="", help="run only detectors whose name contains this")
    parser.add_argument("--top", type=int, default=6, help="shapes re-run at each larger size (the worst so far)")
    parser.add_argument("--shapes", nargs="+", default=list(ALL), choices=ALL, metavar="SHAPE",
                        help="the shapes to run (default: all)")
    parser.add_argument("--no-fields", action="store_true", help="skip the 80,000 tiny fields")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random shapes (default: a new one)")
    parser.add_argument("--stream-batch", type=int, default=None,
                        help="the stream chain's limits.stream_batch (default: the config default; 1: every piece alone)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print(f"random shapes drawn from seed {seed}")
    report: dict[str, dict[str, dict[str, float]]] = {}
    header = "  ".join(f"{'worst @ ' + str(size // 1024) + ' KB':>34} {'median':>7}" for size in args.sizes)
    print(f"{'detector':32} {header}   (CPU us per KB)")
    for name, target in targets(args.stream_batch).items():
        if args.only not in name:
            continue
        report[name] = {}
        cells = []
        shapes = list(args.shapes)
        for size in args.sizes:
            costs = {shape: cost(target, text(shape, size, seed)) for shape in shapes}
            shapes = sorted(costs, key=lambda shape: -costs[shape])[:args.top]  # larger sizes: the worst only
            report[name][str(size)] = costs
            worst = max(costs, key=lambda shape: costs[shape])
            cells.append(f"{costs[worst]:>10,.0f} ({worst:<20}) {statistics.median(costs.values()):>7,.0f}")
        print(f"{name:32} {'  '.join(cells)}", flush=True)
    fields = {} if args.no_fields else tiny_fields()
    print("\n80,000 tiny fields: " + ", ".join(f"{name} {us:.1f} us/field" for name, us in fields.items()))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"detectors-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"sizes": args.sizes, "seed": seed, "us_per_kb": report, "tiny_fields_us": fields}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
