"""Text folding that keeps a map back to the original.

Detectors look at a folded copy of a message (compatibility forms unified, invisible
characters removed, digits of every script made ASCII) so that evasion tricks such as
full-width digits or zero-width joiners do not hide a value. Whatever they find must
still be replaced in the *original* text, so folding records where every folded
character came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat

# Characters that render as nothing and are used to split values invisibly.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a"
    "\u206b\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08"
    "\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)


@lru_cache(maxsize=8192)
def _fold_char(char: str, casefold: bool) -> str:
    if char in INVISIBLE:
        return ""
    category = unicodedata.category(char)
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "Zs":
        return " "
    if category == "Cf":
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if casefold:
        folded = folded.casefold()
    return folded


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text plus, for each folded character, the index of the original one."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: folding changed nothing, indexes are identical

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` back onto `original` (covering any invisible characters inside)."""
        if self.origin is None:
            return start, end
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str, *, casefold: bool = False) -> Folded:
    """Fold `text` for detection; cheap when the text is plain ASCII.

    Each distinct character is folded once and the text rewritten by `str.translate`; the map
    back to the original is built by C iterators (each index kept, dropped or repeated by the
    width its character folds to), never a Python loop per character, so a long message of
    escapes, mixed scripts or invisible characters costs little more than plain text."""
    if text.isascii():  # ASCII folds to itself (or its lower case): indexes stay identical
        return Folded(text, text.lower() if casefold else text, None)
    changed: dict[str, str] = {}
    for char in set(text):
        if char.isascii() and not (casefold and char.isupper()):
            continue
        folded = _fold_char(char, casefold)
        if folded != char:
            changed[char] = folded
    if not changed:
        return Folded(text, text, None)
    rewritten = text.translate({ord(char): folded for char, folded in changed.items()})
    widths = {char: len(folded) for char, folded in changed.items() if len(folded) != 1}
    indexes = range(len(text))
    if not widths:
        origin: tuple[int, ...] = tuple(indexes)
    elif all(width == 0 for width in widths.values()):  # characters dropped, none widened
        origin = tuple(compress(indexes, map(widths.get, text, repeat(1))))
    else:
        origin = tuple(chain.from_iterable(map(repeat, indexes, map(widths.get, text, repeat(1)))))
    return Folded(text, rewritten, origin)
