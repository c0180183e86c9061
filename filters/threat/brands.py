"""Brand names where the brand does not live: the core sign of a phishing host.

A name a brand owns (`paypal.com`) is trusted for that brand. Anywhere else the brand
name is a claim the host cannot back: as a whole label or hyphen-separated word
(`paypal.com.verify.example`, `secure-paypal.example`) it is strong; glued to lure
words, digits or a country code (`paypalsecure`, `shopee435`, `appleid`) it is as
strong; inside an unrelated word (`pineapple`) it is weak, and so is a brand that is also an
everyday word (`booking`, `steam`) until a lure word stands beside it. Near misses (one typo,
digits for letters, `rn` for `m`) count as look-alikes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import re2

from filters._patterns import spans
from filters.threat.linkdata import (
    BRANDS,
    COUNTRY_SITES,
    ECOSYSTEMS,
    FEDERATIONS,
    KEYWORDS,
    KNOWN_TLDS,
    NAME_WORDS,
    WORD_BRANDS,
)
from filters.threat.words import trade_words_only

_LEET = str.maketrans("013457", "oleast")
_LURES = frozenset(KEYWORDS)
_WORDS = _LURES | frozenset(NAME_WORDS)  # words of the trade: `finance` is a word, not a typo of `binance`
_PIECES = re2.compile(r"[a-z]+|[0-9]+")
# A brand that is also an everyday word (`booking`, `steam`) claims less on its own; a chain's name beside a
# word of its own (`ethereum-magicians`, `cardanoscan`: a project of the chain's ecosystem) claims next to
# nothing until a lure word stands beside it.
# The brand's own name under another suffix (`amazon.fr`) may be its country site: an alert, not a block.
STRONG, GLUED, COUNTRY, WORD, WEAK, LOOKALIKE, ECOSYSTEM = 0.8, 0.75, 0.6, 0.45, 0.35, 0.7, 0.2


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@cache
def _near_index() -> dict[str, frozenset[str]]:
    """Every brand (5+ letters) and each of its one-letter deletions -> the brands it came from.

    Words one edit apart are one the other, or a deletion of the other, or share a
    deletion: a handful of set look-ups per token propose candidates instead of a
    comparison with every brand (`_near_brands` confirms them)."""
    index: dict[str, set[str]] = {}
    for brand in BRANDS:
        if len(brand) >= 5:
            for key in (brand, *_deletions(brand)):
                index.setdefault(key, set()).add(brand)
    return {key: frozenset(value) for key, value in index.items()}


_LONG_BRANDS = re2.compile("|".join(sorted((b for b in BRANDS if len(b) >= 4), key=len, reverse=True)))
# The first four letters of each of those brands: a token with none of them holds no brand, and a set
# look-up per position costs far less than a pattern call.
_HEADS = frozenset(brand[:4] for brand in BRANDS if len(brand) >= 4)


def _may_hold_brand(token: str) -> bool:
    return any(token[at:at + 4] in _HEADS for at in range(len(token) - 3))


def _read_as(token: str) -> str:
    """`token` as a quick reader sees it: letter pairs that pass for one letter read as that letter
    (`rn` as `m`, `vv` as `w`, `cl` as `d`: `arnazon` is `amazon`)."""
    for pair, letter in (("rn", "m"), ("vv", "w"), ("cl", "d")):
        if pair in token:
            token = token.replace(pair, letter)
    return token


def _pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for x, y in pairs:
        table.setdefault(x, set()).add(y)
        table.setdefault(y, set()).add(x)
    return {key: frozenset(value) for key, value in table.items()}


def _keyboard() -> Iterator[tuple[str, str]]:
    """Pairs of keys that touch on a QWERTY keyboard: beside each other on a row, or on the rows above
    and below (each row sits half a key to the right of the one above it)."""
    rows = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
    for upper, row in enumerate(rows):
        for at, key in enumerate(row):
            yield from ((key, other) for other in row[at + 1:at + 2])
            if upper + 1 < len(rows):
                yield from ((key, other) for other in rows[upper + 1][max(at - 1, 0):at + 1])


# Letter -> the letters the eye takes for it in most fonts, and those a slip of the finger puts in its
# place (a key that touches it), or another vowel. Slips and vowels make words of short names (`boost`
# is no `bpost`, `lotus` no `lotos`), so they count for brands of six letters or more.
_TWINS = _pairs((pair[0], pair[1]) for pair in "il l1 i1 o0 uv gq nm ce".split())
_SLIPS = _pairs([*_keyboard(), *((x, y) for x in "aeiouy" for y in "aeiouy" if x < y)])


def _one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one typo a typosquatter registers: a letter dropped, added or
    replaced, or two neighbours swapped (`paypla`). Short names make words of their typos, so in
    names under seven letters the first letter stays (readers check it: `cloud` is no `icloud`) and a
    letter is replaced only by its look-alike or, in six letters, by a key that touches it or another
    vowel (`lotus` is no `lotos`)."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    head = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    short = len(b) < 7
    if head == 0 and short:
        return False
    if len(a) != len(b):
        return a[head:] == b[head + 1:]
    if a[head + 1:] == b[head + 1:]:
        return not short or b[head] in _TWINS.get(a[head], ()) or (
            len(a) == 6 and b[head] in _SLIPS.get(a[head], ()))
    return a[head] == b[head + 1] and a[head + 1] == b[head] and a[head + 2:] == b[head + 2:]


def _near_brands(token: str) -> set[str]:
    """Brands within one insertion, deletion or substitution of `token` (5+ letters).

    The deletion index proposes candidates (words sharing a deletion may also be a
    transposition apart: `teams` and `steam`); each one is confirmed."""
    index = _near_index()
    found: set[str] = set(index.get(token, ()))
    for key in _deletions(token):
        if key in BRANDS and len(key) >= 5:
            found.add(key)
        found.update(index.get(key, ()))
    return {brand for brand in found if _one_edit(token, brand)}


# Letters the eye takes for one another, folded to one before a spelling is compared with the brands (`i`, `l`
# and `1` as `l`, `0` as `o`, after `_read_as`): a typosquat may use them at several places and add a slip besides
# (`myetherwaiiett` reads as `myetherwallett`, one letter from `myetherwallet`). Only brands of `FOLDED_MIN` letters or
# more, whose folded spelling no word of the trade has, and only where folding changed the token (one edit of the
# token as written is `_near_brands`).
_FOLD = str.maketrans("i1l0", "lllo")
FOLDED_MIN = 8


def _fold(token: str) -> str:
    return _read_as(token).translate(_FOLD)


@cache
def _folded_brands() -> dict[str, frozenset[str]]:
    """The folded spelling of each brand of `FOLDED_MIN` letters or more, and each of its one-letter deletions ->
    the brands it came from (as `_near_index`)."""
    index: dict[str, set[str]] = {}
    for brand in BRANDS:
        if len(brand) >= FOLDED_MIN and brand.isalpha() and brand not in WORD_BRANDS:
            folded = _fold(brand)
            for key in (folded, *_deletions(folded)):
                index.setdefault(key, set()).add(brand)
    return {key: frozenset(value) for key, value in index.items()}


def _folded_near(token: str) -> set[str]:
    """Brands one letter from `token` once both are folded (`_fold`), where folding changed `token`."""
    folded = _fold(token)
    if folded == token:
        return set()
    index = _folded_brands()
    found: set[str] = set(index.get(folded, ()))
    for key in _deletions(folded):
        found.update(index.get(key, ()))
    return {brand for brand in found if _fold(brand) == folded or _edit_apart(folded, _fold(brand))}


def _edit_apart(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by exactly one letter dropped, added or replaced, or two neighbours swapped."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    head = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) != len(b):
        return a[head:] == b[head + 1:]
    return a[head + 1:] == b[head + 1:] or (a[head] == b[head + 1] and a[head + 1] == b[head] and
                                            a[head + 2:] == b[head + 2:])


def _filler(piece: str) -> bool:
    """A piece a phisher glues to a brand name: digits, a lure word, a country code, another brand, or a
    run of the words phishing names are made of (`securecenter`, `billingupdate`)."""
    return piece.isdigit() or piece in _LURES or piece in BRANDS or piece in KNOWN_TLDS or trade_words_only(piece)


def _glued(token: str, start: int, end: int) -> bool:
    rest = token[:start] + " " + token[end:]
    return all(_filler(piece) for piece in _PIECES.findall(rest))


def owns(brand: str, site: str) -> bool:
    """True when `site` is one of the brand's own, or its name under a country code of a brand that has those."""
    if site in BRANDS[brand]:
        return True
    name, _, suffix = site.partition(".")
    if FEDERATIONS.get(brand) == suffix:  # a member's site: the federation's name, a hyphen, its place
        place = name.removeprefix(brand + "-")
        return place != name and place.isalpha() and place.isascii() and not _trade(place)
    country = suffix.rsplit(".", 1)[-1]
    return name == brand and brand in COUNTRY_SITES and len(country) == 2 and suffix.count(".") <= 1


