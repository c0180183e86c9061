"""Payment cards: 12-19 digits, a known network prefix and length, and a valid Luhn digit.

The prefix table keeps random Luhn-valid numbers (10 % of all numbers) out: order
numbers and tracking numbers rarely start like a card of the right length. A number
from a network the table does not know still counts when card words stand before it
("Karte", "tarjeta", "卡", ...).

Cost is linear with a small constant, whatever the run: a candidate starts at a group
of 4+ digits (every card layout in use starts so) or is a whole stretch of single
digits ("4 1 1 1 ..."), and spans at most 19 digits; the prefix is looked up before
the Luhn sum is taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from filters._patterns import found, text_pattern
from filters.masking._context import LONE, before, enclosing_token, is_identifier, wordless
from filters.masking._labels import ORDER_LABEL
from filters.masking._model import Detection
from filters.masking._numbers import Run, in_date, luhn, runs, unusual
from filters.masking._quota import charge
from filters.masking.iban import LENGTHS

_ANY = frozenset(range(12, 20))
_16_19 = frozenset(range(16, 20))
# (network, lowest prefix, highest prefix, lengths); prefixes compare as digit strings of equal length.
# Sources: the networks' published IIN ranges (ISO/IEC 7812 issuer identification numbers).
NETWORKS: tuple[tuple[str, str, str, frozenset[int]], ...] = (
    ("visa", "4", "4", frozenset({13, 16, 19})),
    ("mastercard", "51", "55", frozenset({16})),
    ("mastercard", "2221", "2720", frozenset({16})),
    ("amex", "34", "34", frozenset({15})),
    ("amex", "37", "37", frozenset({15})),
    ("discover", "6011", "6011", _16_19),
    ("discover", "644", "649", _16_19),
    ("discover", "65", "65", _16_19),
    ("discover", "622126", "622925", _16_19),
    ("diners", "300", "305", frozenset(range(14, 20))),
    ("diners", "3095", "3095", frozenset(range(14, 20))),
    ("diners", "36", "36", frozenset(range(14, 20))),
    ("diners", "38", "39", frozenset(range(14, 20))),
    ("jcb", "3528", "3589", _16_19),
    ("unionpay", "62", "62", _16_19),
    ("unionpay", "81", "81", _16_19),
    ("tunion", "31", "31", frozenset({19})),
    ("maestro", "5018", "5018", _ANY),
    ("maestro", "5020", "5020", _ANY),
    ("maestro", "5038", "5038", _ANY),
    ("maestro", "5893", "5893", _ANY),
    ("maestro", "6304", "6304", _ANY),
    ("maestro", "6759", "6759", _ANY),
    ("maestro", "6761", "6763", _ANY),
    ("maestro", "676770", "676770", _ANY),
    ("maestro", "676774", "676774", _ANY),
    ("dankort", "5019", "5019", frozenset({16})),
    ("dankort", "4571", "4571", frozenset({16})),
    ("bancontact", "6703", "6703", _16_19),
    ("bancontact", "479658", "479658", frozenset({16})),
    ("mir", "2200", "2204", _16_19),
    ("borica", "2205", "2205", frozenset({16})),
    ("rupay", "60", "60", frozenset({16})),
    ("rupay", "508", "508", frozenset({16})),
    ("rupay", "353", "353", frozenset({16})),
    ("rupay", "356", "356", frozenset({16})),
    ("rupay", "82", "82", frozenset({16})),
    ("verve", "506099", "506198", frozenset({16, 18, 19})),
    ("verve", "507865", "507964", frozenset({16, 18, 19})),
    ("verve", "650002", "650027", frozenset({16, 18, 19})),
    ("troy", "9792", "9792", frozenset({16})),
    ("humo", "9860", "9860", frozenset({16})),
    ("uzcard", "8600", "8600", frozenset({16})),
    ("uzcard", "5614", "5614", frozenset({16})),
    ("napas", "9704", "9704", frozenset({16, 19})),
    ("gpn", "1946", "1946", frozenset({16, 18, 19})),
    ("gpn", "50", "50", frozenset({16, 18, 19})),
    ("gpn", "56", "58", frozenset({16, 18, 19})),
    ("lankapay", "357111", "357111", frozenset({16})),
    ("meeza", "507803", "507814", frozenset({16})),
    ("elo", "401178", "401179", frozenset({16})),
    ("elo", "431274", "431274", frozenset({16})),
    ("elo", "438935", "438935", frozenset({16})),
    ("elo", "451416", "451416", frozenset({16})),
    ("elo", "457393", "457393", frozenset({16})),
    ("elo", "457631", "457632", frozenset({16})),
    ("elo", "504175", "504175", frozenset({16})),
    ("elo", "506699", "506778", frozenset({16})),
    ("elo", "509000", "509999", frozenset({16})),
    ("elo", "627780", "627780", frozenset({16})),
    ("elo", "636297", "636297", frozenset({16})),
    ("elo", "636368", "636368", frozenset({16})),
    ("elo", "650031", "650051", frozenset({16})),
    ("elo", "650405", "650439", frozenset({16})),
    ("elo", "650485", "650538", frozenset({16})),
    ("elo", "650541", "650598", frozenset({16})),
    ("elo", "650700", "650727", frozenset({16})),
    ("elo", "650901", "650978", frozenset({16})),
    ("elo", "651652", "651679", frozenset({16})),
    ("elo", "655000", "655058", frozenset({16})),
    ("hipercard", "606282", "606282", frozenset({16, 19})),
    ("hipercard", "3841", "3841", frozenset({16, 19})),
    ("cabal", "604201", "604219", frozenset({16})),
    ("cabal", "627170", "627170", frozenset({16})),
    ("cabal", "589657", "589657", frozenset({16})),
    ("naranja", "589562", "589562", frozenset({16})),
    ("ukrcard", "604001", "604200", _16_19),
    ("forbrugsforeningen", "600722", "600722", frozenset({16})),
    ("interpayment", "636", "636", _16_19),
    ("instapayment", "637", "639", frozenset({16})),
    ("uatp", "1", "1", frozenset({15})),
)
# Prefixes that collide with everyday numbers (UATP's "1"), or broad domestic ranges seldom seen
# abroad (Indonesia's GPN, China's T-Union, the newest UnionPay and RuPay ranges): a number there
# is only masked with card words nearby.
_NEEDS_CONTEXT = frozenset({("uatp", "1"), ("gpn", "1946"), ("gpn", "50"), ("gpn", "56"), ("tunion", "31"),
                            ("unionpay", "81"), ("rupay", "82")})
_CARD_WORDS = text_pattern(
    r"card|visa|master|amex|maestro|uatp|\bcc\b|\bpan\b|cvv|cvc|kart|tarjeta|carte|cart[ãa]o|carta|"
    r"kaart|karta|kort|kartu|karty|карт|картк|卡|カード|카드|بطاق|כרטיס|कार्ड|บัตร|thẻ|kredi|credit|debit|"
    r"kredit|cr[ée]dito|cr[ée]dit|d[ée]bito|zahlung|payment|pago|paiement|pagamento")
# Words that make a number starting with 1 an epoch time (seconds to nanoseconds), not a card.
_TIME_WORDS = text_pattern(r"timestamp|epoch|unix|\bts\b|\bms\b|millis|micros|nanos|created|updated|time")
_EPOCH_LENGTHS = frozenset({10, 13, 16, 19})
# An IBAN's start (country code, check digits, groups of four) just before a window that more groups follow:
# its digits are an account number's, even where the IBAN fails its check ("PL47 5474 1044 2628 7351 9615
# 6507" holds Luhn windows); a card alone after such a head ("DE00 4111 1111 1111 1111") is still one.
_IBAN_HEAD = text_pattern(r"\b(?:" + "|".join(sorted(LENGTHS)) + r")\d\d(?:[ \-:_,]?[0-9A-Z]{4}){0,7}[ \-:_,]?\z")
def _table() -> dict[str, tuple[tuple[str, frozenset[int], bool], ...]]:
    """Every prefix of the table, spelt out: one dict look-up per prefix length."""
    table: dict[str, list[tuple[str, frozenset[int], bool]]] = {}
    for name, low, high, lengths in NETWORKS:
        for value in range(int(low), int(high) + 1):
            table.setdefault(str(value).zfill(len(low)), []).append((name, lengths, (name, low) in _NEEDS_CONTEXT))
    return {prefix: tuple(entries) for prefix, entries in table.items()}


_BY_PREFIX = _table()
_PREFIX_LENGTHS = tuple(sorted({len(prefix) for prefix in _BY_PREFIX}, reverse=True))


Networks = tuple[tuple[str, frozenset[int], bool], ...]  # (name, lengths, needs card words)


@lru_cache(maxsize=4096)
def _networks(head: str) -> Networks:
    found: Networks = ()
    for size in _PREFIX_LENGTHS:
        entries = _BY_PREFIX.get(head[:size])
        if entries:
            found += entries
    return found


def candidates(digits: str) -> Networks:
    """The networks whose prefix `digits` starts with, longest prefix first, with their lengths."""
    return _networks(digits[:_PREFIX_LENGTHS[0]])


def _entry(known: Networks, length: int) -> tuple[str, bool] | None:
    return next(((name, context) for name, lengths, context in known if length in lengths), None)


def network(digits: str) -> str | None:
    """The card network `digits` belongs to by prefix and length (longest prefix first), or None."""
    entry = _entry(candidates(digits), len(digits))
    return entry[0] if entry else None


@lru_cache(maxsize=8192)
def _checked(digits: str) -> tuple[str | None, bool] | None:
    """(network or None, whether it needs card words) for a window's digits that pass the prefix and length
    table (or are 13-19 digits) and Luhn; None for the others. A function of the digits alone, kept for them:
    a stream reads its held tail again, and a list of numbers repeats them."""
    entry = _entry(candidates(digits), len(digits))
    name, needs_context = entry if entry else (None, True)
    if name is None and not 13 <= len(digits) <= 19:
        return None
    return (name, needs_context) if luhn(digits) else None


def _in_fours(text: str, run: Run, first: int, last: int) -> bool:
    """Groups `first..last` are of four digits (the last of one to four), one separator between them."""
    sizes = run.sizes
    if any(size != 4 for size in sizes[first:last]) or not 1 <= sizes[last] <= 4:
        return False
    return len({run.separator(text, k) for k in range(first, last)}) == 1


def _block(text: str, run: Run, first: int, separator: str) -> bool:
    """Groups `first..first + 3` exist, hold four digits each and are joined by `separator`."""
    if first < 0 or first + 3 >= len(run.sizes) or any(run.sizes[k] != 4 for k in range(first, first + 4)):
        return False
    return all(run.separator(text, k) == separator for k in range(first, first + 3))


def _card_block(text: str, run: Run, first: int, separator: str) -> bool:
    """`_block`, and its sixteen digits a card's (known network, Luhn)."""
    if not _block(text, run, first, separator):
        return False
    checked = _checked(run.digits_of(first, first + 3))
    return checked is not None and checked[0] is not None


