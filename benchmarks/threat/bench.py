"""Detection rates and throughput of the `threat` filter, tuning and validation parts side by side,
beside OWASP CRS PL1 (libmodsecurity in nginx) in the same run.

    .venv/bin/python benchmarks/threat/bench.py [--corpus PATH] [--sink bot] [--seconds 3] [--no-crs] [--no-scan]
                                                [--misses [tuning|validation|both]] [--fresh tuning|validation|both]

The corpus (`../shared/corpora/threat_dev.jsonl` when present, else the repository's
`tests/data/threat_cases.jsonl`) is split by family (`split.py`): rules are tuned on the
tuning part; the validation part holds techniques, sites and topics they never saw.
"Flagged" means the filter did anything: block, modify or suggest an alert. Prints, per
category, flagged (attacks) or flagged and blocked (benign) for chatguard and CRS, then
messages per CPU second on one core: the filter alone and through `chatguard scan`.
Then the fresh phishing links flagged per source and part: the first set (`data/fresh_phishing.jsonl`,
collections the corpus never drew on) and the second (`data/fresh2_phishing.jsonl`, collections neither the
corpus nor the first set drew on), each split when it was added; and the share of ordinary URLs flagged:
those written for the project and the real ones of `data/real_urls.txt` (`realurls.py`), per part.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

import crs  # noqa: E402
import realurls  # noqa: E402
from split import TUNING, VALIDATION, family, load, parts  # noqa: E402

from benchmarks.scan_rate import ScanRate, scan_rate  # noqa: E402
from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402
from filters.threat.feeds import DomainList  # noqa: E402
from filters.threat.links import Scan, judge  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora" / "threat_dev.jsonl"
BUNDLED = ROOT / "tests" / "data" / "threat_cases.jsonl"
ORDINARY_URLS = ROOT / "tests" / "data" / "ordinary_urls.txt"
_DATA = ROOT / "benchmarks" / "threat" / "data"
# The fresh set, its parts written in (`fresh.py`): every source where it was rebuilt here, else the shipped part.
FRESH = next((p for p in (_DATA / "fresh_phishing_full.jsonl", _DATA / "fresh_phishing.jsonl") if p.exists()),
             _DATA / "fresh_phishing.jsonl")
# The second fresh set (`fresh2.py`): a check that tuning on the first set's tuning part carries over.
FRESH2 = next((p for p in (_DATA / "fresh2_phishing_full.jsonl", _DATA / "fresh2_phishing.jsonl") if p.exists()),
              _DATA / "fresh2_phishing.jsonl")
SCAN_MESSAGES = 20_000  # messages per `chatguard scan` run
# Targets on data the rules were not tuned on (issue: detection that generalises).
TARGETS = {"classic injections": (">=", 0.95), "prompt_injection": (">=", 0.85), "phishing_link": (">=", 0.80),
           "benign_chat": ("<=", 0.005), "benign_code_snippet": ("<=", 0.02), "benign_url": ("<=", 0.02)}
GROUPS = ("classic injections", "prompt_injection", "phishing_link")
Row = dict[str, str]


def group_of(row: Row) -> str:
    if row["label"] == "attack" and row["category"] not in ("prompt_injection", "phishing_link"):
        return "classic injections"
    return row["category"]


def rates(rows: list[Row], flagged: list[bool], blocked: list[bool]) -> dict[str, tuple[int, float, float]]:
    """group or category -> (lines, flagged share, blocked share)."""
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for row, flag, block in zip(rows, flagged, blocked, strict=True):
        for key in {group_of(row), row["category"]}:
            counts[key][0] += 1
            counts[key][1] += flag
            counts[key][2] += block
    return {key: (n, f / n, b / n) for key, (n, f, b) in counts.items()}


def chatguard(rows: list[Row], sink: str) -> tuple[list[bool], list[bool]]:
    threat = ThreatFilter(ThreatOptions(sink=sink))  # type: ignore[arg-type]
    verdicts = [threat.decide(row["text"]) for row in rows]
    return ([v.action is not Action.PASS or v.hints.alert for v in verdicts],
            [v.action is Action.BLOCK for v in verdicts])


def throughput(texts: list[str], seconds: float) -> float:
    threat = ThreatFilter()
    for text in texts:  # warm caches (folding, compiled rules)
        threat.decide(text)
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for text in texts:
            threat.decide(text)
        done += len(texts)
    return done / (time.process_time() - started)


def link_misses(rows: list[Row], flagged: list[bool]) -> collections.Counter[tuple[str, str]]:
    """(family, the signs its worst link showed) -> missed phishing lines: the classes of what is
    missed, never the lines themselves (a line read to write a rule would be memorised)."""
    none = DomainList()
    classes: collections.Counter[tuple[str, str]] = collections.Counter()
    for row, flag in zip(rows, flagged, strict=True):
        if row["category"] != "phishing_link" or flag:
            continue
        found = Scan(row["text"].lower())
        worst = max((judge(found.link(i), none, none) for i in range(len(found))), key=lambda j: j.score,
                    default=None)
        signs = sorted({reason.split(":", 1)[0] for reason in worst.reasons}) if worst else ["no link found"]
        classes[(family(row).split("/", 1)[0], " + ".join(signs) or "no sign")] += 1  # the kind, not the site
    return classes


def fresh_links(parts: tuple[str, ...], sink: str, path: Path = FRESH) -> dict[str, dict[str, tuple[int, float, float]]]:
    """part -> source (and `all`) -> (lines, flagged share, blocked share) on a set of fresh phishing links."""
    rows = load(path)
    out: dict[str, dict[str, tuple[int, float, float]]] = {}
    for part in parts:
        held = [row for row in rows if row["part"] == part]
        flagged, blocked = chatguard(held, sink)
        figures: dict[str, tuple[int, float, float]] = {}
        for source in ("all", *sorted({row["source"] for row in held})):
            marks = [(f, b) for row, f, b in zip(held, flagged, blocked, strict=True) if source in ("all", row["source"])]
            figures[source] = (len(marks), sum(f for f, _ in marks) / len(marks), sum(b for _, b in marks) / len(marks))
        out[part] = figures
    return out


def real_urls(sink: str, shown: frozenset[str] = frozenset()) -> dict[str, dict[str, tuple[int, float]]]:
    """part -> view -> (links, flagged share) on the real ordinary URLs (`data/real_urls.txt`) in the parts
    `realurls.parts` deals; views (`realurls.views`): at most `PER_HOST` per host, every URL, the hosts
    written bare. The
    flagged links of the parts in `shown` are printed (ordinary links: reading them memorises nothing
    of an attack, but tune on the tuning part's only, so that the validation part stays a check)."""
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for part, urls in realurls.parts(realurls.load()).items():
        out[part] = {}
        for view, texts in realurls.views(urls).items():
            flagged, _ = chatguard([{"text": text} for text in texts], sink)
            out[part][view] = (len(texts), sum(flagged) / max(1, len(texts)))
            if part in shown and view != f"<= {realurls.PER_HOST} per host":  # the capped view repeats `all`
                for text in (text for text, flag in zip(texts, flagged, strict=True) if flag):
                    print(f"      real ordinary URL flagged, {part}: {text[:120]}")
    return out


def _repeated(texts: list[str]) -> list[str]:
    """`texts` repeated to about `SCAN_MESSAGES` messages."""
    return texts * max(1, round(SCAN_MESSAGES / len(texts)))


def table(results: dict[str, dict[str, tuple[int, float, float]]]) -> None:
    columns = list(results)
    keys = sorted({key for figures in results.values() for key in figures},
                  key=lambda k: (k not in GROUPS, not k.startswith("benign"), k))
    print(f"  {'category':24} " + " ".join(f"{c:>26}" for c in columns) + "   target")
    print(f"  {'':24} " + " ".join(f"{'n':>6} {'flagged':>9} {'blocked':>9}" for _ in columns))
    for key in keys:
        cells = []
        for column in columns:
            n, flagged, blocked = results[column].get(key, (0, 0.0, 0.0))
            cells.append(f"{n:6d} {flagged:9.1%} {blocked:9.1%}" if n else f"{'-':>26}")
        goal = TARGETS.get(key)
        target = f"{goal[0]} {goal[1]:.1%} {'blocked' if key == 'benign_code_snippet' else 'flagged'}" if goal else ""
        print(f"  {key:24} " + " ".join(cells) + f"   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED if SHARED.exists() else BUNDLED)
    parser.add_argument("--sink", choices=("plain", "html", "bot"), default="bot")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--no-crs", action="store_true")
    parser.add_argument("--no-scan", action="store_true")
    parser.add_argument("--misses", nargs="?", const=TUNING, choices=(TUNING, VALIDATION, "both"),
                        help="count a part's missed phishing links by kind of hosting and signs, and list the real "
                             "ordinary URLs it flags (default: tuning, the part rules are tuned on)")
    parser.add_argument("--fresh", choices=(TUNING, VALIDATION, "both"), default="both",
                        help="which part of the fresh phishing links to score (tune on `tuning` only)")
    args = parser.parse_args()
    rows = load(args.corpus)
    split = parts(rows)
    print(f"corpus {args.corpus} ({len(rows)} lines: tuning {len(split[TUNING])}, validation "
          f"{len(split[VALIDATION])}), sink={args.sink}")
    results: dict[str, dict[str, tuple[int, float, float]]] = {}
    misses: dict[str, collections.Counter[tuple[str, str]]] = {}
    for part in (TUNING, VALIDATION):
        flagged, blocked = chatguard(split[part], args.sink)
        results[f"chatguard {part}"] = rates(split[part], flagged, blocked)
        misses[part] = link_misses(split[part], flagged)
    why_not = "disabled" if args.no_crs else crs.available()
    crs_us = 0.0
    if not why_not:
        for part in (TUNING, VALIDATION):
            blocked, crs_us = crs.run([row["text"] for row in split[part]])
            results[f"CRS PL1 {part}"] = rates(split[part], blocked, blocked)
    table(results)
    if args.misses:
        for part, classes in misses.items():
            if args.misses not in (part, "both"):
                continue
            print(f"\n  phishing links missed, {part}: kind of hosting, signs of the worst link (lines)")
            for (name, signs), n in sorted(classes.items(), key=lambda item: (-item[1], item[0])):
                print(f"    {name:32} {signs:48} {n:3d}")
    shown = (TUNING, VALIDATION) if args.fresh == "both" else (args.fresh,)
    fresh = fresh_links(shown, args.sink)
    fresh2 = fresh_links(shown, args.sink, FRESH2)
    for name, path, figures_of in (("first", FRESH, fresh), ("second", FRESH2, fresh2)):
        print(f"\n  fresh phishing links, {name} set ({path.relative_to(ROOT)}), flagged (blocked)   "
              "target >= 80.0% flagged")
        for part, figures in figures_of.items():
            print(f"    {part:11} "
                  + "   ".join(f"{source} {n} lines {f:.1%} ({b:.1%})" for source, (n, f, b) in figures.items()))
    if args.misses:
        held = [row for row in load(FRESH) if row["part"] in shown and args.misses in (row["part"], "both")]
        if held:
            classes = link_misses(held, chatguard(held, args.sink)[0])
            print(f"\n  fresh phishing links missed, {args.misses}: kind of hosting, signs of the worst link (lines)")
            for (name, signs), n in sorted(classes.items(), key=lambda item: (-item[1], item[0])):
                print(f"    {name:32} {signs:48} {n:3d}")
    urls = [line.strip() for line in ORDINARY_URLS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    url_flagged, _ = chatguard([{"text": url} for url in urls], args.sink)
    print(f"\n  ordinary URLs written for the project ({ORDINARY_URLS.relative_to(ROOT)}): {len(urls)} links, "
          f"{sum(url_flagged) / len(urls):.1%} flagged (target <= 2.0%)")
    real = real_urls(args.sink, frozenset((TUNING, VALIDATION) if args.misses == "both" else
                                          (args.misses,) if args.misses else ()))
    print(f"  real ordinary URLs ({realurls.OUT.relative_to(ROOT)}: package metadata and Debian copyright files), "
          "flagged   target <= 2.0%")
    for part, views in real.items():
        print(f"    {part:11} " + "   ".join(f"{view} {n} links {f:.2%}" for view, (n, f) in views.items()))
    if why_not:
        print(f"\nCRS PL1: skipped ({why_not})")
    texts = [row["text"] for row in rows]
    rate = throughput(texts, args.seconds)
    # As many messages as the masking benchmark sends (about 20,000): a fresh process spends its first
    # thousand messages building RE2's lazy DFA states (about 3x slower), which a short run overweights.
    threat = {"threat": {"use": "threat", "options": {"sink": args.sink}}}
    scans: dict[str, ScanRate] = {}
    if not args.no_scan:
        scans["mix"] = scan_rate(_repeated(texts), threat)
        for part, other in ((TUNING, VALIDATION), (VALIDATION, TUNING)):
            # Steady: the part's lines after the other part's (as many) in the same process.
            scans[part] = scan_rate(_repeated([row["text"] for row in split[part]]), threat,
                                    warm=_repeated([row["text"] for row in split[other]]))
    mean = sum(map(len, texts)) / len(texts)
    print(f"\nthroughput on one core (corpus mix, mean {mean:.0f} chars): filter {rate:,.0f} msg/s "
          f"({1e6 / rate:.0f} us/msg)" + (f"; CRS PL1 in nginx {crs_us:.0f} us/msg CPU" if crs_us else ""))
    for name, scan in scans.items():
        print(f"  chatguard scan, {name} (about {SCAN_MESSAGES:,} messages): fresh process {scan.fresh:,.0f} msg/s"
              + (f", after as many of the other part {scan.steady:,.0f} msg/s" if scan.steady else ""))
    out = ROOT / "benchmarks" / "results" / f"threat-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"corpus": str(args.corpus), "sink": args.sink, "results": results,
                               "fresh": fresh, "fresh2": fresh2, "real_urls": real,
                               "msg_per_s_filter": rate, "msg_per_s_scan": {k: v._asdict() for k, v in scans.items()},
                               "crs_us_per_msg": crs_us},
                              indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
