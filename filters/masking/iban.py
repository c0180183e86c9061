"""IBANs: a country's fixed length and the ISO 7064 mod-97 check, grouped or not."""

from __future__ import annotations

import re
from collections.abc import Iterator

from filters.masking._context import ascii_alnum
from filters.masking._model import Detection

# Country code -> IBAN length (SWIFT IBAN registry).
LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# Bounded repetition with disjoint alternatives: linear in the text length.
_CANDIDATE = re.compile(r"[A-Za-z]{2}\d{2}(?:[ \-]?[0-9A-Za-z]){11,34}")


def valid_iban(compact: str) -> bool:
    """`compact` is upper case without separators."""
    if LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


class IBANDetector:
    type = "iban"

    def detect(self, text: str) -> Iterator[Detection]:
        position = 0
        while (found := _CANDIDATE.search(text, position)) is not None:
            start = found.start()
            end = self._end(text, start, found.end())
            if end is None:
                position = start + 1
                continue
            compact = "".join(c for c in text[start:end] if ascii_alnum(c)).upper()
            if valid_iban(compact):
                yield Detection("iban", start, end, "iban", 0.99, compact)
                position = end
            else:
                position = start + 1

    @staticmethod
    def _end(text: str, start: int, limit: int) -> int | None:
        """Where an IBAN starting at `start` ends, judged by its country's length."""
        if start > 0 and ascii_alnum(text[start - 1]):
            return None
        length = LENGTHS.get(text[start:start + 2].upper())
        if length is None:
            return None
        count = 0
        for index in range(start, limit):
            if ascii_alnum(text[index]):
                count += 1
                if count == length:
                    end = index + 1
                    return None if end < len(text) and ascii_alnum(text[end]) else end
        return None
