"""Which rules only help on the tuning part: each rule switched off in turn, both parts re-scored.

    .venv/bin/python benchmarks/threat/ablate.py [--corpus PATH] [--links] [--fresh]

Score per part: attacks flagged, minus three for each benign line flagged (pasted code:
blocked). A rule whose removal costs tuning points and no validation points learnt
something only the tuning families show: a candidate for memorisation. Rules for a
technique that the split put wholly in the tuning part show up here too (the validation
part cannot speak for them); judge those by whether the pattern describes a technique
or copies lines.

`--links` does the same for the link judgement's signs on the phishing lines: for each sign
(`tld`, `random-label`, `free-hosting`...), how many lines of each part are flagged only
with it (their worst link at or above the alert score without it, below with it). `--fresh` does
that on the fresh phishing links, each set apart (`data/fresh_phishing.jsonl`, `data/fresh2_phishing.jsonl`,
parts as written there).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from bench import BUNDLED, FRESH, FRESH2, SHARED  # noqa: E402
from split import load, parts  # noqa: E402

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions, injection, prompt  # noqa: E402  (modules)
from filters.threat import links as linkjudge  # noqa: E402
from filters.threat.detect import GATES  # noqa: E402
from filters.threat.feeds import DomainList  # noqa: E402
from filters.threat.ruleset import select  # noqa: E402
from filters.threat.scoring import combine  # noqa: E402

Signals = list[tuple[float, str]]


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


def link_signals(text: str) -> list[Signals]:
    """The signals of each link in `text`, as the judgement gathers them before combining."""
    gathered: list[Signals] = []
    finish = linkjudge._finish

    def keep(link: linkjudge.Link, signals: Signals) -> linkjudge.Judgement:
        gathered.append(list(signals))
        return finish(link, signals)

    linkjudge._finish = keep  # type: ignore[assignment]
    try:
        found, none = linkjudge.Scan(text.lower()), DomainList()
        for at in range(len(found)):
            linkjudge.judge(found.link(at), none, none)
    finally:
        linkjudge._finish = finish  # type: ignore[assignment]
    return gathered


def flagged_without(lines: list[list[Signals]], sign: str | None, alert: float) -> int:
    """Lines whose worst link reaches `alert` with every signal named `sign` left out (`lexical-sure` is a floor
    under the link's score, `links.SURE_FLOOR`, not a weight)."""
    def score(signals: Signals) -> float:
        kept = [(weight, why) for weight, why in signals if why.split(":", 1)[0] != sign]
        floor = linkjudge.SURE_FLOOR if any(why == "lexical-sure" for _, why in kept) else 0.0
        return max(combine(weight for weight, _ in kept), floor)

    return sum(any(score(signals) >= alert for signals in links) for links in lines)


def ablate_links(split: dict[str, list[dict[str, str]]]) -> None:
    alert = ThreatOptions().alert_score
    lines = {part: [link_signals(row["text"]) for row in rows if row["category"] == "phishing_link"]
             for part, rows in split.items()}
    base = {part: flagged_without(found, None, alert) for part, found in lines.items()}
    print("phishing lines flagged by the link judgement: " + ", ".join(f"{p} {n}/{len(lines[p])}" for p, n in base.items()))
    signs = sorted({why.split(":", 1)[0] for found in lines.values() for links in found for signals in links
                    for _, why in signals})
    for sign in signs:
        lost = {part: base[part] - flagged_without(found, sign, alert) for part, found in lines.items()}
        if any(lost.values()):
            print(f"  {sign:24} lines flagged only with it: " + ", ".join(f"{p} {n}" for p, n in lost.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED if SHARED.exists() else BUNDLED)
    parser.add_argument("--links", action="store_true", help="the link judgement's signs on phishing lines instead")
    parser.add_argument("--fresh", action="store_true", help="--links on each set of fresh phishing links")
    args = parser.parse_args()
    if args.fresh:
        for path in (FRESH, FRESH2):
            print(path.name)
            fresh = load(path)
            ablate_links({part: [row for row in fresh if row["part"] == part] for part in ("tuning", "validation")})
        return
    split = parts(load(args.corpus))
    if args.links:
        ablate_links(split)
        return
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