def _trade(run: str) -> bool:
    """Whether a run of letters holds a word of the trade (`sicherheit`, `kundenservice`, `onlinebanking`)."""
    return any(word in run for word in _WORDS if len(word) >= 4)


def brand_claims(tokens: set[str], site: str, owner: str, registered: set[str]) -> tuple[float, str]:
    """The strongest claim to a brand among `tokens` (words of a host) for a host on `site`.

    `owner` is the label registered directly under a public suffix ("" on a shared
    platform): a brand's bare name there under a suffix it is not known to own
    (`roblox.cl`) may be its own country site, so it raises an alert, not a block.
    Look-alike spellings count only among the `registered` words (the owner's label,
    where typosquatters register); digit spellings (`paypa1`) count anywhere."""
    best = (0.0, "")
    for token in sorted(tokens):
        if token in BRANDS:
            if not owns(token, site):
                weight = WORD if token in WORD_BRANDS else COUNTRY if token == owner else \
                    ECOSYSTEM if token in ECOSYSTEMS else STRONG
                if weight == STRONG:
                    return STRONG, f"brand:{token}"
                best = max(best, (weight, f"brand:{token}"))
            continue
        if not _may_hold_brand(token):
            continue
        for found in _LONG_BRANDS.finditer(token):
            start, end = spans(found)[0]
            brand = token[start:end]
            if owns(brand, site):
                continue
            weight = GLUED if _glued(token, start, end) and brand not in WORD_BRANDS else \
                ECOSYSTEM if brand in ECOSYSTEMS else WEAK
            if weight > best[0]:
                best = (weight, f"brand:{brand}")
    if best[0] >= GLUED:
        return best
    for token in sorted(tokens):
        if not 5 <= len(token) <= 40 or token in _WORDS or token in BRANDS:  # `correos` is no `correios`
            continue
        near = _near_brands(token) | _folded_near(token) if token in registered else set()
        leet = token.translate(_LEET)
        near.update(seen for seen in (leet, _read_as(leet)) if seen != token and seen in BRANDS)
        for brand in sorted(near):
            if not owns(brand, site):
                return LOOKALIKE, f"lookalike:{brand}"
    return best
