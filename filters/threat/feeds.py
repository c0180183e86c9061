"""Domain lists: allow/deny entries from config and blocklist feed files.

A feed file holds one URL or domain per line (`#` starts a comment), the format the
public phishing feeds publish. Files are read once, when the filter is built, so a
missing or unreadable feed stops startup instead of silently checking nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from filters.options import OptionsError

_SCHEMES = ("http://", "https://", "hxxp://", "hxxps://", "ftp://")
_MAX_NAME = 253  # the longest name DNS allows


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
        domains: set[str] = set()
        urls: set[str] = set()
        for raw in entries:
            entry = _strip_scheme(raw.strip().lower())
            if not entry or entry.startswith("#"):
                continue
            host, _, path = entry.partition("/")
            host = normalise_host(host.split("@")[-1].split(":")[0])
            if not host:
                continue
            if path.strip("/"):
                urls.add(host + "/" + path.rstrip("/"))
            else:
                domains.add(host)
        return cls(frozenset(domains), frozenset(urls))

    def __bool__(self) -> bool:
        return bool(self.domains or self.urls)

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


def load_feeds(paths: Iterable[str], key: str = "blocklists") -> DomainList:
    """Read every feed file; an unreadable file is a config error naming its key path."""
    result = DomainList()
    for index, name in enumerate(paths):
        try:
            lines = Path(name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise OptionsError(f"{key}[{index}]", f"cannot read {name!r}: {exc.strerror or exc}") from None
        result = result | DomainList.build(line.split("#", 1)[0] for line in lines)
    return result
