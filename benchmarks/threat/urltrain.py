"""Build the training set of the learned link score (`urlmodel.py`): phishing links and ordinary links
from public sources that no check of the link judgement reads.

    .venv/bin/python benchmarks/threat/urltrain.py --phishtank NAME=URLS_TXT ... --polkadot DOMAINS_TXT ... \\
        --eth CONFIG_JSON

Phishing (`data/README.md` names the rows read):

* `URLS_TXT`: the URL column of whole rows of a PhishTank `verified_online.csv` dump, one a line, in the
  dump's order; `NAME` is the source it is recorded as (`phishtank-2014`, `phishtank-2025`). PhishTank's
  terms do not grant redistribution: these lines stay local;
* `DOMAINS_TXT`: whole entries of the polkadot{.js} phishing list's `deny`, one a line, from ranges of
  `all.json` that the second fresh set did not draw on. An entry whose first four letters are those of an
  entry of `data/polkadot_phishing.txt` is left out (that is how the second set drew on its ranges), and so
  is every domain on eth-phishing-detect's `blacklist` (`CONFIG_JSON`: the first set's collection).

Ordinary links, read on this machine:

* `debian-homepages`: the `Homepage:` field of every package Debian's archive lists (`apt-cache dumpavail`;
  run `apt-get update` first);
* `public-suffix-list`: URLs in the comments of the Public Suffix List the `.venv` holds (the registries
  of top-level domains and the companies that hand out names under their own: their home pages);
* `python-sources`: URLs written in the source files of the Python packages in the project's `.venv`
  (comments and docstrings point at documentation pages, bug reports, standards, questions and answers);
* `debian-docs`: URLs in Debian's package documentation besides the copyright files (change logs, READMEs).
  **Held out of training wholly** (`part` is `held-out`): the score is measured on it as ordinary links of
  a kind it never learnt from (bug trackers, mailing-list archives, upstream pages).

A link is left out when its site (registered domain; on a shared platform, the tenant's own name) is a site
of a link in either fresh set, the corpus (`../shared/corpora/threat_dev.jsonl`), `tests/data/threat_cases.jsonl`,
`tests/data/ordinary_urls.txt`, `organisations.txt` or `data/real_urls.txt`: those stay independent checks.
At most `PER_SITE` links per site; phishing campaigns at most `CAP` lines (`fresh.capped`). Parts are dealt by
`split.py` (phishing by campaign, ordinary links by site). Writes `data/url_training_full.jsonl` (kept out of
the repository): `{"text", "label": "attack" | "benign", "source", "part"}`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from fresh import FULL as FIRST_FULL  # noqa: E402
from fresh import ROOT, Row, capped, owner  # noqa: E402
from fresh2 import FULL as SECOND_FULL  # noqa: E402
from fresh2 import POLKADOT, domains  # noqa: E402
from realurls import ORGANISATIONS, _read, doc_files, site_packages, urls_in  # noqa: E402
from realurls import load as real_urls  # noqa: E402
from split import families, load, split  # noqa: E402

from filters.threat.links import extract  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
OUT = DATA / "url_training_full.jsonl"  # holds PhishTank lines: kept local (.gitignore)
CHECKS = (
    FIRST_FULL,
    SECOND_FULL,
    ROOT.parent / "shared" / "corpora" / "threat_dev.jsonl",
    ROOT / "tests" / "data" / "threat_cases.jsonl",
)
PER_SITE = 3  # links per site: one big site must not teach the score its name
CAP = 12  # lines per phishing campaign: a kit sent from hundreds of names teaches one thing
SEED = 27


def site(url: str) -> str:
    return owner(url)[0]


def checked_sites() -> set[str]:
    """The sites of every link the independent checks read."""
    texts = [row["text"] for path in CHECKS if path.exists() for row in load(path)]
    texts += ROOT.joinpath("tests", "data", "ordinary_urls.txt").read_text(encoding="utf-8").splitlines()
    texts += _read(ORGANISATIONS).splitlines() + real_urls()
    return {site(link.url) for text in texts for link in extract(text)} - {""}


def homepages() -> list[str]:
    """The `Homepage:` of every package in Debian's archive lists, sorted."""
    listing = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    return sorted(
        {url for line in listing.splitlines() if line.startswith("Homepage:") for url in urls_in(line)}
    )


