"""CPU cost of one threat analysis of the benchmark's chat message: the rules as built (Hyperscan naming
the candidates), and RE2's sets alone with and without the rule pre-screen.

The detectors are built in this process and measured in alternating rounds, so the machine's load
falls on both alike. `--pressure` writes that many MB of other memory (one byte per 64-byte cache line)
between messages, as a busy gateway process does between two frames: the automata's states are then
read back from memory instead of the cache.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.threat.screen --pressure 0 4 16
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from benchmarks.payload import chat_json
from filters.threat.detect import Detector
from filters.threat.ruleset import RuleSet


def _re2(*, prescreen: bool) -> Detector:
    detector = Detector()
    detector._rules = RuleSet(detector._rules.rules, detector._rules.gates, prescreen=prescreen, engine=False)
    detector._prompt = RuleSet(detector._prompt.rules, detector._prompt.gates, prescreen=prescreen, engine=False)
    return detector


def _round(call: Callable[[], object], count: int, scratch: bytearray | None) -> float:
    """CPU µs per call, the calls alone (the memory writes between them are not counted)."""
    spent = 0.0
    for _ in range(count):
        if scratch is not None:
            scratch[::64] = bytes(len(scratch) // 64 + (len(scratch) % 64 > 0))
        start = time.thread_time()
        call()
        spent += time.thread_time() - start
    return spent / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.threat.screen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="messages per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=300, help="bytes of the chat message")
    parser.add_argument("--pressure", type=int, nargs="+", default=[0, 4, 16], help="MB written between messages")
    args = parser.parse_args()
    text = json.loads(chat_json(args.size))["text"]
    detectors = {"hyperscan": Detector(), "re2 screened": _re2(prescreen=True), "re2 every set": _re2(prescreen=False)}
    assert detectors["hyperscan"].analyse(text) == detectors["re2 screened"].analyse(text) == \
        detectors["re2 every set"].analyse(text)
    for megabytes in args.pressure:
        scratch = bytearray(megabytes << 20) if megabytes else None
        best: dict[str, list[float]] = {name: [] for name in detectors}
        for _ in range(args.rounds):
            for name, detector in detectors.items():
                best[name].append(_round(lambda detector=detector: detector.analyse(text), args.count, scratch))
        figures = ", ".join(f"{name} {min(times):.1f} (median {sorted(times)[len(times) // 2]:.1f})"
                            for name, times in best.items())
        print(f"{megabytes:>3} MB between messages: CPU µs per analysis: {figures}")


if __name__ == "__main__":
    main()
