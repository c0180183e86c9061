"""How many ordinary links the link judgement flags, per set of ordinary URLs, part and view.

    .venv/bin/python benchmarks/threat/ordinary_urls.py [--show 20] [--per-host 10] [--sink bot] [--live]

The sets come from `realurls.py`, which gathers every ordinary URL the benchmarks read and says how:

* `organisations.txt`: links to organisations' own sites, written for the project;
* the real ordinary URLs of `data/real_urls.txt`: what the installed Python packages' metadata and
  Debian's copyright files publish, read once and shipped. `--live` reads them on this machine instead,
  by the same code, each source apart, and Debian's other documentation too (change logs, READMEs:
  tens of thousands of URLs, not shipped): those figures belong to this machine.

Each set is dealt into a tuning and a validation part by site: the shipped set by `realurls.parts`,
the others (the live sources together) by `realurls.parts_keeping`, which leaves a site of the shipped
set in its part there, so that a tuning link read here is never `bench.py`'s validation site. Each part
is read in `realurls.views`: at most `--per-host` URLs per host (the figure), every URL, the hosts
written bare. The real set's rows at the default cap are `bench.py`'s real-URL figures. "Flagged" is
what the threat benchmark counts (`bench.chatguard`): blocked, modified or an alert suggested. `--show
N` prints up to N flagged links per row; tune on the tuning part's only, so that the validation part
stays a check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import realurls  # noqa: E402
from bench import chatguard  # noqa: E402

PARTS = ("tuning", "validation")


def sets(live: bool) -> dict[str, dict[str, list[str]]]:
    """set name -> part -> URLs; a site is in the part the shipped set deals it to, in every set."""
    real = realurls.parts(realurls.load())
    out = {"organisations (written for the project)": realurls.parts_keeping(realurls.organisations(), real)}
    if not live:
        out[f"real ({realurls.OUT.relative_to(realurls.ROOT)})"] = real
        return out
    docs = Path("/usr/share/doc")
    files = {"Python package metadata": realurls.metadata_files(realurls.site_packages()),
             "Debian copyright files": realurls.copyright_files(docs),
             "Debian's other documentation": realurls.doc_files(docs)}
    sources = {f"{name}, this machine": realurls.collect(found) for name, found in files.items()}
    dealt = realurls.parts_keeping(sorted(set().union(*sources.values())), real)
    for name, found in sources.items():
        out[name] = {part: [url for url in urls if url in found] for part, urls in dealt.items()}
    return out


def flagged(texts: list[str], sink: str) -> list[str]:
    """The texts the threat benchmark counts as flagged."""
    marks, _ = chatguard([{"text": text} for text in texts], sink)
    return [text for text, mark in zip(texts, marks, strict=True) if mark]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many flagged links per row and part")
    parser.add_argument("--per-host", type=int, default=realurls.PER_HOST)
    parser.add_argument("--sink", choices=("plain", "html", "bot"), default="bot")
    parser.add_argument("--live", action="store_true",
                        help="read this machine's packages and documentation, not the shipped set")
    args = parser.parse_args()
    print(f"  {'set, view':52} " + " ".join(f"{part:>20}" for part in PARTS))
    totals = {part: [0, 0] for part in PARTS}  # links, flagged: capped views and bare hosts
    for name, dealt in sets(args.live).items():
        print(f"  {name}")
        viewed = {part: realurls.views(dealt[part], args.per_host) for part in PARTS}
        for view in viewed[PARTS[0]]:
            cells, shown = [], []
            for part in PARTS:
                texts = viewed[part][view]
                found = flagged(texts, args.sink)
                cells.append(f"{len(texts):7d} links {len(found) / max(1, len(texts)):6.2%}")
                shown += [f"{part}: {text[:100]}" for text in found[:args.show]]
                if view != "all":
                    totals[part][0] += len(texts)
                    totals[part][1] += len(found)
            print(f"    {view:50} " + " ".join(f"{cell:>20}" for cell in cells))
            for line in shown:
                print(f"        {line}")
    cells = [f"{n:7d} links {k / max(1, n):6.2%}" for n, k in totals.values()]
    print(f"  {'all sets, capped and bare':52} " + " ".join(f"{cell:>20}" for cell in cells)
          + "   (target <= 2%)")

if __name__ == "__main__":
    main()
