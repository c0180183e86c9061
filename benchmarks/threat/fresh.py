"""Build the fresh phishing set: real phishing links from public collections the corpus never drew on,
split by family before any rule is measured on them.

    .venv/bin/python benchmarks/threat/fresh.py --eth CONFIG_JSON --phishtank URLS_TXT [--eth-count 150]

`CONFIG_JSON` is `src/config.json` of the npm package `eth-phishing-detect` (`npm pack
eth-phishing-detect@1.2.0`): its `blacklist` holds the domains MetaMask's wallet warns about.
`URLS_TXT` holds the URL column of a PhishTank `verified_online.csv` dump, one a line, in the dump's
order (the rows read are named in `data/README.md`). Writes `data/fresh_phishing_full.jsonl` (every
source; kept out of the repository) and `data/fresh_phishing.jsonl` (the sources whose licence lets the
lines be shipped: eth-phishing-detect); one JSON line per link, `{"text", "label": "attack", "category":
"phishing_link", "source", "part"}`.

A link is kept only if no phishing line of the corpus (`../shared/corpora/threat_dev.jsonl`, the
bundled `tests/data/threat_cases.jsonl`) or earlier kept line has its registered domain (on a shared
platform: the tenant's own name), and no earlier kept line has its template (the labels left of that
domain and the path: `usps.<random>.top/` or `<random>.cc/captcha` is one kit sent from many
names). Then each campaign (`split.families`) keeps its first `CAP` lines: the near copies of one kit
measure one thing. The part of each line is what `split.py` deals on the fresh lines alone, written
into the file so the split stays as it was when it was made.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from split import _PLATFORMS, _host, families, load, split  # noqa: E402

from filters.threat.hosts import parse_host  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "data" / "fresh_phishing.jsonl"  # shipped: redistributable sources only
FULL = Path(__file__).resolve().parent / "data" / "fresh_phishing_full.jsonl"  # every source; kept local (.gitignore)
SHIPPED = frozenset({"eth-phishing-detect"})  # PhishTank's terms do not grant redistribution of its lines
CORPORA = (ROOT.parent / "shared" / "corpora" / "threat_dev.jsonl", ROOT / "tests" / "data" / "threat_cases.jsonl")
CAP = 4  # lines per campaign
SEED = 15
Row = dict[str, str]


def owner(text: str) -> tuple[str, str]:
    """(the registered domain or a platform tenant's own name, the template: labels left of it and the path)."""
    lowered = text.strip().lower()
    host = parse_host(_host(lowered), frozenset(_PLATFORMS))
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/?#]*", "", lowered) if "://" in lowered else ""
    path = re.split(r"[?#]", path, maxsplit=1)[0].rstrip("/")
    labels = ".".join(label for label in host.subdomains if label != "www")
    return host.tenant, f"{labels}|{path}" if labels or path else ""


def known_sites() -> set[str]:
    sites: set[str] = set()
    for path in CORPORA:
        if path.exists():
            sites.update(owner(row["text"])[0] for row in load(path) if row["category"] == "phishing_link")
    return sites


def pick(candidates: list[tuple[str, str]], seen: set[str], templates: set[str]) -> list[Row]:
    """The candidates (text, source) that bring a new site and a new template, in order."""
    kept = []
    for text, source in candidates:
        site, template = owner(text)
        if site in seen or (template and template in templates):
            continue
        seen.add(site)
        if template:
            templates.add(template)
        kept.append({"text": text.strip(), "label": "attack", "category": "phishing_link", "source": source})
    return kept


def capped(rows: list[Row], cap: int = CAP) -> list[Row]:
    """`rows` with at most `cap` of each campaign (`split.families`), in their order."""
    counts: Counter[str] = Counter()
    out = []
    for row, name in zip(rows, families(rows), strict=True):
        counts[name] += 1
        if counts[name] <= cap:
            out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eth", type=Path, required=True, help="eth-phishing-detect's src/config.json")
    parser.add_argument("--phishtank", type=Path, required=True, help="URLs of a PhishTank dump, one a line")
    parser.add_argument("--eth-count", type=int, default=150)
    args = parser.parse_args()
    seen, templates = known_sites(), set()
    before = len(seen)
    urls = [line for line in args.phishtank.read_text(encoding="utf-8").splitlines() if line.strip()]
    phishtank = capped(pick([(url, "phishtank") for url in urls], seen, templates))
    domains = sorted(json.loads(args.eth.read_text(encoding="utf-8"))["blacklist"])
    random.Random(SEED).shuffle(domains)
    eth: list[Row] = []
    for at in range(0, len(domains), 50):  # in steps, until enough survive the campaign cap
        eth = capped(eth + pick([(d, "eth-phishing-detect") for d in domains[at:at + 50]], seen, templates))
        if len(eth) >= args.eth_count:
            eth = eth[:args.eth_count]
            break
    rows = phishtank + eth
    assignment = split(rows)
    for row, name in zip(rows, families(rows), strict=True):
        row["part"] = assignment[name]
    OUT.parent.mkdir(exist_ok=True)
    FULL.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows if row["source"] in SHIPPED),
                   encoding="utf-8")
    parts = Counter((row["source"], row["part"]) for row in rows)
    print(f"{len(urls)} PhishTank URLs read, {len(phishtank)} kept; {len(eth)} eth-phishing-detect domains kept; "
          f"{before} corpus sites left out; parts {dict(sorted(parts.items()))} -> {FULL.relative_to(ROOT)} "
          f"(every source) and {OUT.relative_to(ROOT)} (the redistributable ones)")


if __name__ == "__main__":
    main()
