"""Build the second fresh phishing set: real phishing links from collections that neither the corpus
nor the first fresh set (`fresh.py`) drew on, split by campaign before any rule is measured on them.

    .venv/bin/python benchmarks/threat/fresh2.py --phishtank URLS_TXT --eth CONFIG_JSON [--count 150]

The first set measures what tuning did; this one checks that tuning on the first set's tuning part
carried over to links of other years and other collections. Sources (rows read: `data/README.md`):

* `URLS_TXT`: the URL column of a PhishTank `verified_online.csv` dump of 14 March 2021, one a line,
  in the dump's order. PhishTank's terms do not grant redistribution: these lines stay local.
* `data/polkadot_phishing.txt` (shipped, Apache-2.0): domains from the deny list of the
  polkadot{.js} phishing list, a community-kept list of sites that prey on wallet users.
  `--count` of them are kept, drawn with a fixed seed.

`CONFIG_JSON` is eth-phishing-detect's `src/config.json` (`npm pack eth-phishing-detect@1.2.0`):
the polkadot{.js} list imports some entries from it, and the first set drew on it, so any domain
on its `blacklist` is left out. A link is also left out if it shares its site (registered
domain, or a platform tenant's own name) with a phishing line of the corpus or of the first set
(`data/fresh_phishing_full.jsonl` where rebuilt, else the shipped part), or its template with a
line of the first set; the rest follows `fresh.py` (one line per site and template, at most
`CAP` per campaign) and `split.py` deals the new lines alone, its parts written into the file.

Writes `data/fresh2_phishing_full.jsonl` (every source; kept out of the repository) and
`data/fresh2_phishing.jsonl` (the redistributable source).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from fresh import FULL as FIRST_FULL  # noqa: E402
from fresh import OUT as FIRST_OUT  # noqa: E402
from fresh import ROOT, Row, capped, known_sites, owner, pick  # noqa: E402
from split import families, load, split  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
POLKADOT = DATA / "polkadot_phishing.txt"  # candidates, shipped (Apache-2.0)
OUT = DATA / "fresh2_phishing.jsonl"  # shipped: redistributable sources only
FULL = DATA / "fresh2_phishing_full.jsonl"  # every source; kept local (.gitignore)
PHISHTANK, POLKADOT_SOURCE = "phishtank-2021", "polkadot-phishing"
SHIPPED = frozenset({POLKADOT_SOURCE})
SEED = 21


def first_set() -> list[Row]:
    """The first fresh set: every source where it was rebuilt here, else its shipped part."""
    return load(FIRST_FULL if FIRST_FULL.exists() else FIRST_OUT)


def domains(text: str) -> list[str]:
    """One domain a line (`#` starts a comment), lower-cased, a trailing root dot dropped."""
    lines = (line.split("#", 1)[0].strip().lower().rstrip(".") for line in text.splitlines())
    return [line for line in lines if line]


def build(urls: list[str], candidates: list[str], excluded: set[str], count: int) -> list[Row]:
    """The second set's rows, parts written in."""
    seen = known_sites() | {owner(row["text"])[0] for row in first_set()}
    templates = {template for row in first_set() if (template := owner(row["text"])[1])}
    phishtank = capped(pick([(url, PHISHTANK) for url in urls], seen, templates))
    pool = [domain for domain in dict.fromkeys(candidates) if domain not in excluded]
    random.Random(SEED).shuffle(pool)
    chosen: list[Row] = []
    for at in range(0, len(pool), 50):  # in steps, until enough survive the campaign cap
        chosen = capped(chosen + pick([(d, POLKADOT_SOURCE) for d in pool[at:at + 50]], seen, templates))
        if len(chosen) >= count:
            break
    rows = phishtank + chosen[:count]
    assignment = split(rows)
    for row, name in zip(rows, families(rows), strict=True):
        row["part"] = assignment[name]
    return rows


def write(path: Path, rows: list[Row]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phishtank", type=Path, required=True, help="URLs of the 2021 PhishTank dump, one a line")
    parser.add_argument("--eth", type=Path, required=True, help="eth-phishing-detect's src/config.json")
    parser.add_argument("--count", type=int, default=150, help="polkadot{.js} domains to keep")
    args = parser.parse_args()
    if not FIRST_FULL.exists():
        print(f"note: {FIRST_FULL.relative_to(ROOT)} is missing; the first set's PhishTank sites are not left out")
    urls = [line.strip() for line in args.phishtank.read_text(encoding="utf-8").splitlines() if line.strip()]
    excluded = set(domains("\n".join(json.loads(args.eth.read_text(encoding="utf-8"))["blacklist"])))
    rows = build(urls, domains(POLKADOT.read_text(encoding="utf-8")), excluded, args.count)
    write(FULL, rows)
    write(OUT, [row for row in rows if row["source"] in SHIPPED])
    parts = Counter((row["source"], row["part"]) for row in rows)
    print(f"{len(urls)} PhishTank URLs read; parts {dict(sorted(parts.items()))} -> {FULL.relative_to(ROOT)} "
          f"(every source) and {OUT.relative_to(ROOT)} (the redistributable one)")


if __name__ == "__main__":
    main()
