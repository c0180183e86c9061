"""How many ordinary links the link judgement flags, on link sets that are not the corpus.

    .venv/bin/python benchmarks/threat/ordinary_urls.py [--show 20] [--per-host 2]

Three sources, each also read as bare host names (`example.com`, as chat often spells links):

* `organisations.txt` beside this file: organisations' own sites, written for the project;
* the home and project URLs that installed Python packages declare (`*.dist-info/METADATA`);
* the URLs in Debian's package documentation on this machine (`/usr/share/doc`), mostly
  upstream homes, bug trackers and mailing-list archives.

The last two follow whatever is installed, so their figures belong to one machine: at most
`--per-host` URLs per host (chosen with a fixed seed) keep one big host from weighing most.
"Flagged" is what the threat benchmark counts: blocked or an alert suggested.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

import re2  # noqa: E402

from filters import Action  # noqa: E402
from filters.threat import ThreatFilter  # noqa: E402

HERE = Path(__file__).resolve().parent
_URL = re2.compile(r"https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+")
_MAX_FILE = 1 << 20  # bytes read per documentation file


def organisations() -> list[str]:
    lines = (HERE / "organisations.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _urls(text: str) -> Iterator[str]:
    for found in _URL.finditer(text):
        yield found.group().rstrip(".,;:)")


def package_metadata() -> set[str]:
    found: set[str] = set()
    for entry in sys.path:
        for meta in Path(entry).glob("*.dist-info/METADATA") if Path(entry).is_dir() else ():
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.lower().startswith(("home-page:", "project-url:", "download-url:")):
                    found.update(_urls(line))
    return found


def debian_docs(root: Path = Path("/usr/share/doc")) -> set[str]:
    found: set[str] = set()
    for path in sorted(root.rglob("*")) if root.is_dir() else ():
        if not path.is_file() or path.is_symlink():
            continue
        try:
            raw = gzip.open(path).read(_MAX_FILE) if path.suffix == ".gz" else path.open("rb").read(_MAX_FILE)
        except (OSError, EOFError):
            continue
        found.update(_urls(raw.decode("utf-8", errors="replace")))
    return found


def per_host(urls: Iterable[str], limit: int) -> list[str]:
    hosts: dict[str, list[str]] = collections.defaultdict(list)
    for url in sorted(set(urls)):
        hosts[url.split("/")[2].lower()].append(url)
    chooser = random.Random(7)
    return [url for host in sorted(hosts) for url in chooser.sample(hosts[host], min(limit, len(hosts[host])))]


def bare_hosts(urls: Iterable[str]) -> list[str]:
    names = {url.split("/")[2].lower().rsplit("@", 1)[-1].split(":")[0].removeprefix("www.") for url in urls}
    return sorted(name for name in names if "." in name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many flagged links per set")
    parser.add_argument("--per-host", type=int, default=2)
    args = parser.parse_args()
    threat = ThreatFilter()
    sets = {"organisations (written for the project)": organisations(),
            "Python package metadata": per_host(package_metadata(), args.per_host),
            "Debian package documentation": per_host(debian_docs(), args.per_host)}
    print(f"  {"set":52} {'links':>7} {'flagged':>8}")
    total = flagged_total = 0
    for name, urls in sets.items():
        for label, texts in ((name, urls), (f"{name}, bare hosts", bare_hosts(urls))):
            verdicts = [threat.decide(text) for text in texts]
            flagged = [t for t, v in zip(texts, verdicts, strict=True) if v.action is not Action.PASS or v.hints.alert]
            total, flagged_total = total + len(texts), flagged_total + len(flagged)
            print(f"  {label:52} {len(texts):7d} {len(flagged) / max(1, len(texts)):8.2%}")
            for text in flagged[:args.show]:
                print(f"      {text[:100]}")
    print(f"  {"all":52} {total:7d} {flagged_total / max(1, total):8.2%}   (target <= 2%)")


if __name__ == "__main__":
    main()
