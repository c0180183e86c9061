"""MinHash fingerprints of a message, banded for near-duplicate counting (locality-sensitive hashing).

Each text becomes its set of character 5-grams after folding; `BANDS` bands of `ROWS`
min-hashes each are hashed into band keys. Two texts share a band key with probability
1 - (1 - J**ROWS)**BANDS, J being their shingle overlap (Jaccard): ~98 % at J = 0.7,
~0.2 % at J = 0.2, and unrelated chat sits far below that. Counting band keys in the
store's sliding windows counts near-duplicates with atomic `hit` calls only: nothing is
read, changed and written back, so two gateways never race.
"""

from __future__ import annotations

import hashlib

from filters._patterns import encodable, text_pattern
from filters._text import fold

BANDS = 6
ROWS = 2
_PRIME = (1 << 61) - 1
_MASK = (1 << 61) - 1
# Fixed, arbitrary odd multipliers and offsets: the same on every gateway so band keys agree.
_SEEDS = tuple((0x9E3779B97F4A7C15 * (2 * i + 1) % _PRIME | 1, 0xC2B2AE3D27D4EB4F * (i + 7) % _PRIME)
               for i in range(BANDS * ROWS))
_WORD = text_pattern(r"[\pL\pN\pM_]+")
# Characters of the normalised text fingerprinted: near-duplicates share their start, and a
# long message costs no more than this (each 5-gram is one hash).
MAX_CHARS = 1024


def normalise(text: str) -> str:
    """Folded, case-free words joined by single spaces: case, width, invisibles or spacing change nothing."""
    head = text[:MAX_CHARS * 4]  # bounded work, with room for invisible padding that folding drops
    return " ".join(_WORD.findall(encodable(fold(head, casefold=True).text)))


def shingles(norm: str) -> set[int]:
    norm = norm[:MAX_CHARS]
    if len(norm) <= 5:
        grams = {norm} if norm else set()
    else:
        grams = {norm[i:i + 5] for i in range(len(norm) - 4)}
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") & _MASK for g in grams}


def minhash(text: str) -> tuple[int, ...]:
    """BANDS * ROWS min-hash values; empty for a text without words."""
    values = shingles(normalise(text))
    if not values:
        return ()
    return tuple(min((a * v + b) % _PRIME for v in values) for a, b in _SEEDS)


def bands(text: str) -> tuple[str, ...]:
    """The band keys of `text`: near-duplicates share at least one with high probability."""
    signature = minhash(text)
    if not signature:
        return ()
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS:(band + 1) * ROWS]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
        keys.append(f"{band}:{digest}")
    return tuple(keys)


def similarity(a: str, b: str) -> float:
    """Estimated shingle overlap of two texts (for tests and tuning)."""
    x, y = minhash(a), minhash(b)
    if not x or not y:
        return 0.0
    return sum(p == q for p, q in zip(x, y, strict=True)) / len(x)
