"""Contact details: email addresses and phone numbers.

Phone numbers are the family most easily confused with everyday numbers, so a
candidate must have a phone's shape (an international prefix, a North American
3-3-4 layout or a trunk-0 national layout with separators); bare digit strings count
only next to a word like "call" or "phone", and never next to "order" or "tracking".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from filters.masking._context import ascii_alnum, before, enclosing_token, in_url, is_identifier
from filters.masking._model import Detection

# Bounded repetitions only, and nothing after them that could fail: linear time.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

_INTERNATIONAL = re.compile(r"(?:\+|00)[1-9]\d{0,3}(?:[ .\-]?(?:\(\d{1,5}\)|\d{1,5})){1,7}")
_NANP = re.compile(r"(?:\+?1[ .\-]?)?(?:\([2-9]\d{2}\)[ .\-]?|[2-9]\d{2}[ .\-])\d{3}[ .\-]\d{4}")
_TRUNK = re.compile(r"\(?0[1-9]\d{0,4}\)?(?:[ \-/]\d{2,8}){1,4}")
_BARE = re.compile(r"(?:[2-9]\d{9}|0[1-9]\d{8,9})")
_DATE = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}")
_PHONE_WORDS = re.compile(r"phone|call|\btel\b|mobile|cell|whatsapp|\bsms\b|text me|\bfax\b|reach me|handy|telefon")
_NOT_PHONE_WORDS = re.compile(
    r"order|tracking|track|invoice|\bref|ticket|case|account|acct|parcel|shipment|serial|sku|"
    r"\bid\b|#|\bno\.|code|zip|postal|po box|isbn")


class EmailDetector:
    type = "email"

    def detect(self, text: str) -> Iterator[Detection]:
        for found in _EMAIL.finditer(text):
            start, end = found.start(), found.end()
            if start > 0 and text[start - 1] in _LOCAL_CHARS:
                continue
            local, _, domain = found.group().partition("@")
            stripped = local.lstrip(".")
            start += len(local) - len(stripped)
            domain = domain.rstrip(".-")
            end = start + len(stripped) + 1 + len(domain)
            labels = domain.split(".")
            if not stripped or len(labels) < 2 or not (labels[-1].isalpha() and len(labels[-1]) >= 2):
                continue
            if any(not label or label.startswith("-") or label.endswith("-") for label in labels):
                continue
            yield Detection("email", start, end, "email", 0.99, f"{stripped}@{domain}".lower())


class PhoneDetector:
    type = "phone"

    def detect(self, text: str) -> Iterator[Detection]:
        taken: list[Detection] = []  # the shapes overlap; the first (most specific) one wins
        shapes = [(_NANP, "phone_nanp"), (_TRUNK, "phone_national")]
        if "+" in text or "00" in text:
            shapes.insert(0, (_INTERNATIONAL, "phone_international"))
        if _PHONE_WORDS.search(text.lower()):
            shapes.append((_BARE, "phone_bare"))
        for pattern, name in shapes:
            for found in pattern.finditer(text):
                start, end = found.start(), found.end()
                if any(start < t.end and end > t.start for t in taken):
                    continue
                detection = self._judge(text, start, end, name)
                if detection is not None:
                    taken.append(detection)
        yield from sorted(taken, key=lambda d: d.start)

    @staticmethod
    def _judge(text: str, start: int, end: int, name: str) -> Detection | None:
        if not _bounded(text, start, end):
            return None
        value = text[start:end]
        digits = "".join(c for c in value if c.isdigit())
        context = before(text, start, 24)
        if name == "phone_international":
            if value.startswith("00"):
                digits = digits[2:]
            if not 8 <= len(digits) <= 15:
                return None
        elif name == "phone_nanp":
            if len(digits) == 11 and not digits.startswith("1"):
                return None
        elif name == "phone_national":
            if not 10 <= len(digits) <= 11 or _DATE.search(value):
                return None
        elif not _PHONE_WORDS.search(context):
            return None
        if _NOT_PHONE_WORDS.search(context) and not _PHONE_WORDS.search(context):
            return None
        token = enclosing_token(text, start, end)
        if in_url(token) or is_identifier(token):
            return None
        score = 0.95 if _PHONE_WORDS.search(context) else 0.8
        return Detection("phone", start, end, name, score, digits)


def _bounded(text: str, start: int, end: int) -> bool:
    """Not a slice of a longer number or word (a card fragment, an order id)."""
    if start > 0:
        left = text[start - 1]
        if ascii_alnum(left) or (left in ".-/" and start > 1 and text[start - 2].isdigit()):
            return False
        if left in " " and start > 1 and text[start - 2].isdigit():
            return False
    if end < len(text):
        right = text[end]
        if ascii_alnum(right):
            return False
        if right in ".-/ " and end + 1 < len(text) and text[end + 1].isdigit():
            return False
    return True
