"""Check digits of national identity numbers: the algorithms their schemes share (Luhn, Verhoeff, ISO 7064).

The schemes themselves are in `_ids_europe` and `_ids_world`. Every scheme's function takes the number compacted (separators taken out, letters in capitals) and says whether it is one
its scheme could have issued: length, layout, a date where the number holds one, and the check digits. They are
read only after a word that names the scheme (`id_schemes`): a checksum alone passes one random number in ten or
eleven, too many to mask on.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

Check = Callable[[str], bool]


def date_ok(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def luhn(digits: str) -> bool:
    """ISO/IEC 7812 (Luhn): a doubled digit of every second place from the right."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def iso7064_11_10(digits: str) -> bool:
    """ISO 7064 MOD 11,10 (Croatia's OIB, Germany's tax identification number)."""
    check = 5
    for d in digits:
        check = (((check or 10) * 2) % 11 + int(d)) % 10
    return check == 1


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0))
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8))


def verhoeff(digits: str) -> bool:
    """The dihedral-group check of Verhoeff (1969), as India's Aadhaar uses it."""
    c = 0
    for i, d in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(d)]]
    return c == 0


def digits_of(number: str, *sizes: int) -> bool:
    return number.isdigit() and number.isascii() and len(number) in sizes
