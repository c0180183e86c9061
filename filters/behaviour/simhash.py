"""SimHash fingerprints for near-duplicate detection, split into bands for exact-match counting.

Two texts whose 64-bit SimHashes differ in at most 3 bits agree exactly on at least
one of 4 16-bit bands (pigeonhole). Counting band values in the store's sliding
windows therefore counts near-duplicates with atomic `hit` calls only: no list of
recent messages is read, changed and written back, so gateways never race.
"""

from __future__ import annotations

import hashlib
import re

from filters._text import fold

BANDS = 4
BITS = 64
_BAND_BITS = BITS // BANDS
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Folded, case-free words joined by single spaces: evasion by case, width, invisibles or spacing fails."""
    return " ".join(_WORD.findall(fold(text, casefold=True).text))


def _features(norm: str) -> list[str]:
    words = norm.split()
    if len(words) >= 3:
        return [" ".join(words[i:i + 3]) for i in range(len(words) - 2)]
    joined = norm.replace(" ", "")
    if len(joined) >= 4:  # short texts: character 4-grams, so one changed letter stays near
        return [joined[i:i + 4] for i in range(len(joined) - 3)]
    return [joined] if joined else []


def _hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def simhash(text: str) -> int:
    """64-bit SimHash of `text` after normalisation; 0 for a text without words."""
    features = _features(normalise(text))
    if not features:
        return 0
    weights = [0] * BITS
    for feature in features:
        value = _hash(feature)
        for bit in range(BITS):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(BITS) if weights[bit] > 0)


def distance(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()


def bands(fingerprint: int) -> tuple[str, ...]:
    """The band keys of `fingerprint`: equal on at least one band whenever distance <= BANDS - 1."""
    mask = (1 << _BAND_BITS) - 1
    return tuple(f"{i}:{fingerprint >> (i * _BAND_BITS) & mask:04x}" for i in range(BANDS))
