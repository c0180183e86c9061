"""Text folding that keeps a map back to the original.

Detectors look at a folded copy of a message (compatibility forms unified, invisible
characters removed, digits of every script made ASCII) so that evasion tricks such as
full-width digits or zero-width joiners do not hide a value. Whatever they find must
still be replaced in the *original* text, so folding records where every folded
character came from.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat

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
        # Turkish and Azerbaijani capital dotted I: `casefold` gives "i" plus a combining dot above, which
        # no word of the language tables spells; the lower case its speakers read is a plain "i".
        folded = "i" if folded == "\u0130" else folded.casefold()
    return folded


def fold_char(char: str, casefold: bool = False) -> str:
    """What `fold` makes of the one character `char` (cached): `fold(char, casefold=...).text` without
    building a `Folded`."""
    return _fold_char(char, casefold)


_ASCII = bytes(range(128))
# Distinct characters to change up to which one `str.replace` each beats one `str.translate` (which
# looks every character up in a dict: about 100 ns each, where a replace scans at under 1 ns).
_REPLACED = 256


class Folded:
    """A folded text plus, for each folded character, the index of the original one.

    The map back is built the first time it is asked for: most texts are folded to be read,
    and only where something is found does a span need mapping back."""

    __slots__ = ("original", "text", "_origin", "_widths")

    def __init__(self, original: str, text: str, origin: tuple[int, ...] | None,
                 widths: dict[str, int] | None = None) -> None:
        """`origin` None: indexes are identical. `widths`: instead of `origin`, how many characters
        each character of `original` that does not fold to one character folds to."""
        self.original = original
        self.text = text
        self._origin = origin
        self._widths = widths

    @property
    def origin(self) -> tuple[int, ...] | None:
        """For each character of `text`, the index of the original one (None: indexes are identical)."""
        if self._widths is not None:
            self._origin = _origin(self.original, self._widths)
            self._widths = None
        return self._origin

    def index(self, position: int) -> int:
        """`origin[position]` (`position` in `text`) without building the whole map: a stream's read asks
        for one index of a long held text, where the map cost more than the rest of the read."""
        if self._widths is None:
            return position if self._origin is None else self._origin[position]
        if not self._widths:
            return position
        # The running count of folded characters after each original one; the first past `position` made it.
        return bisect_right(list(accumulate(map(self._widths.get, self.original, repeat(1)))), position)

    def with_text(self, text: str) -> Folded:
        """The same map back for `text`, a rewriting of `self.text` character for character."""
        return Folded(self.original, text, self._origin, self._widths)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` back onto `original` (covering any invisible characters inside)."""
        origin = self.origin
        if origin is None:
            return start, end
        if end <= start:
            at = origin[start] if start < len(origin) else len(self.original)
            return at, at
        return origin[start], origin[end - 1] + 1


def _origin(text: str, widths: dict[str, int]) -> tuple[int, ...]:
    """The index in `text` of each character folding makes of it, by C iterators (each index kept,
    dropped or repeated by its character's width), never a Python loop per character."""
    indexes = range(len(text))
    if not widths:
        return tuple(indexes)
    if all(width == 0 for width in widths.values()):  # characters dropped, none widened
        return tuple(compress(indexes, map(widths.get, text, repeat(1))))
    return tuple(chain.from_iterable(map(repeat, indexes, map(widths.get, text, repeat(1)))))


def fold(text: str, *, casefold: bool = False, others: set[str] | None = None) -> Folded:
    """Fold `text` for detection; cheap when the text is plain ASCII.

    Each distinct character is folded once and the text rewritten by `str.translate`; the map
    back to the original is built when first asked for (see `Folded`), so a long message of
    escapes, mixed scripts or invisible characters costs little more than plain text. `others`: the set of
    its non-ASCII characters, when the caller has it already."""
    if text.isascii():  # ASCII folds to itself (or its lower case): indexes stay identical
        return Folded(text, text.lower() if casefold else text, None)
    # An ASCII character folds to itself or, folding case, to its lower case: lowered through the UTF-8
    # bytes (`bytes.lower` changes A-Z only, never a byte of a longer sequence), and only the non-ASCII
    # characters, the bytes left when the ASCII ones are deleted, are looked at one by one: `set(text)`
    # alone cost 4 µs for a chat message with one emoji, a regex for them 7.
    data = text.encode("utf-8", "surrogatepass")
    base = data.lower().decode("utf-8", "surrogatepass") if casefold else text
    changed: dict[str, str] = {}
    if others is None:
        others = set(data.translate(None, _ASCII).decode("utf-8", "surrogatepass"))
    for char in others:
        folded = _fold_char(char, casefold)
        if folded != char:
            changed[char] = folded
    if not changed:  # as when capitals alone change: the same indexes, told by an empty map of widths
        return Folded(text, text, None) if base == text else Folded(text, base, None, {})
    if len(changed) <= _REPLACED and set("".join(changed.values())).isdisjoint(changed):
        rewritten = base
        for char, folded in changed.items():  # a few characters: one C scan each (see `CharMap`)
            rewritten = rewritten.replace(char, folded)
    else:
        rewritten = base.translate({ord(char): folded for char, folded in changed.items()})
    return Folded(text, rewritten, None, {char: len(folded) for char, folded in changed.items() if len(folded) != 1})


class CharMap:
    """A character-for-character rewrite, as `str.translate` with `table` would make it.

    Done as one `str.replace` per mapped character the text holds, each a scan in C: on text
    that is not all ASCII, `translate` looks every character up in a dict (about 100 ns each),
    30-200 times what the replacements cost for a table of a few dozen characters. A mapped
    character may not map to another mapped one (the replacements would chain)."""

    __slots__ = ("_pairs",)

    def __init__(self, table: dict[str, str]) -> None:
        if any(key in value for value in table.values() for key in table):
            raise ValueError("a replacement holds a mapped character")
        self._pairs = tuple(table.items())

    def __call__(self, text: str) -> str:
        for old, new in self._pairs:
            if old in text:
                text = text.replace(old, new)
        return text
