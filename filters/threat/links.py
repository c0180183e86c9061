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

from filters._patterns import spans
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
_KIT = re2.compile(r"\.php\b|/wp-(?:content|admin|includes)/|[?&](?:email|login|user|account)=|/(?:signin|login|"
                   r"verify|update|secure|account|webscr|auth)[^/]*\.(?:html?|php|aspx?)")
_DIGITS = re2.compile(r"\d{4,}|[a-z]+\d+[a-z]+\d+[a-z\d]*\d")
_TRAILING = ".,;:!?)]}'\"*"
_LEET = str.maketrans("013457", "oleast")
# Dots a browser's IDNA mapping reads as "." (ideographic, full-width, half-width).
DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
MAX_LINKS = 256  # distinct links judged per message; more is itself a sign (see `extract`)


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 address as inet_aton reads it: decimal, 0x hex or 0-led octal."""
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part[0] == "0":
            return int(part, 8)
        return int(part) if part.isdigit() else None
    except ValueError:
        return None


def ipv4_host(host: str) -> tuple[bool, bool]:
    """(is an IPv4 address in any spelling a resolver accepts, is it a non-canonical one).

    `3232238085`, `0xc0a80105`, `0300.0250.1.5` and `192.168.261` all reach 192.168.1.5;
    the last three are spellings only an evasion uses."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return False, False
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        return False, False
    values = [n for n in numbers if n is not None]
    limits = [256] * (len(values) - 1) + [256 ** (5 - len(values))]
    if any(value >= limit for value, limit in zip(values, limits, strict=True)):
        return False, False
    canonical = len(parts) == 4 and all(p == "0" or (p.isdigit() and p[0] != "0") for p in parts)
    return True, not canonical

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
    """Links in `text` (already case-folded, dots mapped with `DOTS`), with spans into that text."""
    links: list[Link] = []
    for found in _URL.finditer(text):
        (whole_start, whole_end), (start, end) = spans(found)[:2]
        if start >= 0:  # bare domain: a real TLD, a real name, not an e-mail address
            labels = text[start:end].rsplit(".", 2)
            if labels[-1] not in KNOWN_TLDS or len(labels[-2]) < 3 or (start and text[start - 1] in "@.-_"):
                continue
        else:
            start = whole_start
        url = text[start:whole_end].rstrip(_TRAILING)
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


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _near_index() -> dict[str, frozenset[str]]:
    """Every brand (5+ letters) and each of its one-letter deletions -> the brands it came from.

    Two words are one edit apart exactly when one is the other, or a deletion of the
    other, or both share a deletion: a handful of set look-ups per token instead of a
    comparison with every brand."""
    index: dict[str, set[str]] = {}
    for brand in BRANDS:
        if len(brand) >= 5:
            for key in (brand, *_deletions(brand)):
                index.setdefault(key, set()).add(brand)
    return {key: frozenset(value) for key, value in index.items()}


_NEAR = _near_index()
_LONG_BRANDS = re2.compile("|".join(sorted((b for b in BRANDS if len(b) >= 5), key=len, reverse=True)))


def _near_brands(token: str) -> set[str]:
    """Brands within one insertion, deletion or substitution of `token` (5+ letters)."""
    found: set[str] = set(_NEAR.get(token, ()))
    for key in _deletions(token):
        if key in BRANDS and len(key) >= 5:
            found.add(key)
        found.update(_NEAR.get(key, ()))
    return found


def _brand_signals(host: str, site: str) -> tuple[float, str]:
    """Score for a brand name, or a near miss of one, on a domain the brand does not own."""
    labels = host.split(".")[:-1]
    tokens = set(labels)
    for label in labels:
        tokens.update(label.split("-"))
    named = {token for token in tokens if token in BRANDS}
    named.update(host[a:b] for a, b in (spans(found)[0] for found in _LONG_BRANDS.finditer(host)))
    if any(site in BRANDS[brand] for brand in named):
        return 0.0, ""
    if named:
        return 0.8, f"brand:{min(named)}"
    for token in sorted(tokens):
        if len(token) < 5 or len(token) > 40:
            continue
        near = _near_brands(token) - {token}
        leet = token.translate(_LEET)
        if leet != token and leet in BRANDS:
            near.add(leet)
        for brand in sorted(near):
            if site not in BRANDS[brand]:
                return 0.75, f"lookalike:{brand}"
    return 0.0, ""


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
    address, disguised = ipv4_host(host)
    if address or (host.startswith("[") and host.endswith("]")):
        signals.append((0.6, "ip-literal"))
        if disguised:
            signals.append((0.8, "disguised-ip"))
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
    if site.split(".")[0].count("-") == 2:
        signals.append((0.3, "hyphenated-name"))  # words strung together: "secure-account-update"
    if _KIT.search(path):
        signals.append((0.25, "kit-path"))  # the file names and parameters of phishing kits
    if link.url.startswith(("http://", "hxxp://")) and (words or brand or hosting):
        signals.append((0.15, "plain-http"))
    return _finish(link, signals)


def _finish(link: Link, signals: list[tuple[float, str]]) -> Judgement:
    return Judgement(link, combine(score for score, _ in signals), tuple(why for _, why in signals))
