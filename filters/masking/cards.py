"""Payment cards: 12-19 digits, a known network prefix and length, and a valid Luhn digit.

The prefix table keeps random Luhn-valid numbers (10 % of all numbers) out: order
numbers, timestamps and tracking numbers rarely start like a card of the right length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from filters.masking._context import before, enclosing_token, is_identifier
from filters.masking._model import Detection
from filters.masking._numbers import Run, digits_of, luhn, runs

# (network, lowest prefix, highest prefix, allowed lengths); prefixes compare as strings of equal length.
NETWORKS: tuple[tuple[str, str, str, frozenset[int]], ...] = (
    ("visa", "4", "4", frozenset({13, 16, 19})),
    ("mastercard", "51", "55", frozenset({16})),
    ("mastercard", "2221", "2720", frozenset({16})),
    ("amex", "34", "34", frozenset({15})),
    ("amex", "37", "37", frozenset({15})),
    ("discover", "6011", "6011", frozenset(range(16, 20))),
    ("discover", "644", "649", frozenset(range(16, 20))),
    ("discover", "65", "65", frozenset(range(16, 20))),
    ("discover", "622126", "622925", frozenset(range(16, 20))),
    ("diners", "300", "305", frozenset(range(14, 20))),
    ("diners", "3095", "3095", frozenset(range(14, 20))),
    ("diners", "36", "36", frozenset(range(14, 20))),
    ("diners", "38", "39", frozenset(range(14, 20))),
    ("jcb", "3528", "3589", frozenset(range(16, 20))),
    ("unionpay", "62", "62", frozenset(range(16, 20))),
    ("unionpay", "81", "81", frozenset(range(16, 20))),
    ("maestro", "5018", "5018", frozenset(range(12, 20))),
    ("maestro", "5020", "5020", frozenset(range(12, 20))),
    ("maestro", "5038", "5038", frozenset(range(12, 20))),
    ("maestro", "5893", "5893", frozenset(range(12, 20))),
    ("maestro", "6304", "6304", frozenset(range(12, 20))),
    ("maestro", "6759", "6759", frozenset(range(12, 20))),
    ("maestro", "6761", "6763", frozenset(range(12, 20))),
    ("mir", "2200", "2204", frozenset(range(16, 20))),
    ("rupay", "60", "60", frozenset({16})),
    ("rupay", "508", "508", frozenset({16})),
    ("rupay", "82", "82", frozenset({16})),
    ("verve", "506099", "506198", frozenset({16, 18, 19})),
    ("verve", "650002", "650027", frozenset({16, 18, 19})),
    ("troy", "9792", "9792", frozenset({16})),
    ("interpayment", "636", "636", frozenset(range(16, 20))),
    ("instapayment", "637", "639", frozenset({16})),
    ("uatp", "1", "1", frozenset({15})),
)
# Networks whose prefix collides with everyday numbers: only masked with card words nearby.
_NEEDS_CONTEXT = frozenset({"uatp"})
_CARD_WORDS = re.compile(r"card|visa|master|amex|uatp|kart|tarjeta|carte|cc|pan|卡")
_TIME_WORDS = re.compile(r"timestamp|epoch|unix|\bts\b|time|\bms\b|created|updated|millis|since|date")


def network(digits: str) -> str | None:
    """The card network `digits` belongs to by prefix and length, or None."""
    length = len(digits)
    for name, low, high, lengths in NETWORKS:
        if length in lengths and low <= digits[:len(low)] <= high:
            return name
    return None


class CardDetector:
    type = "card"

    def detect(self, text: str) -> Iterator[Detection]:
        for run in runs(text):
            yield from self._in_run(text, run)

    def _in_run(self, text: str, run: Run) -> Iterator[Detection]:
        groups = run.groups
        i = 0
        while i < len(groups):
            best: tuple[int, str, str] | None = None
            count = 0
            for j in range(i, len(groups)):
                count += groups[j][1] - groups[j][0]
                if count > 19:
                    break
                if count >= 12:
                    digits = digits_of(text, groups[i:j + 1])
                    name = network(digits)
                    if name and luhn(digits):
                        best = (j, name, digits)
            if best is None:
                i += 1
                continue
            j, name, digits = best
            start, end = groups[i][0], groups[j][1]
            if self._plausible(text, start, end, name):
                yield Detection("card", start, end, name, 0.95 if len(groups) == 1 or j > i else 0.9, digits)
                i = j + 1
            else:
                i += 1

    @staticmethod
    def _plausible(text: str, start: int, end: int, name: str) -> bool:
        context = before(text, start)
        if name in _NEEDS_CONTEXT and not _CARD_WORDS.search(context):
            return False
        if _TIME_WORDS.search(context) and not _CARD_WORDS.search(context):
            return False
        return not is_identifier(enclosing_token(text, start, end))
