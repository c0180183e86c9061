"""Digit runs: groups of digits joined by spaces, dashes or dots, as people type numbers.

Cards, SSNs and other numeric values are looked for inside these runs, group-aligned,
so that "4111 1111-1111.1111" (mixed separators) and "4111111111111111" are the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from filters.masking._context import ascii_alnum

# Linear: a digit never matches a separator, so there is nothing to backtrack into.
_RUN = re.compile(r"\d+(?:[ .\-]{1,3}\d+)*")


@dataclass(frozen=True, slots=True)
class Run:
    """Digit groups of one run: `(start, end)` of each group in the text."""

    groups: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.groups[0][0]

    @property
    def end(self) -> int:
        return self.groups[-1][1]


def runs(text: str) -> Iterator[Run]:
    """Every digit run; a group glued to an ASCII letter belongs to a word and is dropped.

    Digits glued to CJK or other scripts are kept: "卡号4111111111111111" is a card.
    """
    for found in _RUN.finditer(text):
        groups = [(m.start() + found.start(), m.end() + found.start())
                  for m in re.finditer(r"\d+", found.group())]
        start, end = found.start(), found.end()
        if start > 0 and ascii_alnum(text[start - 1]):
            groups.pop(0)
        if groups and end < len(text) and ascii_alnum(text[end]) and groups[-1][1] == end:
            groups.pop()
        if groups:
            yield Run(tuple(groups))


def digits_of(text: str, groups: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    return "".join(text[a:b] for a, b in groups)


def luhn(digits: str) -> bool:
    """The Luhn mod-10 check used by payment cards."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
