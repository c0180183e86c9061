"""Which rules only help on the tuning part: each rule switched off in turn, both parts re-scored.

    .venv/bin/python benchmarks/threat/ablate.py [--corpus PATH]

Score per part: attacks flagged, minus three for each benign line flagged (pasted code:
blocked). A rule whose removal costs tuning points and no validation points learnt
something only the tuning families show: a candidate for memorisation. Rules for a
technique that the split put wholly in the tuning part show up here too (the validation
part cannot speak for them); judge those by whether the pattern describes a technique
or copies lines.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from bench import BUNDLED, SHARED  # noqa: E402
from split import load, parts  # noqa: E402

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions, injection, prompt  # noqa: E402  (modules)
from filters.threat.detect import GATES  # noqa: E402
from filters.threat.ruleset import select  # noqa: E402


def score(threat: ThreatFilter, rows: list[dict[str, str]]) -> int:
    points = 0
    for row in rows:
        verdict = threat.decide(row["text"])
        flagged = verdict.action is not Action.PASS or verdict.hints.alert
        if row["label"] == "attack":
            points += flagged
        else:
            points -= 3 * (verdict.action is Action.BLOCK if row["category"] == "benign_code_snippet" else flagged)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED if SHARED.exists() else BUNDLED)
    args = parser.parse_args()
    split = parts(load(args.corpus))
    threat = ThreatFilter(ThreatOptions(sink="bot"))
    base = {part: score(threat, rows) for part, rows in split.items()}
    every = injection.ALL + prompt.PROMPT
    for rule in every:
        threat.detector._rules = select(tuple(r for r in every if r is not rule), threat.detector.categories, GATES)
        threat.detector._prompt = select(tuple(r for r in prompt.PROMPT if r is not rule), threat.detector.categories)
        lost = {part: base[part] - score(threat, rows) for part, rows in split.items()}
        if lost["tuning"] > 0 and lost["validation"] <= 0:
            print(f"tuning only  {rule.category}:{rule.name}  tuning -{lost['tuning']}  validation {-lost['validation']:+d}")
        elif any(lost.values()):
            print(f"             {rule.category}:{rule.name}  tuning -{lost['tuning']}  validation -{lost['validation']}")


if __name__ == "__main__":
    main()
