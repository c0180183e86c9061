"""Phone numbers: international numbers checked against the numbering plan of their
country code (libphonenumber's metadata), North American numbers by their 3-3-4
layout, national numbers by their trunk prefix and layout.

Phone numbers are the family most easily confused with everyday numbers, so a layout
without an international or trunk prefix (Spanish "612 34 56 78", Indian "81234
56789") counts only next to a word like "call", "Handy" or "電話", and never next
to "order" or "tracking". Candidates come from one RE2 pass that only matches digit
runs long enough for a phone; each run is walked group by group, at most a few
windows per group, so the cost is linear in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate, compress

import phonenumbers

from filters._patterns import each_spans, found, text_pattern
from filters.masking._context import ascii_alnum, before, enclosing_token, in_url, is_identifier, wordless
from filters.masking._labels import ORDER_LABEL
from filters.masking._model import Detection
from filters.masking._numbers import in_date
from filters.masking._quota import WALK, charge

_SEP = r"[ \t./\-\x{2010}-\x{2015}]"
# 7+ digits in groups, with an optional "+" and parenthesised groups: "+44 (0)20 7946 0958", "8 (912) 345-67-89";
# or a country code in square brackets ("[+44] 20 7946 0958"), which brackets nothing else of a phone.
_RUN = text_pattern(r"(?:\[\+ ?\d{1,3}\]|(?:\+ ?)?\(?\d)(?:" + _SEP + r"{0,3}\)?" + _SEP + r"{0,2}\(?\d){6,}\)?")
# "~" stands only in an international prefix's wait for the tone ("8~10", `_tone_head`).
_GROUPS = str.maketrans(dict.fromkeys(" \t./-\u2010\u2011\u2012\u2013\u2014\u2015()[]+~", " "))
_NOT_DIGITS = str.maketrans(dict.fromkeys(" \t./-\u2010\u2011\u2012\u2013\u2014\u2015()[]+~"))
_PLUS_ONE = (1).__add__
_PHONE_WORDS = text_pattern(
    r"phone|call|\btel\b|tel\.|tel:|mobile|\bcell|whatsapp|signal|\bsms\b|text me|\bfax\b|reach me|ring me|"
    r"handy|telefon|mobil|rufnummer|anrufen|ruf mich|t[ée]l[ée]phone|portable|appelle|joindre|num[ée]ro|"
    r"tel[ée]fono|m[óo]vil|celular|llama|ll[áa]mame|telefone|chiamami|cellulare|telefoon|bel me|"
    r"telefonu|numara|ara beni|zadzwo[nń]|komórk|телефон|номер|позвони|звони|電話|电话|手机|携帯|전화|"
    r"휴대폰|هاتف|جوال|रफोन|फ़ोन|फोन|τηλ[έε]φων|κινητ[όο]|טלפון|נייד|điện thoại|telepon|nomor hp|โทร|"
    r"\bsimu\b|puhelin|contact|\bmy (?:cell |mobile |phone |home |work )?number\b|number is")
# The words above that name a phone, not only a number ("numéro", "numara", "номер", "my number", "contact" say
# "number" in general): in an order's, a ticket's or a parcel's label just before the number (`ORDER_LABEL`:
# "numero ordine", "sipariş numarası"), they name that number instead.
_NAMED_PHONE_WORDS = text_pattern(
    r"phone|call|\btel\b|tel\.|tel:|mobile|\bcell|whatsapp|signal|\bsms\b|text me|\bfax\b|reach me|ring me|"
    r"handy|telefon|mobil|rufnummer|anrufen|ruf mich|t[ée]l[ée]phone|portable|appelle|joindre|"
    r"tel[ée]fono|m[óo]vil|celular|llama|ll[áa]mame|telefone|chiamami|cellulare|telefoon|bel me|"
    r"ara beni|zadzwo[nń]|komórk|телефон|позвони|звони|電話|电话|手机|携帯|전화|"
    r"휴대폰|هاتف|جوال|रफोन|फ़ोन|फोन|τηλ[έε]φων|κινητ[όο]|טלפון|נייד|điện thoại|telepon|nomor hp|โทร|"
    r"\bsimu\b|puhelin|\bmy (?:cell|mobile|phone|home|work) number\b")
_NOT_PHONE_WORDS = text_pattern(
    r"order|tracking|track|invoice|\bref|ticket|case|account|acct|parcel|shipment|serial|sku|"
    r"\bid\b|#|\bno\.|code|zip|postal|po box|isbn|bestell|rechnung|commande|facture|pedido|factura|"
    r"sendung|colis|ordine|fattura|заказ|订单|注文|주문|iban|card|karte|tarjeta|carte")


def _possible_lengths() -> dict[int, frozenset[int]]:
    """Country calling code -> possible lengths of a national number (libphonenumber metadata)."""
    lengths: dict[int, set[int]] = {}
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            metadata = (phonenumbers.PhoneMetadata.metadata_for_nongeo_region(code) if region == "001"
                        else phonenumbers.PhoneMetadata.metadata_for_region(region))
            if metadata is not None and metadata.general_desc is not None:
                lengths.setdefault(code, set()).update(metadata.general_desc.possible_length or ())
    return {code: frozenset(values) for code, values in lengths.items() if values}


_LENGTHS = _possible_lengths()


@lru_cache(maxsize=1)
def _country_codes() -> tuple[frozenset[str], ...]:
    by_size: list[set[str]] = [set(), set(), set()]
    for code in _LENGTHS:
        by_size[len(str(code)) - 1].add(str(code))
    return tuple(frozenset(codes) for codes in by_size)


def international(digits: str) -> bool:
    """`digits` (after "+" or "00") is a country code plus a national number of a possible length."""
    for size, codes in enumerate(_country_codes(), 1):
        code = digits[:size]
        if code in codes:
            return len(digits) - size in _LENGTHS[int(code)]
    return False


@lru_cache(maxsize=1)
def _dialling_prefixes() -> tuple[re.Pattern[str], frozenset[str]]:
    """The international prefixes that regions dial before a country code, as libphonenumber's metadata gives
    them: (a pattern of every one, those that are plain digits). Plain: "00", "011" from North America, "0011"
    from Australia, "010" from Japan, "8~10" from Russia and its neighbours (written "8 10" or "810": the wait
    for the tone, "~", dropped); in the pattern, choices of a carrier too ("0021" from Brazil, "001" or "005"
    from South Korea, "009" from Colombia)."""
    sources: set[str] = set()
    plain: set[str] = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for prefix in (metadata.preferred_international_prefix, metadata.international_prefix) if metadata else ():
            digits = (prefix or "").replace("~", "")
            if digits:
                sources.add(digits)
            if digits.isdigit():
                plain.add(digits)
    return re.compile("|".join(f"(?:{source})" for source in sorted(sources))), frozenset(plain)


def _prefix(digits: str, head: int) -> bool:
    """Whether `digits[:head]` is an international prefix: a plain one, or one the metadata's patterns allow that
    starts with 0 as the common ones do (the patterns also allow "99" or "16", which lead many other numbers)."""
    pattern, plain = _dialling_prefixes()
    if digits[:head] in plain:
        return True
    return digits[0] == "0" and pattern.fullmatch(digits, 0, head) is not None


def _dialled_abroad(digits: str, sizes: list[int], words: bool) -> bool:
    """Whether `digits` (grouped as `sizes`) are an international prefix written as its own group or groups
    ("011 7 495 ...", "8 10 49 30 ...", "00 21 44 ..."), then a country code as a group of its own and a national
    number of a length its plan allows (8 digits or more in all; 7 after a phone word: the smallest plans, "00 290
    8913", have four). A prefix of one digit (Cape Verde's and Samoa's "0") only after a phone word."""
    head = 0
    for k, size in enumerate(sizes[:2]):
        head += size
        if k + 2 < len(sizes) and (head >= 2 or words) and _prefix(digits, head):
            number = digits[head:]
            code = sizes[k + 1]
            if ((8 if not words else 7) <= len(number) <= 15 and international(number)
                    and str(int(number[:code])) == number[:code] and int(number[:code]) in _LENGTHS
                    and len(number) - code in _LENGTHS[int(number[:code])]):
                return True
    return False


def _tone_head(text: str, start: int) -> int | None:
    """Where an international prefix written with its wait for the tone starts, when the run at `start` follows
    one ("8~10", "0~0": one or two digits and "~" glued to the run), else None."""
    if start < 2 or text[start - 1] != "~" or not "0" <= text[start - 2] <= "9":
        return None
    head = start - 3 if start >= 3 and "0" <= text[start - 3] <= "9" else start - 2
    if head > 0 and (ascii_alnum(text[head - 1]) or text[head - 1] in ".-/~"):
        return None
    return head


_DATE_SIZES = ([2, 2, 4], [1, 2, 4], [2, 1, 4], [2, 2, 2], [4, 2, 2], [1, 1, 4])


def _date_like(sizes: list[int], digits: str) -> bool:
    """Day-month-year or year-month-day in the first three groups."""
    if len(sizes) < 3 or sizes[:3] not in _DATE_SIZES:
        return False
    first, second = sizes[0], sizes[0] + sizes[1]  # read by slicing, not a generator of sums per group
    a, b, c = int(digits[:first]), int(digits[first:second]), int(digits[second:second + sizes[2]])
    if sizes[0] == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


class PhoneDetector:
    type = "phone"

    def detect(self, text: str) -> Iterator[Detection]:
        for (start, end), *_ in each_spans(_RUN, text):
            charge(start)  # the run, and the first window of it judged
            if text[end - 1] == ")":
                end -= 1
            head = _tone_head(text, start)
            if head is not None:  # "8~10 44 ...": read with its prefix, when that makes a number dialled abroad
                with_prefix = list(self._in_run(text, head, end))
                if with_prefix and with_prefix[0].start == head and with_prefix[0].detector == "phone_international":
                    yield from with_prefix
                    continue
            yield from self._in_run(text, start, end)

    def _in_run(self, text: str, start: int, end: int) -> Iterator[Detection]:
        if start > 0 and (ascii_alnum(text[start - 1]) or text[start - 1] in ".-/"):
            return
        if end < len(text) and (ascii_alnum(text[end]) or (text[end] in ".-/" and text[end + 1:end + 2].isdigit())):
            return
        context = before(text, start, 24)
        if wordless(context):
            words = False
        elif context.isascii() and context.upper() == context.lower():
            # ASCII with no letter (a run after punctuation, random digits): every word of both lists needs a
            # letter but "#", so no search is needed.
            words = False
            if "#" in context:
                return
        else:
            words = found(_PHONE_WORDS, context)
            if not words and found(_NOT_PHONE_WORDS, context):
                return
            if words and found(ORDER_LABEL, context) and not found(_NAMED_PHONE_WORDS, context):
                return  # "numero ordine", "sipariş numarası": a word for "number" in a label of something else
        body = text[start:end]
        lengths = list(map(len, body.translate(_GROUPS).split(" ")))  # 0 between two separators
        sizes = list(filter(None, lengths))
        charge(start, len(sizes) // WALK)  # the walk over its groups
        # C iterators, not a Python loop per group: a run may hold thousands of groups.
        offsets = list(compress(accumulate(map(_PLUS_ONE, lengths), initial=start), lengths))
        digits = body.translate(_NOT_DIGITS)  # `_RUN` takes ASCII digits and `_GROUPS` characters only
        plus = body.startswith(("+", "[+"))
        # A run holding more than one number ("06 12 34 56 78 / 06 98 76 54 32") is read one
        # window of groups at a time; a window never spans more than 15 digits.
        first = 0
        index = 0
        while index < len(sizes):
            if index:
                charge(offsets[index])  # one more window of groups judged as a phone number
            verdict = self._window(text, offsets, sizes, index, plus and index == 0, words)
            if verdict is None:
                return  # a phone starts a run, or follows another phone in a list
            last, name, score = verdict
            if not words and name != "phone_international" and _goes_on(text, offsets, sizes, index, last):
                return  # the start of a longer number ("USPS 0726-5495-6117-0900-6398 34")
            value_start, value_end = offsets[index], offsets[last] + sizes[last]
            if plus and index == 0:
                value_start = start
            if text[value_start - 1:value_start] == "(":
                value_start -= 1
            if text[value_end:value_end + 1] == ")" and "(" in text[value_start:value_end]:
                value_end += 1
            token = enclosing_token(text, value_start, value_end)
            # A number in a link is no phone, unless a phone word names it there ("?tel=0121%20527..."); nor is one
            # that runs into a calendar date ("492 477 2020" of "492 477 2020-10-11"), unless a phone word names it.
            if (words or not (in_url(token) or in_date(text, value_start, value_end))) and not is_identifier(token):
                span_digits = digits[first:first + sum(sizes[index:last + 1])]
                if value_start >= 4 and text[value_start - 4:value_start].lower() == "tel:":
                    value_start -= 4  # a tel: URI (RFC 3966) is the number whole: "tel:+44-20-7946-0958"
                yield Detection("phone", value_start, value_end, name, score, span_digits)
            first += sum(sizes[index:last + 1])
            index = last + 1

    @staticmethod
    def _window(text: str, offsets: list[int], sizes: list[int], index: int, plus: bool,
                words: bool) -> tuple[int, str, float] | None:
        """The longest phone starting at group `index`: (last group, detector, score), or None."""
        top = min(len(sizes), index + 8) - 1  # a window holds at most 8 groups
        begin = offsets[index] - 1 if index else offsets[index]
        found = _longest(text[begin:offsets[top] + sizes[top]], index > 0, plus, words)
        return None if found is None else (index + found[0], found[1], found[2])


def _goes_on(text: str, offsets: list[int], sizes: list[int], index: int, last: int) -> bool:
    """Whether the national number in groups `index..last`, written with one separator throughout, goes on in
    one more group of three digits or more joined by that separator: then it is the start of a longer number,
    no phone (a phone's own groups end where it does; a list of phones parts them otherwise: "06 12 34 56 78 /
    06 98 ..."; "020 7946 0958 24/7" is a phone and a time)."""
    if last == index or last + 1 >= len(sizes) or sizes[last + 1] < 3:
        return False
    inside = {text[offsets[k] + sizes[k]:offsets[k + 1]] for k in range(index, last)}
    return len(inside) == 1 and text[offsets[last] + sizes[last]:offsets[last + 1]] in inside


@lru_cache(maxsize=8192)
def _longest(span: str, after: bool, plus: bool, words: bool) -> tuple[int, str, float] | None:
    """`PhoneDetector._window` on the text of its groups (`span`; when `after`, the character before the
    first group comes first): (groups after the first, detector, score), or None. A function of that text,
    kept for it: a stream reads its held tail again, and a list of numbers repeats its windows."""
    if after and span[0] == ".":
        return None
    body = span[1:] if after else span
    lengths = list(map(len, body.translate(_GROUPS).split(" ")))  # as `_in_run` reads the run
    sizes = list(filter(None, lengths))
    offsets = list(compress(accumulate(map(_PLUS_ONE, lengths), initial=0), lengths))
    # The windows of 7-17 digits, judged longest first: the first that is a phone is the answer.
    ends: list[int] = []
    total = 0
    for last in range(len(sizes)):
        total += sizes[last]
        if total > 17:
            break
        if total >= 7:
            ends.append(last)
    for last in reversed(ends):
        name = _layout_of(body[:offsets[last] + sizes[last]], plus, words)
        if name is not None:
            return last, name, 0.95 if words or name == "phone_international" else 0.8
    return None


@lru_cache(maxsize=8192)
def _layout_of(value: str, plus: bool, words: bool) -> str | None:
    """`_layout` of the window written as `value` (its digits and group sizes are read from it), kept
    for the value: a stream reads its held tail again, and a list of numbers repeats their shapes."""
    groups = value.translate(_GROUPS).split()
    return _layout("".join(groups), list(map(len, groups)), plus, words, value)


def _layout(digits: str, sizes: list[int], plus: bool, words: bool, value: str) -> str | None:
    """Which phone layout `digits` (grouped as `sizes`, written as `value`) follows, if any."""
    if not plus and len(sizes) >= 3 and _dialled_abroad(digits, sizes, words):
        return "phone_international"
    if plus or (digits.startswith("00") and digits[2:3] not in ("", "0")):
        number = digits if plus else digits[2:]
        if (8 if not words else 7) <= len(number) <= 15 and international(number):
            return "phone_international"
        if "(0)" in value:  # "+44 (0)20 ...": a trunk 0 that is not dialled from abroad
            for size in (1, 2, 3):
                if number[size:size + 1] == "0" and international(number[:size] + number[size + 1:]):
                    return "phone_international"
        return None
    length = len(digits)
    if sizes == [3, 2, 4]:
        return None  # the social security layout, never a phone's
    if sizes in ([3, 3, 4], [1, 3, 3, 4]) and (length == 10 or digits[0] == "1") and digits[-10] in "23456789":
        return "phone_nanp"
    # Seven or eight digits in groups are a whole number in many smaller countries ("4498 9048", "21 23 33 42",
    # "674-4563"): after a phone word only.
    short = words and length in (7, 8) and len(sizes) >= 2
    if digits[0] == "0" and digits[1] != "0" and (9 <= length <= 12 or (words and length == 8) or short):
        if len(sizes) == 1:
            return "phone_national" if words else None
        pairs = set(sizes[1:]) == {2} and len(sizes) >= 4  # "06 12 34 56 78", "08-15 53 66"
        if _date_like(sizes, digits) and not (pairs and (words or len(sizes) == 5)):
            return None
        if max(sizes) > 8 or (len(sizes) == 4 and max(sizes) <= 3 and "." in value and "(" not in value):
            return None  # one long stretch is an account number; four dotted short groups an IP
        return "phone_national"
    if digits[0] == "8" and length == 11 and "(" in value:
        return "phone_national"  # "8 (912) 345-67-89": the trunk 8 of Russia and its neighbours
    if (short or (words and 9 <= length <= 12)) and not _date_like(sizes, digits):
        return "phone_bare" if len(sizes) == 1 else "phone_national"
    if "(" in value and 10 <= length <= 11 and sizes[0] in (2, 3) and len(sizes) >= 3:
        return "phone_national"  # "(11) 96123-4567", "(201) 555-0123"
    return None
