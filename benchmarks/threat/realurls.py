"""Ordinary URLs that real sites publish about themselves, gathered in one place for every figure of how
often the link judgement flags an ordinary URL (issue target: <= 2 %): `bench.py`'s real-URL rows and
`ordinary_urls.py`'s report.

Sources, each read with the one URL reading (`urls_in`):

* `organisations.txt` beside this file: links to organisations' own sites, written for the project
  (`organisations`);
* the metadata of the installed Python packages (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`: project
  links and the README each carries; `metadata_files`);
* Debian's machine-readable copyright files (`/usr/share/doc/*/copyright`: upstream homes,
  repositories, bug trackers, mailing lists, licence pages; `copyright_files`).

The last two follow what is installed, so they are read once and shipped as `data/real_urls.txt`, with a
header that says how it was built; `load` reads it. Rebuild it (or, with `--check`, compare what this
machine gives with it; exit 1 when they differ) with

    .venv/bin/python benchmarks/threat/realurls.py [--check] [--site-packages DIR ...] [--doc-root DIR]

Left out by `urls_in`: a URL written as a template (followed by `{`, `$`, `*` or `\\`), one with a user
name before its host (`https://paypal.com@evil.example/`: documentation writes those as examples of
deception, not as links to follow), one whose host is neither a dotted name nor `localhost`, and one
whose words the repository's wording check refuses (`_refused`).

Every figure reads a set the same way: at most `PER_HOST` URLs per host (`per_host`, so that one big host
such as github.com does not decide the figure), every URL, and the hosts written bare (`views`), in two
parts (`parts`): sites (registered domains; a platform tenant's own name) dealt largest first to the
smaller part, so that a rule tuned on one part's false positives is checked on sites it never saw.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import random
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from filters.threat.hosts import parse_host  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "real_urls.txt"
ORGANISATIONS = HERE / "organisations.txt"
_URL = re.compile(r"https?://[^\s\"'<>`|^{}\\\[\]]+")
_TEMPLATE_NEXT = frozenset("{$*\\")
# The words the repository's wording check refuses, as digests so that this list passes that check too.
_REFUSED = frozenset({"c55aa4a2c90364fd", "64d6ecc16899883f", "205c32d9309e2b52", "24f89fa18d88a5b5",
                      "c917d7fcf0cfdaf1", "3e9017c5ccba1528", "cb5f4123af1b8a00", "121157d0ba279cd1"})
_LETTERS = re.compile(r"[A-Za-z]+")
_TRAILING = ".,;:!?*'\""
_MAX_FILE = 1 << 20  # bytes read per file
SEED = 15
PER_HOST = 10


def urls_in(text: str) -> Iterator[str]:
    """The URLs written in `text`: trailing punctuation and unbalanced closing brackets dropped,
    templates (`https://host/{version}/...`) left out."""
    for found in _URL.finditer(text):
        if text[found.end():found.end() + 1] in _TEMPLATE_NEXT and found.end() < len(text):
            continue
        url = found.group()
        while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        host = url.split("/", 3)[2] if url.count("/") >= 2 else ""
        if "@" not in host and ("." in host or host.startswith("localhost")) and not _refused(url):
            yield url


def _digest(word: str) -> str:
    return hashlib.blake2b(word.encode(), digest_size=8).hexdigest()


def _refused(url: str) -> bool:
    """Whether a run of letters in `url` (alone, or with the hyphen after it) is a refused word."""
    for found in _LETTERS.finditer(url):
        word = found.group().lower()
        if _digest(word) in _REFUSED or (url[found.end():found.end() + 1] == "-" and _digest(word + "-") in _REFUSED):
            return True
    return False


def _read(path: Path) -> str:
    """The text of `path` (gzip read through), at most `_MAX_FILE` bytes of it; "" when unreadable."""
    try:
        with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as handle:
            return handle.read(_MAX_FILE).decode("utf-8", errors="replace")
    except (OSError, EOFError):
        return ""


def organisations() -> list[str]:
    """The links to organisations' own sites written for the project, in the file's order."""
    return list(urls_in(_read(ORGANISATIONS)))


def metadata_files(site_packages: Iterable[Path]) -> list[Path]:
    """Installed packages' metadata: wheels' METADATA and eggs' PKG-INFO."""
    found: list[Path] = []
    for root in site_packages:
        found += sorted(root.glob("*.dist-info/METADATA")) + sorted(root.glob("*.egg-info/PKG-INFO"))
    return found


def copyright_files(doc_root: Path) -> list[Path]:
    return sorted(path for path in doc_root.glob("*/copyright") if path.is_file())


def doc_files(doc_root: Path) -> list[Path]:
    """The rest of Debian's package documentation: change logs, READMEs, examples (not shipped: tens of
    thousands of URLs, most of them in change logs; `ordinary_urls.py --live` reads them)."""
    return sorted(path for path in doc_root.rglob("*")
                  if path.is_file() and not path.is_symlink() and path.name != "copyright")


