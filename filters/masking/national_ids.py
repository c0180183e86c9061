"""National identifiers: US social security numbers (SSA rules for valid numbers).

Dashed or spaced 3-2-4 numbers are masked on their own; nine bare digits only with a
word such as "SSN" nearby, because order and account numbers are often nine digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from filters.masking._context import before, enclosing_token, in_url, is_identifier
from filters.masking._model import Detection
from filters.masking._numbers import digits_of, runs

_SSN_WORDS = re.compile(r"ssn|social security|social sec|tax id|\bitin\b|\btin\b")
# Numbers printed on sample cards in advertising; never issued, common in test data.
_ADVERTISED = frozenset({"078051120", "219099999", "457555462"})


def valid_ssn(digits: str) -> bool:
    """Area not 000, 666 or 900-999; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    if digits in _ADVERTISED:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


class SSNDetector:
    type = "ssn"

    def detect(self, text: str) -> Iterator[Detection]:
        for run in runs(text):
            groups = run.groups
            sizes = [b - a for a, b in groups]
            if sizes == [3, 2, 4]:
                separators = {text[groups[0][1]:groups[1][0]], text[groups[1][1]:groups[2][0]]}
                if len(separators) != 1 or separators.pop() not in ("-", " "):
                    continue
                score = 0.9
            elif sizes == [9] and _SSN_WORDS.search(before(text, run.start, 40)):
                score = 0.8
            else:
                continue
            digits = digits_of(text, groups)
            if not valid_ssn(digits):
                continue
            token = enclosing_token(text, run.start, run.end)
            if in_url(token) or is_identifier(token):
                continue
            if _SSN_WORDS.search(before(text, run.start, 40)):
                score = 0.99
            yield Detection("ssn", run.start, run.end, "us_ssn", score, digits)