def _part_of_longer(text: str, run: Run, first: int, last: int) -> bool:
    """Whether a card's groups of four (`first..last`, one separator) go on in more groups of four joined by the
    same separator ("USPS 9460 4594 1331 7440 4882 54": one number of 22 digits, whose middle may pass Luhn),
    unless the groups they go on into make a card too (a list of cards: "4111 1111 1111 1111 5500 ...").
    Reads at most four groups on each side."""
    if first == last or not _in_fours(text, run, first, last):
        return False
    sizes = run.sizes
    separator = run.separator(text, first)
    if first > 0 and sizes[first - 1] == 4 and run.separator(text, first - 1) == separator \
            and not _card_block(text, run, first - 4, separator) and not _year(text, run, first - 1):
        return True
    return (sizes[last] == 4 and last + 1 < len(sizes) and sizes[last + 1] == 4
            and run.separator(text, last) == separator and not _card_block(text, run, last + 1, separator)
            and not _year(text, run, last + 1))


def _year(text: str, run: Run, group: int) -> bool:
    """Whether group `group`, of four digits, is the year of a date ("4111 ... 1111 2025-11-17": a card, then a
    date, not one longer number)."""
    return in_date(text, run.starts[group], run.starts[group] + 4)


class CardDetector:
    type = "card"

    def detect(self, text: str) -> Iterator[Detection]:
        for run in runs(text, 12):
            if len(run.digits) >= 12:
                yield from self._in_run(text, run)

    def _in_run(self, text: str, run: Run) -> Iterator[Detection]:
        sizes = run.sizes
        count = len(sizes)
        i = 0
        while i < count:
            size = sizes[i]
            if size == 1:  # "4 1 1 1 ...": the whole stretch of single digits, or nothing
                j = run.stretch_end(i)
                if 12 <= j - i <= 19:
                    found = self._judge(text, run, i, j - 1)
                    if found is not None:
                        yield found
                i = j
                continue
            if not 4 <= size <= 19:
                i += 1
                continue
            best: Detection | None = None
            total = 0
            known = candidates(run.digits[run.firsts[i]:run.firsts[i] + 7])
            for j in range(i, count):
                total += sizes[j]
                if total > 19:
                    break
                if total >= 13 or (total == 12 and any(12 in lengths for _, lengths, _ in known)):
                    best = self._judge(text, run, i, j) or best
            if best is None:
                i += 1
                continue
            yield best
            while i < count and run.starts[i] < best.end:
                i += 1

    @staticmethod
    def _judge(text: str, run: Run, first: int, last: int) -> Detection | None:
        charge(run.starts[first])  # a window of 12-19 digits judged as a card
        lone = first == 0 and run.lead == LONE  # glued to one letter alone: judged as if apart from it
        led = first == 0 and bool(run.lead) and not lone  # glued to the word before it: a card word, or nothing
        if led and run.lead != "card":
            return None
        trailed = run.trail and last == len(run.sizes) - 1  # glued to a word after it ("...1111exp")
        window = text[run.starts[first]:run.end_of(last)]
        if unusual(window) and not _in_fours(text, run, first, last):
            return None  # commas, colons, other marks join lists, times, names: a card only in fours ("4111:1111:...")
        digits = run.digits_of(first, last)
        checked = _checked(digits)
        if checked is None:
            return None
        name, needs_context = checked
        if trailed and (name is None or needs_context) and not led:
            return None  # glued to a word after it: a network of its own, or a card word glued before it
        start, end = run.starts[first], run.end_of(last)
        context = before(text, start)
        if wordless(context):
            context = ""
        if digits[0] == "1" and len(digits) in _EPOCH_LENGTHS and found(_TIME_WORDS, context):
            return None
        if needs_context and not found(_CARD_WORDS, context):
            return None
        if context and found(ORDER_LABEL, context) and not found(_CARD_WORDS, context):
            return None  # labelled as an order's, a ticket's, a parcel's number
        if is_identifier(enclosing_token(text, start, end, head=not (led or lone), tail=not trailed)):
            return None
        if last < len(run.sizes) - 1 and not led and found(_IBAN_HEAD, text[max(0, start - 40):start]):
            return None
        if in_date(text, start, end) and not found(_CARD_WORDS, context):
            return None  # runs into a date ("4437 24981 2025-11-17"), unless card words name it
        if _part_of_longer(text, run, first, last) and not found(_CARD_WORDS, context):
            return None  # the middle of a longer number, unless card words name it ("card 4111 ... 1111 1227")
        return Detection("card", start, end, name or "card", 0.95 if first != last or len(run.sizes) == 1 else 0.9,
                         digits)