def suffix_list_urls() -> list[str]:
    """URLs in the comments of the Public Suffix List the `.venv`'s publicsuffixlist package bundles, sorted."""
    files = sorted(path for root in site_packages() for path in root.glob("publicsuffixlist/*.dat"))
    return sorted({url for path in files for url in urls_in(_read(path))})


def source_urls() -> list[str]:
    """URLs in the Python source files of the project's `.venv`, sorted."""
    files = sorted(path for root in site_packages() for path in root.rglob("*.py"))
    return sorted({url for path in files for url in urls_in(_read(path))})


def kept(candidates: list[str], source: str, seen: set[str], label: str) -> list[Row]:
    """At most `PER_SITE` candidates per site, none of a site in `seen`, drawn with a fixed seed."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for url in dict.fromkeys(candidates):
        name = site(url)
        if name and name not in seen:
            by_site[name].append(url)
    chooser = random.Random(SEED)
    rows = []
    for name in sorted(by_site):
        urls = by_site[name]
        for url in sorted(chooser.sample(urls, min(PER_SITE, len(urls)))):
            rows.append(
                {
                    "text": url,
                    "label": label,
                    "source": source,
                    "category": "phishing_link" if label == "attack" else "benign_url",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--phishtank",
        action="append",
        required=True,
        metavar="NAME=URLS_TXT",
        help="a source name and the URLs of a PhishTank dump, one a line",
    )
    parser.add_argument(
        "--polkadot", type=Path, action="append", required=True, help="polkadot{.js} deny entries, one a line"
    )
    parser.add_argument("--eth", type=Path, required=True, help="eth-phishing-detect's src/config.json")
    args = parser.parse_args()
    checked = checked_sites()
    drawn = {domain[:4] for domain in domains(POLKADOT.read_text(encoding="utf-8"))}
    excluded = set(domains("\n".join(json.loads(args.eth.read_text(encoding="utf-8"))["blacklist"])))
    polkadot = [
        d
        for path in args.polkadot
        for d in domains(path.read_text(encoding="utf-8"))
        if d[:4] not in drawn and d not in excluded
    ]
    phishing: list[Row] = []
    seen = set(checked)
    for pair in args.phishtank:
        name, _, path = pair.partition("=")
        phishing += kept(domains(Path(path).read_text(encoding="utf-8")), name, seen, "attack")
        seen |= {site(row["text"]) for row in phishing}
    phishing = capped(phishing + kept(polkadot, "polkadot-deny", seen, "attack"), CAP)
    seen |= {site(row["text"]) for row in phishing}
    ordinary: list[Row] = []
    for source, urls in (
        ("debian-homepages", homepages()),
        ("public-suffix-list", suffix_list_urls()),
        ("python-sources", source_urls()),
    ):
        ordinary += kept(urls, source, seen, "benign")
        seen |= {site(row["text"]) for row in ordinary}
    rows = phishing + ordinary
    assignment = split(rows)
    for row, name in zip(rows, families(rows), strict=True):
        row["part"] = assignment[name]
    docs = sorted({url for path in doc_files(Path("/usr/share/doc")) for url in urls_in(_read(path))})
    held = kept(docs, "debian-docs", seen, "benign")
    for row in held:
        row["part"] = "held-out"
    OUT.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows + held), encoding="utf-8"
    )
    counts = Counter((row["source"], row["part"]) for row in rows + held)
    print(f"{len(checked)} checked sites left out; {dict(sorted(counts.items()))} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
