"""Domain lists: allow/deny entries from config and blocklist feed files.

A feed file holds one URL or domain per line (`#` starts a comment), the format the
public phishing feeds publish, or one domain a line written as a hosts file or a filter-list
rule. Every file is read when the filter is built, so a missing, unreadable or malformed feed
stops startup instead of silently checking nothing.

Feeds change hourly, so `Feeds.refresh` re-reads a file whose identity (`filters.files`)
changed and swaps the new union in whole. A new version that cannot be read, is empty when
the previous one was not, or has more than `MALFORMED_SHARE` of its lines that are no URL or
domain (an HTML error page, a truncated download) is refused: the file's previous list stays
in use until a good version arrives. `chatguard feeds fetch` checks a download the same way
(`read_feed`, `FeedText.problem`) before it replaces a file.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from filters._api import Refreshed
from filters.files import FileIdentity, identity
from filters.options import OptionsError

_SCHEMES = ("http://", "https://", "hxxp://", "hxxps://", "ftp://")
_MAX_NAME = 253  # the longest name DNS allows
MAX_FEED_BYTES = 128 * 1024 * 1024  # a bigger file is refused (no public feed comes near it)
MALFORMED_SHARE = 0.1  # a file with more of its entry lines unreadable than this is refused whole
_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")  # after IDNA: what a name or IPv4 address looks like
_PATH_BREAKS = re.compile(r"[\s<>\"'`{}|\\^]")  # no URL a feed lists holds these unescaped
_BLANK = ("", "")
# Addresses a hosts-file blocklist points a name at so that it resolves nowhere.
_SINKS = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "0"})


def _strip_scheme(entry: str) -> str:
    for scheme in _SCHEMES:
        if entry.startswith(scheme):
            return entry[len(scheme):]
    return entry


def normalise_host(host: str) -> str:
    """Lower case, no trailing dot, IDNA (punycode) form, so lists and links compare alike."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host


@dataclass(frozen=True, slots=True)
class DomainList:
    """Domains (matching themselves and every subdomain) and exact URLs (host + path)."""

    domains: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()

    @classmethod
    def build(cls, entries: Iterable[str]) -> DomainList:
        """The list of `entries`; blank lines, comments and entries that are no URL or domain are left out."""
        return read_feed(entries).entries

    def __bool__(self) -> bool:
        return bool(self.domains or self.urls)

    def __len__(self) -> int:
        return len(self.domains) + len(self.urls)

    def __or__(self, other: DomainList) -> DomainList:
        return DomainList(self.domains | other.domains, self.urls | other.urls)

    def has_host(self, host: str) -> bool:
        """True when `host` or any parent domain of it is listed.

        Only parents that fit in a DNS name (253 characters) can be listed, so a hostile
        host of thousands of labels costs a bounded number of look-ups."""
        if not self.domains:
            return False
        if host in self.domains:
            return True
        index = host.find(".", max(0, len(host) - _MAX_NAME - 1))
        while index >= 0:
            if host[index + 1:] in self.domains:
                return True
            index = host.find(".", index + 1)
        return False

    def has_url(self, host: str, path: str) -> bool:
        return bool(self.urls) and f"{host}/{path.strip('/')}".rstrip("/") in self.urls

    def matches(self, host: str, path: str = "") -> bool:
        return self.has_host(host) or self.has_url(host, path)


def _hosts_line(entry: str) -> str | None:
    """The name a hosts-file line sinks (`0.0.0.0 evil.example`), or None for any other line; "" for a
    line that names no domain (`127.0.0.1 localhost`, the file's own header lines)."""
    address, _, rest = entry.replace("\t", " ").partition(" ")
    names = rest.split()
    if not names:
        return None
    try:
        ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if not any("." in name for name in names):  # `::1 localhost ip6-localhost`: the file's header
        return ""
    if address not in _SINKS or len(names) != 1:  # a host's real address, or several names: no blocklist line
        return None
    return names[0] if names[0] not in _SINKS else ""


