"""How many look-alike domains of the known brands the link judgement flags, per kind of look-alike.

    .venv/bin/python benchmarks/threat/lookalikes.py [--per-kind 5] [--seed 7] [--show 3] [--chains]

The look-alikes come from dnstwist, the permutation engine that brand-protection teams
run to find typosquats of their own domains: for each brand whose own domain bears its
name (`paypal` -> `paypal.com`), its fuzzers spell the domain with a letter added,
dropped, doubled, swapped with the next, replaced by a key that touches it, another vowel,
a hyphen, a look-alike letter (ASCII or Unicode, punycode), a Cyrillic twin, a flipped bit
or a dot. A few of each kind per brand are drawn with a fixed seed (the homoglyph kind
alone yields hundreds). Nothing here comes from a corpus, so nothing here is tuned on it. `--chains` takes
the chains of the wallet registry alone (`linkdata.CHAINS`).

"Flagged" is an alert or more (score >= 0.5). The brands' own domains are the control:
they must not be flagged. Bit flips (`bitsquatting`) catch traffic that a memory error
misdirects, not a reader, and a dot inside the name (`pay.pal.com`) moves the brand into
a subdomain of an unrelated name; neither is a reading trick, so both are expected to score low.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

import dnstwist  # noqa: E402

from filters.threat.feeds import DomainList  # noqa: E402
from filters.threat.linkdata import BRANDS, CHAINS  # noqa: E402
from filters.threat.links import Link, judge  # noqa: E402


def own_domains(table: dict[str, frozenset[str]] = BRANDS) -> dict[str, str]:
    """brand -> its own domain that bears its name, for the brands of `table` that have one."""
    found = {}
    for brand, domains in sorted(table.items()):
        named = sorted(domain for domain in domains if domain.split(".", 1)[0] == brand)
        if named:
            found[brand] = named[0]
    return found


def look_alikes(domain: str) -> dict[str, list[str]]:
    """kind -> dnstwist's permutations of `domain` (the domain itself under `*original`)."""
    fuzzer = dnstwist.Fuzzer(domain)
    fuzzer.generate()
    kinds: dict[str, list[str]] = collections.defaultdict(list)
    for entry in fuzzer.domains:
        kinds[entry["fuzzer"]].append(entry["domain"])
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=5, help="look-alikes drawn per brand and kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print this many missed look-alikes per kind")
    parser.add_argument("--chains", action="store_true", help="the chains of the wallet registry alone")
    args = parser.parse_args()
    chooser = random.Random(args.seed)
    none = DomainList()
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    missed: dict[str, list[str]] = collections.defaultdict(list)
    brands = own_domains(CHAINS if args.chains else BRANDS)
    for domain in brands.values():
        for kind, names in sorted(look_alikes(domain).items()):
            for name in chooser.sample(sorted(names), min(args.per_kind, len(names))):
                url = f"https://{name}/"
                flagged = judge(Link(0, len(url), url), none, none).score >= 0.5
                counts[kind][0] += 1
                counts[kind][1] += flagged
                if flagged == (kind == "*original"):
                    missed[kind].append(name)
    print(f"{len(brands)} brands with a domain of their name, up to {args.per_kind} look-alikes per kind each")
    print(f"  {'kind':16} {'domains':>8} {'flagged':>8}")
    for kind, (total, flagged) in sorted(counts.items()):
        print(f"  {kind:16} {total:8d} {flagged / total:8.1%}")
        for name in missed[kind][:args.show]:
            print(f"      {'flagged' if kind == '*original' else 'missed'}: {name}")
    looks = [kind for kind in counts if kind not in ("*original", "bitsquatting", "subdomain")]
    total = sum(counts[kind][0] for kind in looks)
    print(f"  {'reading tricks':16} {total:8d} {sum(counts[kind][1] for kind in looks) / total:8.1%}"
          "   (every kind but the control, bit flips and a dot inside the name)")


if __name__ == "__main__":
    main()
