"""Reading a link's host: who registered it, on whose shared platform, and how it is spelt.

Ownership comes from the Public Suffix List (the `publicsuffixlist` package ships a
snapshot, so nothing is fetched): its ICANN section says what a registrar sells
(`example.co.uk`), its private section names platforms that hand out subdomains to
anyone (`github.io`, `netlify.app`, `r2.dev`...). A brand name counts only where the
brand does not own the registered domain, and a page on a shared platform belongs to
its tenant, not to the platform. Look-alike letters are read through Unicode's
confusables table (the `confusable-homoglyphs` package) so `раураl` reads as `paypal`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from publicsuffixlist import PublicSuffixList

_ICANN = PublicSuffixList(only_icann=True)
_ALL = PublicSuffixList()


@dataclass(frozen=True, slots=True)
class Host:
    """A host name taken apart by ownership."""

    name: str  # lower case, IDNA (punycode) form
    site: str  # the ICANN registrable domain (`example.co.uk`); the name itself when there is none
    tenant: str  # on a shared platform the tenant's own domain (`someone.github.io`), else `site`
    platform: str  # the shared platform's suffix (`github.io`), or ""
    subdomains: tuple[str, ...]  # labels left of `tenant`

    @property
    def owner_label(self) -> str:
        """The label its owner chose: `example` of `shop.example.co.uk`, `someone` of `someone.github.io`."""
        return self.tenant.split(".", 1)[0]


def parse_host(name: str, platforms: frozenset[str] = frozenset()) -> Host:
    """`name` (lower case, punycode) taken apart with the Public Suffix List.

    `platforms` adds shared platforms that the list's private section lacks."""
    site = _ICANN.privatesuffix(name) or name
    tenant = _ALL.privatesuffix(name) or site
    platform = ""
    if len(tenant) > len(site):  # the private section goes deeper: a platform hands out these names
        platform = tenant.split(".", 1)[1]
    else:
        tenant = site
        labels = name.split(".")
        for cut in range(1, len(labels) - 1):
            if ".".join(labels[cut:]) in platforms:
                platform, tenant = ".".join(labels[cut:]), ".".join(labels[cut - 1:])
                break
    left = name[: -len(tenant)].rstrip(".") if name != tenant and name.endswith("." + tenant) else ""
    return Host(name, site, tenant, platform, tuple(left.split(".")) if left else ())


@cache
def _icann_top_labels() -> tuple[str, ...]:
    """The top-level domains of the Public Suffix List's ICANN section as the list writes them."""
    data = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat").read_text(encoding="utf-8")
    section = data.split("===BEGIN ICANN DOMAINS===", 1)[1].split("===END ICANN DOMAINS===", 1)[0]
    return tuple(line for line in map(str.strip, section.splitlines())
                 if line and not line.startswith(("//", "*", "!")) and "." not in line)


@cache
def icann_tlds() -> frozenset[str]:
    """Every top-level domain the Public Suffix List's ICANN section names, in ASCII: the list writes
    internationalised ones in Unicode (`рф`), a link spells them in punycode (`xn--p1ai`)."""
    return frozenset(filter(None, map(_ascii_label, _icann_top_labels())))


@cache
def unicode_tlds() -> frozenset[str]:
    """The internationalised top-level domains as a reader types them (`рф`, `中国`), lower case."""
    return frozenset(label.lower() for label in _icann_top_labels() if not label.isascii() and _ascii_label(label))


def _ascii_label(label: str) -> str:
    """A label as DNS spells it (punycode for a non-ASCII one); empty if IDNA refuses it."""
    if label.isascii():
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def unicode_form(name: str) -> str:
    """The host as a browser shows it: punycode labels decoded (undecodable ones kept)."""
    if "xn--" not in name:
        return name
    labels = []
    for label in name.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass
        labels.append(label)
    return ".".join(labels)


@cache
def _latin_twins() -> dict[int, str]:
    """Characters that Unicode's confusables table says look like one ASCII letter or digit."""
    data = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for char, twins in json.loads(data).items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_twins = {twin["c"].lower() for twin in twins if len(twin["c"]) == 1 and twin["c"].isascii()
                       and twin["c"].isalnum()}
        if len(ascii_twins) == 1:
            table[ord(char)] = ascii_twins.pop()
    # Latin letters the table leaves out: a letter with a stroke, hook, bar or tail, or in small
    # capitals (`ł`, `ɾ`, `ʙ`, `ᴍ`), reads as its base letter, which its Unicode name gives.
    for code in (*range(0x80, 0x2B0), *range(0x1D00, 0x1DC0), *range(0x1E00, 0x1F00), *range(0x2C60, 0x2C80),
                 *range(0xA720, 0xA800), *range(0xAB30, 0xAB70)):
        if code not in table:
            base = _BASE_LETTER.fullmatch(unicodedata.name(chr(code), ""))
            if base:
                table[code] = base.group(1).lower()
    # Cyrillic letters that read as a Latin one in lower case in common fonts, which the table keeps
    # apart (soft sign as b, em as m, te as t, pe as n, ka as k).
    table.update({ord(char): latin for char, latin in zip("ьмтпкЬМТПК", "bmtnkbmtnk", strict=True)})
    return table


_BASE_LETTER = re.compile(r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .+)?")


def skeleton(text: str) -> str:
    """`text` as it looks: compatibility forms folded, accents dropped, confusable letters read as ASCII."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in folded if not unicodedata.combining(char))
    return kept.translate(_latin_twins()).lower()


def scripts(label: str) -> set[str]:
    """The scripts of the letters in `label` (the first word of their Unicode names)."""
    found: set[str] = set()
    for char in label:
        if char.isalpha():
            found.add("LATIN" if char.isascii() else unicodedata.name(char, "UNKNOWN").split(" ", 1)[0])
    return found
