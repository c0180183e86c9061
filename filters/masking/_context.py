"""Judging a candidate by what surrounds it: words before it, the token it sits in.

Checksums cannot tell a card from an epoch timestamp that happens to pass Luhn, or a
phone number from an order number; the words in front of the value usually can.
Everything here reads a bounded window around the candidate, so its cost does not
grow with the message.
"""

from __future__ import annotations

from filters._patterns import Pattern, each_spans, found, text_pattern

_UUID = text_pattern(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = text_pattern(r"[0-9a-fA-F]{16,}")
_MAX_TOKEN = 256
_HEX_LETTERS = frozenset("abcdefABCDEF")


def before(text: str, start: int, width: int = 32) -> str:
    """The lower-cased `width` characters before `start`."""
    return text[max(0, start - width):start].lower()


def wordless(context: str) -> bool:
    """True when `context` holds only digits, spaces and dashes: no word can match in it (a cheap
    test that spares a regex search next to every number of a long list)."""
    return context.replace(" ", "").replace("-", "").isdigit() or not context.strip()


def has_word(text: str, words: Pattern) -> bool:
    return found(words, text)


def enclosing_token(text: str, start: int, end: int, *, head: bool = True, tail: bool = True) -> str:
    """The whitespace-delimited token around `text[start:end]` (at most 256 characters each side); without
    what is glued before it (`head` false) or after it (`tail` false): a word it was judged apart from."""
    left = text[max(0, start - _MAX_TOKEN):start] if head else ""
    right = text[end:end + _MAX_TOKEN] if tail else ""
    before_it = left.rsplit(None, 1)[-1] if left and not left[-1].isspace() else ""
    after_it = right.split(None, 1)[0] if right and not right[0].isspace() else ""
    return before_it + text[start:end] + after_it


def in_url(token: str) -> bool:
    return "://" in token or token.lower().startswith("www.")


def is_identifier(token: str) -> bool:
    """UUIDs and hex digests: long digit runs inside them are not values."""
    if len(token) < 16:
        return False
    if "-" in token and found(_UUID, token):
        return True
    if _HEX_LETTERS.isdisjoint(token):
        return False  # a digest needs a hex letter, and most numbers have none: no regex run
    return any(any(c in "abcdefABCDEF" for c in token[a:b]) for (a, b), *_ in each_spans(_HEX, token))


def ascii_alnum(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def glued_before(text: str, start: int) -> bool:
    """Whether `text[start:]` is glued to a word before it: an ASCII letter, digit or "_", unless the "_"s
    there are markdown emphasis ("_4111 ..._", "__123-45-6789__": nothing of a word before them)."""
    i = start
    while i > 0 and text[i - 1] == "_" and start - i < 2:
        i -= 1
    if i == start:
        return start > 0 and ascii_alnum(text[start - 1])
    return i > 0 and ascii_alnum(text[i - 1])


def glued_after(text: str, end: int) -> bool:
    """`glued_before` at the end of a value: "_" or "__" closing emphasis is no glue."""
    i = end
    while i < len(text) and text[i] == "_" and i - end < 2:
        i += 1
    if i == end:
        return end < len(text) and ascii_alnum(text[end])
    return i < len(text) and ascii_alnum(text[i])


# Values glued to the word that names them ("card4111...", "SSN123-45-6789", "cc_4111..."): the ASCII
# word before a value, read back at most this far, names its kind when it ends in one of these words,
# perhaps followed by a word for "number". Short words (and those made of hex letters) must be the
# whole word, or its last part after "_", so that a hex digest ending in "cc" or "ss" is no card.
_GLUE_MAX = 24
LONE = "lone"  # the `lead` of a value glued to one letter alone (see `_numbers.Run`)
_NUMBER_WORDS = ("number", "nummer", "numero", "num", "nr", "no", "n")
_LEAD_WORDS: dict[str, str] = {
    **dict.fromkeys(("card", "visa", "mastercard", "amex", "maestro", "karte", "kart", "tarjeta", "carte",
                     "cartao", "carta", "kaart", "karta", "kartu", "kredit", "credit", "debit"), "card"),
    **dict.fromkeys(("ssn", "social", "socsec", "itin", "taxid"), "ssn"),
}
_WHOLE_WORDS: dict[str, str] = {"cc": "card", "pan": "card", "kort": "card", "ss": "ssn", "tin": "ssn"}


def glued_word(text: str, start: int) -> str:
    """The lower-cased ASCII word (letters and "_") that `text[start:]` is glued to, at most 24 characters;
    "" when a digit or nothing stands there, or the word runs on further (a long identifier)."""
    i = start
    low = max(0, start - _GLUE_MAX - 1)
    while i > low and (text[i - 1].isascii() and (text[i - 1].isalpha() or text[i - 1] == "_")):
        i -= 1
    if i == start or (i > 0 and ascii_alnum(text[i - 1])):
        return ""  # glued to a digit, or to a word longer than any name
    return text[i:start].lower()


def lead_kind(word: str) -> str:
    """The kind of value ("card", "ssn") `word` (see `glued_word`) names, or "" for any other word."""
    parts = [part for part in word.split("_") if part]
    if not parts:
        return ""
    last = parts[-1]
    if last in _NUMBER_WORDS and len(parts) > 1 and parts[-2] not in _NUMBER_WORDS:
        last = parts[-2]  # "card_no"
    for suffix in _NUMBER_WORDS:  # "cardno", "ssnumber"
        if last.endswith(suffix) and len(last) > len(suffix):
            stem = last[:-len(suffix)]
            if stem in _WHOLE_WORDS or any(stem.endswith(name) for name in _LEAD_WORDS):
                last = stem
                break
    if last in _WHOLE_WORDS:
        return _WHOLE_WORDS[last]
    return next((kind for name, kind in _LEAD_WORDS.items() if last.endswith(name)), "")


def trailing_word(text: str, end: int) -> bool:
    """Whether `text[end:]` starts with a word of two letters or more that cannot be hex digits ("exp",
    "cvv", "thanks"), so a value glued to it ends there ("4111...1111exp12/27"), or with one letter alone
    ("078051120x"); a hex digest's letters are a-f alone, and run on."""
    i = end
    high = min(len(text), end + _GLUE_MAX)
    while i < high and text[i].isascii() and text[i].isalpha():
        i += 1
    word = text[end:i]
    if len(word) == 1:  # one letter alone, then no word character: "078051120x", "...1111a."
        return i == len(text) or not ascii_alnum(text[i])
    return len(word) >= 2 and not _HEX_LETTERS.issuperset(word)
