"""IBANs: a country's fixed length and the ISO 7064 mod-97 check, grouped or not.

Any country of the IBAN registry, letters in the account part included ("GB82 WEST
1234 ...", "CH93 0076 2011 ..."), upper or lower case, grouped by spaces, dashes or
a line break. Cost: one RE2 pass finds country-code anchors; each anchor is read
through one anchored match on a bounded slice, so a message of anchors costs a
constant per anchor.
"""

from __future__ import annotations

from collections.abc import Iterator

from filters._patterns import Pattern, each_spans, text_pattern
from filters.masking._context import ascii_alnum
from filters.masking._model import Detection
from filters.masking._numbers import MARKS
from filters.masking._quota import charge

# Country code -> IBAN length (SWIFT IBAN registry).
LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# What may stand between an IBAN's characters: spaces, line breaks, dashes, and the other marks a number's groups
# may stand between (",", ":", "_", ";", "|", "·"...: `_numbers.MARKS`): the checksum, not the separator, tells
# an IBAN from other text.
_SEP = r"[ \t\r\n\x0b\x0c\x{85}\x{2028}\x{2029}" + MARKS + r"]{0,3}"  # "DE89 - 3704 - ...", "DE89_3704_..."
# A country code at a word's start, or glued to the word "IBAN" ("IBANDE89...", "iban_de89..."), then the two
# check digits, which a grouping of twos or threes may part from it or from each other ("BE 07 05 ...",
# "it5 3c1 474 ...": see `_regular`).
_ANCHOR = text_pattern(r"(?:\b|iban_?)((?:" + "|".join(sorted(LENGTHS)) + r")" + _SEP + r"\d" + _SEP + r"\d)",
                       case_sensitive=False)
# The rest of an IBAN of each length: alphanumerics with at most three separator characters between.
_BODY: dict[int, Pattern] = {
    length: text_pattern(f"(?:{_SEP}[0-9A-Za-z]){{{length - 4}}}") for length in set(LENGTHS.values())
}
_SLICE = 4 * 34  # enough for the longest IBAN with three separators between every character


# The digits each ASCII letter or digit stands for in the check (A=10 ... Z=35), by code point: a
# list lookup per byte (C iterators), where `str.translate` to two-character strings is slow.
_AS_DIGITS = [str(int(chr(code), 36)) if chr(code).isalnum() else "" for code in range(128)]
_NOT_ALNUM = bytes(c for c in range(256) if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122))


def valid_iban(compact: str) -> bool:
    """`compact` is upper case without separators."""
    if LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum() or not compact.isascii():
        return False
    return int("".join(map(_AS_DIGITS.__getitem__, (compact[4:] + compact[:4]).encode()))) % 97 == 1


def _alnum(window: str) -> str:
    """The ASCII letters and digits of `window`, in order."""
    if window.isascii():
        return window.encode().translate(None, _NOT_ALNUM).decode()
    return "".join(c for c in window if c.isascii() and c.isalnum())


def _regular(written: str) -> bool:
    """Whether an IBAN written with its check digits parted (`written`) stands in groups of one size (two to
    six, the last no longer), one separator throughout: a grouping, where the words of a sentence vary.
    Read only for a candidate that passed the checksum."""
    sizes: list[int] = []
    gaps: set[str] = set()
    gap = ""
    for char in written:
        if char.isascii() and char.isalnum():
            if gap or not sizes:
                gaps.add(gap)
                sizes.append(0)
                gap = ""
            sizes[-1] += 1
        else:
            gap += char
    gaps.discard("")
    return (len(gaps) == 1 and 2 <= sizes[0] <= 6 and all(size == sizes[0] for size in sizes[:-1])
            and sizes[-1] <= sizes[0])


class IBANDetector:
    type = "iban"

    def detect(self, text: str) -> Iterator[Detection]:
        taken = 0
        for _, (start, anchor_end), *_ in each_spans(_ANCHOR, text):
            charge(start)
            if start < taken:
                continue
            length = LENGTHS[text[start:start + 2].upper()]
            window = text[start:start + _SLICE]
            compact = window.replace(" ", "")
            if not compact[:length].isalnum():  # rare: other separators
                compact = _alnum(window)
            compact = compact[:length].upper()
            if not valid_iban(compact):  # the checksum first: it rejects 96 of 97 candidates
                continue
            rest = _BODY[length].match(window, anchor_end - start)
            if rest is None:
                continue
            end = start + rest.end()
            if end < len(text) and ascii_alnum(text[end]):
                continue
            if anchor_end - start > 4 and not _regular(text[start:end]):
                continue  # check digits parted from their country code, and no grouping: words of a sentence
            yield Detection("iban", start, end, "iban", 0.99, compact)
            taken = end
