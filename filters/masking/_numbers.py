"""Digit runs: groups of digits joined by separators, as people type numbers.

Cards, SSNs and other numeric values are looked for inside these runs, group-aligned,
so that "4111 1111-1111.1111" (mixed separators), "4111–1111–1111–1111" (en dashes),
a number broken across a line and "4111111111111111" are the same thing.

Cost: one RE2 pass finds the runs; each run is split into groups with `str.translate`
and `str.split` (C loops), so callers walk a list of group sizes, never characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import accumulate, compress

from filters._patterns import each_spans, text_pattern
from filters.masking._context import LONE, glued_after, glued_before, glued_word, lead_kind, trailing_word
from filters.masking._quota import WALK, charge

# What people put between digit groups: spaces and tabs (folding made every space a
# plain one), line breaks (the Unicode ones and vertical tabs and form feeds too, which folding keeps),
# dots, slashes, and every dash and minus sign (`USUAL`); and any other mark of ASCII, Latin-1 and the General
# Punctuation block, a punctuation mark or a symbol (commas, colons, underscores, ";", "|", "+", "·", "•", "'",
# "~"...; not brackets and quotation marks, which enclose, never part), which joins other things more
# often than a value's groups and so counts only between a value's own groups, the same mark throughout
# ("4111:1111:1111:1111", "123|45|6789": see `cards`, `national_ids` and `unusual`).
USUAL = " \t\r\n\x0b\x0c\x85\u2028\u2029./-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2215\ufe58\ufe63"
# The marks beyond `USUAL`, as RE2 source inside a class: ASCII's but brackets and '"', Latin-1's but the
# guillemets, and the General Punctuation block's but its quotation marks and brackets.
MARKS = (r"!#-'*-/:-@\\^-`|~\x{a1}-\x{aa}\x{ac}-\x{ba}\x{bc}-\x{bf}\x{d7}\x{f7}"
          r"\x{2010}-\x{2017}\x{2020}-\x{2038}\x{203b}-\x{2044}\x{2047}-\x{205e}\x{2212}\x{2215}\x{fe58}\x{fe63}")
_SEP_CLASS = "[ \\t\\r\\n\\x0b\\x0c\\x{85}\\x{2028}\\x{2029}" + MARKS + "]"
# Runs of at least 9 and 12 digits (SSNs, cards): RE2, and a digit never matches a separator,
# so a message of short numbers ("1:1:1", "+1 +1") yields no match at all.
_RUNS = {
    count: text_pattern(r"\d(?:" + _SEP_CLASS + r"{0,3}\d){" + str(count - 1) + r",}")
    for count in (9, 12)
}
_PLUS_ONE = (1).__add__
_ONE = (1).__eq__
# A run holds digits and separators only (`_RUNS`): everything but a digit becomes a space. The table lists
# every ASCII character and the usual separators; a mark it does not list is found by `_spaced_out`.
_TO_SPACE = str.maketrans({**{chr(c): " " for c in range(128) if not chr(c).isdigit()}, **dict.fromkeys(USUAL, " ")})
_TO_SPACE_BYTES = bytes(c if 48 <= c <= 57 else 32 for c in range(256))
_DROP_USUAL = str.maketrans(dict.fromkeys(USUAL))


def _spaced_out(body: str) -> str:
    """`body` (digits and separators) with every separator a space."""
    spaced = body.translate(_TO_SPACE)
    if spaced.isascii():
        return spaced
    return "".join(c if "0" <= c <= "9" else " " for c in spaced)  # a mark no table lists: rare


def unusual(window: str) -> bool:
    """Whether a mark other than the usual separators (`USUAL`) stands between the digits of `window`."""
    return not window.translate(_DROP_USUAL).isdigit()


@dataclass(frozen=True, slots=True)
class Run:
    """One run: `starts[i]`/`sizes[i]` are the text offset and digit count of group i;
    `digits` holds all its digits, group i's at `digits[firsts[i]:firsts[i] + sizes[i]]`.

    `lead`: the kind of value ("card", "ssn") named by the ASCII word group 0 is glued to ("card4111..."),
    "" when it is glued to none, `LONE` when to a letter alone ("a4111...": judged as if apart, that letter
    no part of the value's token); `trail`: the last group is glued to a word that is no hex ("...1111exp")
    or to one letter alone ("078051120x")."""

    starts: tuple[int, ...]
    sizes: tuple[int, ...]
    firsts: tuple[int, ...]
    digits: str
    singles: bytes  # 1 where group i is a single digit, else 0 (found by `bytes.find`, in C)
    lead: str = ""
    trail: bool = False

    @property
    def start(self) -> int:
        return self.starts[0]

    @property
    def end(self) -> int:
        return self.starts[-1] + self.sizes[-1]

    @property
    def groups(self) -> tuple[tuple[int, int], ...]:
        return tuple((s, s + n) for s, n in zip(self.starts, self.sizes, strict=True))

    def end_of(self, index: int) -> int:
        return self.starts[index] + self.sizes[index]

    def digits_of(self, first: int, last: int) -> str:
        """The digits of groups `first..last` (inclusive)."""
        return self.digits[self.firsts[first]:self.firsts[last] + self.sizes[last]]

    def stretch_end(self, index: int) -> int:
        """One past the last group of the stretch of single-digit groups starting at `index`."""
        end = self.singles.find(0, index)
        return len(self.sizes) if end < 0 else end

    def separator(self, text: str, index: int) -> str:
        """What stands between group `index` and the next one."""
        return text[self.end_of(index):self.starts[index + 1]]


def _split(text: str, start: int, end: int) -> Run | None:
    count, cost, run = _read(text, start, end)
    charge(start, cost)  # the run, and the walk over its groups
    return run


def _read(text: str, start: int, end: int) -> tuple[int, int, Run | None]:
    """The run matched at `text[start:end]`: (its digits, the candidates its reading costs, the run or None
    when every group is glued to a word)."""
    body = text[start:end]
    if body.isascii():  # bytes.translate: a 256-byte table, far cheaper on a short run than str's dict
        groups = body.encode().translate(_TO_SPACE_BYTES).split(b" ")
        lengths = list(map(len, groups))  # 0 between two separators
        digits = b"".join(groups).decode()
    else:
        pieces = _spaced_out(body).split(" ")
        lengths = list(map(len, pieces))
        digits = "".join(pieces)
    sizes = list(filter(None, lengths))
    count, cost = len(digits), 1 + len(sizes) // WALK
    # C iterators, not a Python loop per group: a run may hold tens of thousands of groups.
    starts = list(compress(accumulate(map(_PLUS_ONE, lengths), initial=start), lengths))
    firsts = list(accumulate(sizes, initial=0))
    firsts.pop()
    # A group glued to an ASCII letter belongs to a word ("ORD4111...", "4111abc") and is dropped, unless
    # the word names a kind of value ("card4111...", "ssn123-45-6789": only that kind may start there) or,
    # after the run, cannot be hex ("...1111exp"); the detectors judge those groups more strictly.
    drop_first = start > 0 and glued_before(text, start)
    drop_last = end < len(text) and glued_after(text, end)
    lead = ""
    if drop_first:
        word = glued_word(text, start)
        # One letter alone names nothing; with a word glued after the run too ("a4111...b"), all is one token.
        lead = LONE if len(word) == 1 and word != "_" and not drop_last else lead_kind(word)
        drop_first = not lead
    trail = drop_last and trailing_word(text, end)
    drop_last = drop_last and not trail
    if drop_first or drop_last:
        low = 1 if drop_first else 0
        high = len(starts) - (1 if drop_last else 0)
        if low >= high:
            return count, cost, None
        base = firsts[low]
        digits = digits[base:firsts[high - 1] + sizes[high - 1]]
        starts, sizes = starts[low:high], sizes[low:high]
        firsts = [f - base for f in firsts[low:high]]
    return count, cost, Run(tuple(starts), tuple(sizes), tuple(firsts), digits, bytes(map(_ONE, sizes)), lead, trail)


# The runs of each text the engine is scanning, read once for the card and the SSN detectors (`runs`): set by
# the engine around one scan, so nothing outlives it and concurrent scans each see their own.
shared: ContextVar[dict[str, tuple[tuple[int, int, int, Run | None], ...]] | None] = ContextVar(
    "masking_runs", default=None)


def runs(text: str, at_least: int) -> Iterator[Run]:
    """Every digit run of `text` with `at_least` (9 or 12) digits; ASCII digits: detectors see folded text.

    Digits glued to CJK or other scripts are kept: "卡号4111111111111111" is a card.

    Within a scan (`shared`) the runs of 9 digits or more are read once: those of 12 or more are the same
    matches (a match of 12 starts where the match of 9 around it starts and ends where it ends, as the
    property test checks), each charged to the quota of the detector reading it as it is taken.
    """
    memo = shared.get()
    if memo is None:
        for (start, end), *_ in each_spans(_RUNS[at_least], text):
            run = _split(text, start, end)
            if run is not None:
                yield run
        return
    read = memo.get(text)
    if read is None:
        read = memo[text] = tuple((start, *_read(text, start, end)) for (start, end), *_ in each_spans(_RUNS[9], text))
    for start, count, cost, run in read:
        if count >= at_least:
            charge(start, cost)
            if run is not None:
                yield run


# A calendar date, year first or last, its three parts joined by one mark ("2025-11-17", "17.11.2025"). A window
# of digits that takes in part of one ("4437 24981 2025" of "... 2025-11-17": an id beside a date, sent in
# sibling fields or written in a log line) runs into a date, not to a value's end (a card's, a phone's, an SSN's).
_MONTH, _DAY, _YEAR = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:19|20)[0-9]{2}"
_DATE = text_pattern(r"(?:^|[^0-9])(" + "|".join(
    f"{_YEAR}{mark}{_MONTH}{mark}{_DAY}|{_DAY}{mark}{_MONTH}{mark}{_YEAR}" for mark in (r"\-", "/", r"\.")) + r")(?:[^0-9]|$)")


def in_date(text: str, start: int, end: int) -> bool:
    """Whether a calendar date (`_DATE`) overlaps `start..end`; a date is at most ten characters, so only that
    much on each side is read."""
    offset = max(0, start - 11)
    for match in _DATE.finditer(text[offset:end + 11]):
        first, last = match.span(1)
        if first + offset < end and start < last + offset:
            return True
    return False


def digits_of(text: str, groups: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    return "".join(text[a:b] for a, b in groups)


_DOUBLED = str.maketrans("0123456789", "0246813579")  # the digit sum of 2*d


def luhn(digits: str) -> bool:
    """The Luhn mod-10 check used by payment cards (C loops: no per-digit Python work)."""
    plain = digits[-1::-2].encode()
    doubled = digits[-2::-2].translate(_DOUBLED).encode()
    return (sum(plain) + sum(doubled) - 48 * len(digits)) % 10 == 0