def _entry(raw: str) -> tuple[str, str] | None:
    """`("domain", host)` or `("url", host/path)` for one line; `_BLANK` for a blank line or comment;
    None for a line that is no URL or domain.

    Besides a URL or domain a line a feed may be written as a hosts file (`0.0.0.0 evil.example`) or
    as a filter list's domain rule (`||evil.example^`) or a wildcard (`*.evil.example`), the forms
    blocklists for resolvers and browsers are published in; each names a domain and every name under it."""
    entry = _strip_scheme(raw.strip().lower())
    if not entry or entry.startswith("#"):
        return _BLANK
    sunk = _hosts_line(entry)
    if sunk is not None:
        if not sunk:
            return _BLANK
        entry = sunk
    elif entry.startswith("||") and entry.endswith("^"):
        entry = entry[2:-1]
        if "/" in entry or not entry:
            return None
    elif entry.startswith("*."):  # every name under it: the domain itself is listed, which covers them
        entry = entry[2:]
    hostport, _, path = entry.partition("/")
    name, colon, port = hostport.rpartition("@")[2].partition(":")
    host = normalise_host(name)
    if not _HOST.fullmatch(host) or (colon and not port.isdigit()) or _PATH_BREAKS.search(path):
        return None
    if path.strip("/"):
        return ("url", host + "/" + path.rstrip("/"))
    return ("domain", host)


@dataclass(frozen=True, slots=True)
class FeedText:
    """One feed's lines read as a list, and how many of them were entries or unreadable."""

    entries: DomainList
    lines: int      # lines holding an entry (not blank, not only a comment)
    malformed: int  # of those, lines that are no URL or domain (left out of `entries`)

    def problem(self, had: int = 0) -> str:
        """Why this version must not replace a previous one of `had` entries ("" when it may)."""
        if self.malformed > self.lines * MALFORMED_SHARE:
            return f"{self.malformed} of its {self.lines} lines are no URL or domain"
        if had and not self.entries:
            return f"it lists nothing (the version in use lists {had})"
        return ""


def read_feed(lines: Iterable[str]) -> FeedText:
    """Read feed `lines` (one URL or domain a line, `#` to the end of a line is a comment)."""
    domains: set[str] = set()
    urls: set[str] = set()
    count = malformed = 0
    for line in lines:
        found = _entry(line.split("#", 1)[0])
        if found is _BLANK:
            continue
        count += 1
        if found is None:
            malformed += 1
        elif found[0] == "url":
            urls.add(found[1])
        else:
            domains.add(found[1])
    return FeedText(DomainList(frozenset(domains), frozenset(urls)), count, malformed)


def read_feed_file(name: str) -> FeedText:
    """Read the feed file `name`; OSError when it cannot be read, ValueError when it is too big."""
    with open(name, "rb") as handle:
        data = handle.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ValueError(f"larger than {MAX_FEED_BYTES} bytes")
    return read_feed(data.decode("utf-8", errors="replace").splitlines())


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"cannot read it: {exc.strerror or type(exc).__name__}"
    return str(exc)


class Feeds:
    """The feed files of one filter: each file's last good list, and their union (`current`).

    `refresh` runs on one thread at a time (the filter's refresh task, or a worker process between
    calls); readers only ever see `current`, which it replaces whole."""

    def __init__(self, paths: Sequence[str], key: str = "blocklists") -> None:
        """Read every file now; one that cannot be read or is malformed raises OptionsError naming
        `key[index]`."""
        self.paths = tuple(paths)
        self._seen: list[FileIdentity] = []
        self._lists: list[DomainList] = []
        self._stale: set[int] = set()
        for index, name in enumerate(self.paths):
            self._seen.append(identity(name))
            try:
                feed = read_feed_file(name)
            except (OSError, ValueError) as exc:
                raise OptionsError(f"{key}[{index}]", f"{name!r}: {_why(exc)}") from None
            problem = feed.problem()
            if problem:
                raise OptionsError(f"{key}[{index}]", f"{name!r}: {problem}")
            self._lists.append(feed.entries)
        self.current = reduce(or_, self._lists, DomainList())

    def refresh(self) -> Refreshed:
        """Re-read the files whose identity changed; each version is judged once (a refused one is
        tried again when the file changes again)."""
        loaded: list[str] = []
        refused: list[str] = []
        for index, name in enumerate(self.paths):
            seen = identity(name)
            if seen == self._seen[index]:
                continue
            self._seen[index] = seen
            try:
                feed = read_feed_file(name)
                problem = feed.problem(len(self._lists[index]))
            except (OSError, ValueError) as exc:
                problem = _why(exc)
            if problem:
                self._stale.add(index)
                refused.append(f"{name}: {problem}")
                continue
            self._lists[index] = feed.entries
            self._stale.discard(index)
            loaded.append(name)
        if loaded:
            self.current = reduce(or_, self._lists, DomainList())
        return Refreshed(tuple(loaded), tuple(refused), tuple(self.paths[i] for i in sorted(self._stale)))


def load_feeds(paths: Iterable[str], key: str = "blocklists") -> DomainList:
    """Read every feed file once; an unreadable or malformed file is a config error naming its key path."""
    return Feeds(tuple(paths), key).current