def collect(files: Iterable[Path]) -> set[str]:
    return {url for path in files for url in urls_in(_read(path))}


def site_packages() -> list[Path]:
    """The project's .venv, whose packages the shipped set was read from."""
    return sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))


def build(packages: Iterable[Path], doc_root: Path) -> str:
    """The text of `data/real_urls.txt` as this machine gives it: a header saying how, then every URL."""
    metadata, copyrights = metadata_files(packages), copyright_files(doc_root)
    python, debian = collect(metadata), collect(copyrights)
    kept = sorted(python | debian)
    header = [
        "# Real ordinary URLs: every URL in the metadata of the Python packages installed in the project's",
        f"# .venv ({len(metadata)} METADATA / PKG-INFO files, {len(python)} distinct URLs) and in Debian's",
        f"# copyright files under {doc_root} ({len(copyrights)} files, {len(debian)} distinct URLs);",
        f"# templates and URLs with a user name before the host left out, deduplicated: {len(kept)} URLs",
        f"# on {len(bare_hosts(kept))} hosts. Built by benchmarks/threat/realurls.py; see data/README.md.",
    ]
    return "\n".join(header + kept) + "\n"


def load() -> list[str]:
    """The shipped set, one URL a line (comments left out)."""
    lines = OUT.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def host_of(url: str) -> str:
    """The host of a URL as `urls_in` gives them: lower case, no `www.`, no port."""
    return url.split("/")[2].lower().removeprefix("www.").split(":")[0]


def bare_hosts(urls: Iterable[str]) -> list[str]:
    """The hosts of `urls` written bare, as chat often spells a link (`example.com`), sorted."""
    return sorted({host_of(url) for url in urls})


def per_host(urls: Iterable[str], limit: int = PER_HOST) -> list[str]:
    """At most `limit` URLs per host (`host_of`), drawn with a fixed seed, sorted."""
    hosts: dict[str, list[str]] = collections.defaultdict(list)
    for url in sorted(set(urls)):
        hosts[host_of(url)].append(url)
    chooser = random.Random(SEED)
    return sorted(url for host in sorted(hosts) for url in chooser.sample(hosts[host], min(limit, len(hosts[host]))))


def views(urls: list[str], limit: int = PER_HOST) -> dict[str, list[str]]:
    """view -> texts: at most `limit` URLs per host (the figure), every URL, the hosts written bare."""
    return {f"<= {limit} per host": per_host(urls, limit), "all": urls, "hosts written bare": bare_hosts(urls)}


def site_of(url: str) -> str:
    """The site a URL belongs to: its registered domain, or on a shared platform the tenant's own name."""
    return parse_host(host_of(url)).tenant


def parts(urls: list[str]) -> dict[str, list[str]]:
    """tuning / validation -> URLs: each site's URLs in one part, sites dealt largest first (by their
    URLs under the per-host cap) to whichever part holds fewer so far."""
    site = {url: site_of(url) for url in urls}
    sizes = collections.Counter(site[url] for url in per_host(urls, PER_HOST))
    held, part_of = {"tuning": 0, "validation": 0}, {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        part = "tuning" if held["tuning"] <= held["validation"] else "validation"
        part_of[name] = part
        held[part] += sizes[name]
    return {part: [url for url in urls if part_of[site[url]] == part] for part in held}


def parts_keeping(urls: list[str], earlier: dict[str, list[str]]) -> dict[str, list[str]]:
    """tuning / validation -> URLs, where a site that `earlier` parts hold stays in its part (so that
    what is read in one set's tuning part is never another's validation site) and the other sites are
    dealt by `parts` among themselves."""
    kept = {site_of(url): part for part, held in earlier.items() for url in held}
    site = {url: site_of(url) for url in urls}
    dealt = parts([url for url in urls if site[url] not in kept])
    part_of = {url: part for part, held in dealt.items() for url in held}
    return {part: [url for url in urls if kept.get(site[url], part_of.get(url)) == part] for part in dealt}


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild data/real_urls.txt from this machine's packages")
    parser.add_argument("--site-packages", type=Path, nargs="*", default=site_packages())
    parser.add_argument("--doc-root", type=Path, default=Path("/usr/share/doc"))
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, do not write it")
    args = parser.parse_args()
    text = build(args.site_packages, args.doc_root)
    if args.check:
        shipped, given = set(load()), {line for line in text.splitlines() if not line.startswith("#")}
        same = text == OUT.read_text(encoding="utf-8")
        print(f"{OUT.relative_to(ROOT)}: {'the same' if same else 'differs'} ({len(shipped - given)} URLs "
              f"not found on this machine, {len(given - shipped)} found only here)")
        sys.exit(0 if same else 1)
    OUT.write_text(text, encoding="utf-8")
    print("\n".join(line[2:] for line in text.splitlines() if line.startswith("#")))


if __name__ == "__main__":
    main()
