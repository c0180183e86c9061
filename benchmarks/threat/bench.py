"""Detection rates and throughput of the `threat` content filter on the labelled corpus.

    .venv/bin/python benchmarks/threat/bench.py [--corpus PATH] [--sink plain|html|bot|all] [--seconds N]

Prints, per sink, the flagged rate of every attack category and the flagged and
blocked rates of every benign category, then messages per second on one core
(one process, one thread). "Flagged" means the filter did anything: block, modify
or suggest an alert. Nothing here asserts on time; the numbers are for people.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "threat_dev.jsonl"
TARGETS = {
    "attack": 0.95, "prompt_injection": 0.70, "phishing_link": 0.60, "benign_chat": 0.005,
    "benign_code_snippet": 0.02,
}


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rates(lines: list[dict[str, str]], sink: str) -> None:
    threat = ThreatFilter(ThreatOptions(sink=sink))  # type: ignore[arg-type]
    counts: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for line in lines:
        verdict = threat.decide(line["text"])
        row = counts[(line["label"], line["category"])]
        row[0] += 1
        row[1] += verdict.action is not Action.PASS or verdict.hints.alert
        row[2] += verdict.action is Action.BLOCK
    print(f"\nsink={sink}")
    print(f"  {'label':7} {'category':22} {'n':>5} {'flagged':>8} {'blocked':>8}  target")
    for (label, category), (total, flagged, blocked) in sorted(counts.items()):
        if label == "attack":
            goal = TARGETS.get(category, TARGETS["attack"])
            target = f">= {goal:.0%} flagged"
        else:
            goal = TARGETS.get(category, -1.0)
            which = "blocked" if category == "benign_code_snippet" else "flagged"
            target = f"<= {goal:.1%} {which}" if goal >= 0 else ""
        print(f"  {label:7} {category:22} {total:5d} {flagged / total:8.1%} {blocked / total:8.1%}  {target}")
    classic = [row for (label, category), row in counts.items()
               if label == "attack" and category not in ("prompt_injection", "phishing_link")]
    total, flagged, blocked = (sum(column) for column in zip(*classic, strict=True)) if classic else (0, 0, 0)
    if total:
        print(f"  {'attack':7} {'classic injections':22} {total:5d} {flagged / total:8.1%} {blocked / total:8.1%}"
              f"  >= 95% flagged")


def throughput(lines: list[dict[str, str]], seconds: float) -> None:
    threat = ThreatFilter()
    texts = [line["text"] for line in lines]
    for text in texts:  # warm caches (folding, compiled rules)
        threat.decide(text)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            threat.decide(text)
        done += len(texts)
    elapsed = time.perf_counter() - started
    print(f"\nthroughput: {done / elapsed:,.0f} msg/s on one core ({done} messages, {elapsed:.1f} s; "
          f"corpus mix, mean {sum(map(len, texts)) / len(texts):.0f} chars)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sink", choices=("plain", "html", "bot", "all"), default="all")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    lines = load(args.corpus)
    for sink in ("plain", "html", "bot") if args.sink == "all" else (args.sink,):
        rates(lines, sink)
    throughput(lines, args.seconds)


if __name__ == "__main__":
    main()
