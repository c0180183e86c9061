"""A field named for a value: the gateway hands the masker one field of a JSON body at a time, and a value
split over two of them (`{"card1": "4111 1111", "card2": "1111 1111"}`, `{"phone_prefix": "+49",
"phone_number": "30 901820"}`) is no value in either alone. The field's name is its context word: a field
named for a card, an SSN, an IBAN or a phone number that holds nothing but a number (digits and the marks
between groups, a part of a value or all of it) is masked whole, so each part of a split value is masked
in its own field. A field of words ("card_type": "visa") or of a short count ("card_count": "3") is left.

Cost: the name is read once per distinct field path (cached); a field without such a name costs a dict
look-up.
"""

from __future__ import annotations

import re
from functools import lru_cache

from filters.masking._model import Detection

# Words in a field's name that name a kind of value, once a word for "number" is taken off their end
# ("cardnumber", "ssnNo"), alone or after a word that qualifies them ("creditcard", "mobilephone").
_NAMES = {"card": "card", "cc": "card", "pan": "card", "kreditkarte": "card", "karte": "card", "tarjeta": "card",
          "carte": "card", "ssn": "ssn", "sin": "ssn", "tin": "ssn", "itin": "ssn", "iban": "iban",
          "phone": "phone", "tel": "phone", "telephone": "phone", "telefon": "phone", "telefono": "phone",
          "mobile": "phone", "cell": "phone", "fax": "phone", "msisdn": "phone", "handy": "phone"}
_QUALIFIERS = ("credit", "debit", "bank", "payment", "kredit", "home", "work", "mobile", "cell", "contact", "my")
_NUMBER_WORDS = ("number", "num", "nr", "no", "nummer", "numero", "part", "prefix", "suffix", "digits")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# A number alone: digits, the marks between groups, a "+" and brackets; 4 digits or more, in a field of
# at most 64 characters (a part of a value, or one value).
_NUMBER_ONLY = re.compile(r"[ \t]*\+?[ \t]*\(?[0-9][0-9 .\-/()\t]*")
_MIN_DIGITS = 4
_MAX_CHARS = 64
_LETTERS_AND_DIGITS = re.compile(r"[A-Za-z]{2}[0-9]{2}[0-9A-Za-z \-]*")  # an IBAN's part


@lru_cache(maxsize=4096)
def named_kind(path: str) -> str:
    """The kind of value ("card", "ssn", "iban", "phone") the last name of a field path names, or ""."""
    name = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[-1][-_MAX_CHARS:]
    for word in _WORDS.findall(name):
        word = word.lower()
        for suffix in _NUMBER_WORDS:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[:-len(suffix)]
                break
        for qualifier in _QUALIFIERS:
            if word.startswith(qualifier) and word[len(qualifier):] in _NAMES:
                word = word[len(qualifier):]
                break
        if word in _NAMES:
            return _NAMES[word]
    return ""


def named_value(kind: str, text: str) -> Detection | None:
    """The whole of `text` as a value of `kind`, when it is a number alone (or an IBAN's letters and
    digits); None for words, or fewer than four digits."""
    if len(text) > _MAX_CHARS:
        return None
    whole = _NUMBER_ONLY.fullmatch(text) or (kind == "iban" and _LETTERS_AND_DIGITS.fullmatch(text.strip()))
    if not whole or sum(c.isdigit() for c in text) < _MIN_DIGITS:
        return None
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return Detection(kind, start, end, "field_name", 0.8, text[start:end])
