"""Find links in chat text and judge each one from its spelling alone.

No network: a gateway must not fetch what an attacker sends it, and a lookup per
message would cost more than the whole filter. The judgement adds up lexical signs
that phishing kits share (an IP instead of a name, a brand name on someone else's
domain or on free hosting, `user@host` tricks, punycode, risky TLDs, shorteners,
login-style paths); operator allow/deny lists and feed files come first.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

from filters.threat.feeds import DomainList, normalise_host
from filters.threat.linkdata import (
    BRANDS,
    FREE_HOSTING,
    KEYWORDS,
    KNOWN_TLDS,
    RISKY_TLDS,
    SECOND_LEVEL,
    SHORTENERS,
)
from filters.threat.scoring import combine

_URL = re2.compile(
    r"(?:\b(?:https?|hxxps?|ftp)://|\bwww\.)[^\s<>\"'\x60]+"
    r"|\b((?:[\pL\pN][\pL\pN-]*\.)+[a-z]{2,24}\b)"
    r"(?::\d{2,5})?(?:/[^\s<>\"'\x60]*)?"
)
_IPV4 = re2.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$|^(?:0x[0-9a-f]{1,8}|\d{8,10})$|^\[[0-9a-f:.]+\]$")
_DIGITS = re2.compile(r"\d{4,}|[a-z]+\d+[a-z]+\d+[a-z\d]*\d")
_TRAILING = ".,;:!?)]}'\"*"
_LEET = str.maketrans("013457", "oleast")


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Judgement:
    link: Link
    score: float
    reasons: tuple[str, ...]


def extract(text: str) -> list[Link]:
    """Links in `text` (already case-folded), with spans into that text."""
    links: list[Link] = []
    for found in _URL.finditer(text):
        if found.group(1) is not None:  # bare domain: a real TLD, a real name, not an e-mail address
            start = found.start(1)
            labels = found.group(1).rsplit(".", 2)
            if labels[-1] not in KNOWN_TLDS or len(labels[-2]) < 3 or (start and text[start - 1] in "@.-_"):
                continue
        else:
            start = found.start()
        url = text[start:found.end()].rstrip(_TRAILING)
        if url:
            links.append(Link(start, start + len(url), url))
    return links


def _split(url: str) -> tuple[str, str, str, str]:
    """(userinfo, host, port, rest) of a URL with or without a scheme."""
    _, sep, after = url.partition("://")
    rest = after if sep else url
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        userinfo, hostport = "", authority
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    return userinfo, host, port, path


def registrable(host: str) -> str:
    """The part of `host` that one owner registers (`shop.example.co.uk` -> `example.co.uk`)."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by exactly one insertion, deletion or substitution."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:] if len(a) < len(b) else a[i + 1:] == b[i + 1:]


def _brand_signals(host: str, site: str) -> tuple[float, str]:
    """Score for a brand name, or a near miss of one, on a domain the brand does not own."""
    labels = host.split(".")[:-1]
    tokens = set(labels)
    for label in labels:
        tokens.update(label.split("-"))
    best, why = 0.0, ""
    for brand, owned in BRANDS.items():
        if site in owned:
            return 0.0, ""
        for token in tokens:
            if token == brand or (len(brand) >= 5 and brand in token):
                if best < 0.8:
                    best, why = 0.8, f"brand:{brand}"
            elif len(brand) >= 5 and len(token) >= 5 and (
                _within_one_edit(token, brand) or token.translate(_LEET) == brand
            ):
                if best < 0.75:
                    best, why = 0.75, f"lookalike:{brand}"
    return best, why


def _punycode_skeleton(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def judge(link: Link, allow: DomainList, deny: DomainList) -> Judgement:
    """Score one link in [0, 1] with the reasons that raised it."""
    userinfo, raw_host, port, path = _split(link.url)
    host = normalise_host(raw_host)
    if not host:
        return Judgement(link, 0.0, ())
    if deny.matches(host, path.split("?")[0]):
        return Judgement(link, 1.0, ("denylist",))
    if allow.has_host(host):
        return Judgement(link, 0.0, ("allowlist",))
    signals: list[tuple[float, str]] = []
    if userinfo:
        signals.append((0.75, "userinfo"))
    words = sum(1 for word in KEYWORDS if word in host or word in path)
    if words:
        signals.append((0.3 if words == 1 else 0.45, "keywords"))
    if _IPV4.search(host):
        signals.append((0.6, "ip-literal"))
        if any(brand in path for brand in BRANDS if len(brand) >= 5):
            signals.append((0.5, "brand-in-path"))
        return _finish(link, signals)
    site = registrable(host)
    tld = host.rsplit(".", 1)[-1]
    if "xn--" in host:
        signals.append((0.5, "punycode"))
        shown = _punycode_skeleton(host)
        if shown != host:
            brand, why = _brand_signals(shown, registrable(shown))
            if brand:
                signals.append((0.9, why))
    if tld in RISKY_TLDS:
        signals.append((RISKY_TLDS[tld], f"tld:{tld}"))
    hosting = next((suffix for suffix in FREE_HOSTING if host.endswith("." + suffix)), "")
    if hosting:
        signals.append((0.5, f"free-hosting:{hosting}"))
        site = ".".join(host.split(".")[-hosting.count(".") - 2:])
    if site in SHORTENERS and path.strip("/?#"):
        signals.append((0.45, "shortener"))
    brand, why = _brand_signals(host, site)
    if brand:
        signals.append((brand + (0.1 if hosting else 0.0), why))
    extra = host.count(".") - site.count(".")
    if extra >= 3:
        signals.append((0.35, "many-subdomains"))
    first = host.split(".")[0]
    if "http" in first or (first != "www" and "www" in first) or "-com" in host or "com-" in host:
        signals.append((0.6, "deceptive-label"))
    if _DIGITS.search(site.split(".")[0]) or max((label.count("-") for label in host.split(".")), default=0) >= 3:
        signals.append((0.25, "random-label"))
    if port and port not in ("80", "443", "8080", "8443"):
        signals.append((0.2, "odd-port"))
    return _finish(link, signals)


def _finish(link: Link, signals: list[tuple[float, str]]) -> Judgement:
    return Judgement(link, combine(score for score, _ in signals), tuple(why for _, why in signals))
