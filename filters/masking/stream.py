"""Masking a stream whose values may be split across chunks (SSE events, WS token streams).

Each chunk is emitted except for the smallest tail that could be the start of a value
still arriving ("...card 4111 11" waits for the rest); the tail is bounded by
`hold` characters and flushed, masked, at end of stream. A private key cut off by
the bound is masked and everything up to its footer is dropped.

The held tail is read again with the text that follows it. So that a stream of small
chunks behind a long held tail ("1 1 1 ..." arriving a token at a time) does not read
the same tail once per chunk, a chunk shorter than a quarter of the held tail is only
added to it, until a quarter has arrived or the tail reaches `hold`; the tail a read
leaves is kept to four fifths of `hold`, so there is always room to wait. Each read
then covers at most five times the text that is new to it (besides the 48 characters of
context before the tail).

Text of digits, punctuation and white space alone is no prose anyone reads as it arrives,
and a dense run of it ("01 01 01 ...", random digits) is where reads cost the most: behind a
held tail of such text, chunks of it wait until half of `hold` has arrived, and the read
keeps at most half of `hold`, so each read covers about twice the text it lets out. A
letter (or any other character) ends the wait at once. Likewise after a busy read (one that
examined 6 candidates or more: "x@y.com x@y.com ...", a list of addresses) chunks wait until a
quarter of `hold` has arrived: re-reading the context each time would cost several times the
text. So do reads once each of those over the last 192 new characters found a value
("token: abcdefgh1234 " repeated). Chat with a value or two in a sentence examines fewer
candidates, its values leave the context within 48 characters, and it flows as before.

Candidates (see `filters.masking._quota`) are bounded as a field's are: the stream keeps `max_values`
in reserve and earns them back at `max_values` per 64 KB fed. A read may examine its whole text (context
and held tail included) at the rate the reserve allows for its new part, and takes only the new part's
share from the reserve, so text read twice is paid for once. A read that runs past it lets its text out
at once, masked, the rest as one `[REDACTED]`; from then on the text arriving is withheld unread, in
pieces of half of `hold` (one `[REDACTED]` each), until `_RESUME` candidates are back in reserve; reading
resumes after the word a withheld piece cut off (a token longer than the context would otherwise go out
in part). A stream of nothing but candidates costs about nothing per KB past its reserve.

For a reader allowed to unmask, complete token placeholders in the emitted text are
looked up in the vault and replaced by their originals; a placeholder still arriving at
the end of a chunk ("[CARD tok_3fQ") is held back whole, so it is never sent in two
halves that nobody can unmask. Tokens the vault does not know stay as they are.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Awaitable, Callable

from filters._patterns import each_spans, encodable, spans, text_pattern
from filters._text import Folded
from filters.masking._model import Detection, MaskFinding
from filters.masking._quota import Quota
from filters.masking.engine import WITHHELD, Masker, fold_fast
from filters.masking.iban import LENGTHS
from filters.masking.placeholders import TOKEN_PLACEHOLDER

# The replacement of one value; it reads the value's type, detector and value, not its span (the span is
# where the masker's read found it, not where it sits in the stream).
Placeholder = Callable[[Detection], Awaitable[str]]
# Token placeholders of `text` this reader may see: (start, end, original, type) each.
Unmask = Callable[[str], Awaitable[list[tuple[int, int, str, str]]]]

# Digits, ASCII punctuation and white space: text of nothing else is no prose a reader waits for.
_LETTERLESS = string.digits + string.punctuation + " \t\n\r\x0b\x0c"
_CONTEXT = 48  # characters of emitted text kept so detectors still see the words before a value
_RESUME = 32  # candidates back in reserve from which a withholding stream reads again (see above)
_BUSY = 6  # candidates examined from which a read was a busy one (see above)
_STREAK = 192  # characters read in a row, each read finding a value, after which reads are busy ones
_PIECE = r"[+(]?[0-9A-Za-z().\-/]*\d[0-9A-Za-z().\-/]*"  # one group of a number as written
# Every character `str.isspace` takes: a group starts after one of them (or at the start of the text).
_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
# Groups, each followed by 1-3 spaces or tabs, up to the end of the searched text.
_GROUPS_BEFORE = text_pattern(r"(?:^|" + _SPACE + r")((?:" + _PIECE + r"[ \t]{1,3})+)\z")
# The characters `_KEYWORD_TAIL` allows after its keyword, and every character its keywords may end in as RE2
# reads them case-insensitively (the long s too) or "is" does: what precedes the allowed ones must end in one.
_AFTER_KEYWORD = " \t\"':=>"
_KEYWORD_LAST = frozenset("dDeEsS\u017ftTnNrRyYlL")
_DIGIT = re.compile("[0-9]")
_PIECE_CHARS = string.ascii_letters + string.digits + "()./-"  # the characters of `_PIECE` after its sign
_KEYWORD_TAIL = text_pattern(
    r"(?i:password|passwd|pwd|passphrase|pass|secret|api[_\-]?key|apikey|token|bearer|key|credentials?)"
    r"[\"']?[ \t]{0,4}(?::|=|=>|:=|is)?[ \t]{0,4}[\"']?$")
# The start of an IBAN (a country code and check digits) followed to the end by what its body may hold.
_IBAN_SEP = r"[ \t\r\n\x0b\x0c\x{85}\x{2028}\x{2029},\-\x{2010}-\x{2015}]{0,3}"  # as `iban._SEP`
_IBAN_TAIL = text_pattern(r"(?:\b|(?i:iban)_?)(?i:" + "|".join(sorted(LENGTHS)) + r")\d\d(?:" + _IBAN_SEP + r"[0-9A-Za-z]){0,30}"
                          + _IBAN_SEP + r"\z")
_IBAN_REACH = 4 * 34  # characters back an IBAN still arriving may start (three separators between characters)
# Every unfinished prefix of a token placeholder, anchored at the end of the text.
_TOKEN_START = text_pattern(r"\[(?:[A-Z][A-Z0-9_]{0,31}(?: (?:t(?:o(?:k(?:_[A-Za-z0-9_\-]{0,22})?)?)?)?)?)?\z")
_TOKEN_LONGEST = 61  # "[" + 32-character type + " " + "tok_" + 22 + "]"
_PEM_FOOTER = text_pattern(r"-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_PEM_HEADER = text_pattern(r"-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----")


class StreamMasker:
    """One per stream, fed in order; never shared between streams."""

    def __init__(self, masker: Masker, placeholder: Placeholder, hold: int = 512,
                 unmask: Unmask | None = None) -> None:
        self._masker = masker
        self._placeholder = placeholder
        self._unmask = unmask
        self._hold = hold
        self._buffer = ""
        self._plain = True  # whether the buffer is `_LETTERLESS` text alone (kept as it changes, not re-read per chunk)
        self._context = ""
        self._offset = 0  # stream position of the buffer's first character
        self._in_key = False
        # Candidates the stream may still have examined in new text (see above): `max_values` at first,
        # topped up by what the text fed earns (`max_values` per 64 KB), never more than that in reserve.
        self._reserve: float = masker.max_values  # a read takes its new text's share, a fraction (see `_emit`)
        self._fed = 0  # characters fed so far (earnings are counted on the total: a small chunk earns a part)
        self._earned = 0  # what they earned
        self._quota = Quota(0)
        self._withholding = False  # past the reserve: text is withheld without a read (see above)
        self._unread = 0  # characters at the end of the buffer no read has seen yet
        self._streak = 0  # characters new to the reads since one found no value (see above)
        self._busy = False  # whether the last read examined many candidates (see above)
        self.findings: list[MaskFinding] = []

    @property
    def held(self) -> int:
        """Characters currently held back."""
        return len(self._buffer)

    async def feed(self, chunk: str) -> str:
        """Take the next chunk; return the text that is safe to send now."""
        self._buffer += chunk
        self._plain = self._plain and not chunk.strip(_LETTERLESS)
        self._fed += len(chunk)
        earned = self._masker.allowance(self._fed) - self._earned
        if earned:  # a 16-character chunk earns a candidate about once in four
            self._earned += earned
            self._reserve = min(max(self._masker.max_values, earned), self._reserve + earned)
        if self._withholding:
            return await self._withhold(final=False) if 2 * len(self._buffer) >= self._hold else ""
        self._unread += len(chunk)
        held = len(self._buffer) - self._unread
        if self._busy and 4 * self._unread < self._hold and len(self._buffer) <= self._hold and not self._in_key:
            return ""  # the last read was a busy one: wait for a quarter of the hold (see above)
        if held and len(self._buffer) <= self._hold and not self._in_key:
            if 4 * self._unread < held:
                return ""  # too little new text to read the held tail again for (see above)
            if 2 * self._unread < self._hold and self._plain:
                return ""  # digits and separators behind a held tail: no reader waits on them (see above)
        return await self._emit(final=False)

    async def close(self) -> str:
        """End of stream: the held tail, masked."""
        if self._withholding:
            return await self._withhold(final=True)
        return await self._emit(final=True)

    async def _emit(self, final: bool) -> str:
        if self._in_key:
            self._drop_key_body(final)
            if self._in_key:
                return ""
        text = self._buffer
        base = len(self._context)
        # The read covers `read` characters, `fresh` of them new: it may examine its whole text at the rate
        # the reserve allows for the new part, and only the new part's share is taken from the reserve.
        read, fresh = base + len(text), max(1, self._unread)
        limit = math.ceil(self._reserve * read / fresh)
        quota = self._quota  # one per stream, reads being one after another
        quota.left = limit
        read_text = self._context + text
        # Folded once for the detectors and the tail (`_cut`); ASCII folds to itself, and each finds that alone.
        folded = None if read_text.isascii() else fold_fast(read_text)
        scanned = self._masker.scan(read_text, quota, folded)
        found = [d for d in scanned if d.end > base]
        examined = limit - quota.left  # by the busiest detector (one past the quota where it ran out)
        self._streak = self._streak + self._unread if scanned else 0
        self._busy = examined >= _BUSY or self._streak >= _STREAK
        self._reserve = max(0.0, self._reserve - examined * fresh / max(1, read))
        withheld = bool(found) and found[-1].type == WITHHELD and found[-1].detector == "max_values"
        # Spans in `text`; no `Detection` is built anew (a dense read finds dozens of values, about half of
        # them in the held tail, to be read again): a value let out gives its finding straight from it.
        places = [(max(d.start, base) - base, d.end - base) for d in found]
        cut = len(text) if final or withheld else self._cut(text, places, folded)  # withheld: masked whole now
        if self._unmask is not None and not final:
            held = _token_cut(text, cut, max(0, len(text) - self._hold))
            if all(not start < held < end for start, end in places):  # never split a value
                cut = held
        edits: list[tuple[int, int, str]] = []
        offset = self._offset
        for found_at, (start, end) in zip(found, places, strict=True):
            if end > cut:
                break
            edits.append((start, end, await self._placeholder(found_at)))
            self.findings.append(MaskFinding(found_at.type, start + offset, end + offset, found_at.score,
                                             found_at.detector))
            if found_at.detector == "private_key" and not _PEM_FOOTER.search(text[start:]):
                self._in_key = not final
        if self._unmask is not None and "[" in text[:cut]:
            await self._unmasked(text[:cut], edits)
        out = _apply(text[:cut], sorted(edits)) if edits else text[:cut]
        self._context = (self._context + text[:cut])[-_CONTEXT:]
        self._buffer = text[cut:]
        self._plain = not self._buffer.strip(_LETTERLESS)
        self._offset += cut
        self._unread = 0
        self._withholding = withheld and not final
        if self._withholding:  # a key whose header was withheld: withholding lasts to its footer (`_withhold`)
            self._in_key = _key_open(text, self._in_key)
        return out

    async def _withhold(self, final: bool) -> str:
        """Past the reserve: the text gathered goes out as one `[REDACTED]`, unread, until `_RESUME`
        candidates are back in reserve; then reading resumes after the word a withheld piece cut off."""
        text = self._buffer
        end = len(text)
        if self._reserve >= _RESUME and not self._in_key:  # never inside a key: its body reads as no value
            end = 0 if not text or text[0].isspace() else len(text.split(None, 1)[0])
        out = ""
        if end:
            self._in_key = _key_open(self._context + text[:end], self._in_key)
            piece = Detection(WITHHELD, 0, end, "max_values", 1.0, "")
            out = await self._placeholder(piece)
            self.findings.append(MaskFinding(WITHHELD, self._offset, self._offset + end, 1.0, "max_values"))
            self._context = (self._context + text[:end])[-_CONTEXT:]
            self._offset += end
            self._buffer = text[end:]
        if end == len(text):
            return out
        self._withholding = False
        self._unread = len(self._buffer)
        self._plain = not self._buffer.strip(_LETTERLESS)
        return out + await self._emit(final)

    def _cut(self, text: str, places: list[tuple[int, int]], folded: Folded | None = None) -> int:
        """Where the safe prefix ends: before any possible value start, within the hold bound
        (`places`: the spans of the values found in `text`, in order)."""
        keep = self._hold // 2 if self._plain else self._hold * 4 // 5  # `text` is the buffer: `_plain` says
        floor = max(0, len(text) - keep)  # room to wait for more (see above)
        cut = max(floor, _tail_start(text, floor, folded, len(self._context)) if folded else _tail_start(text, floor))
        for start, end in places:
            if end <= cut:
                continue
            # Hold a value that may still grow; one longer than the bound is masked now.
            cut = min(cut, start) if start >= floor else end
            break
        return cut

    async def _unmasked(self, text: str, edits: list[tuple[int, int, str]]) -> None:
        """Add the originals of permitted tokens in `text` that no detection overlaps."""
        assert self._unmask is not None
        masked = [(start, end) for start, end, _ in edits]
        for start, end, original, kind in await self._unmask(text):
            if all(end <= a or start >= b for a, b in masked):
                edits.append((start, end, original))
                self.findings.append(MaskFinding("unmask:" + kind, start + self._offset,
                                                 end + self._offset, 1.0, "vault"))

    def _drop_key_body(self, final: bool) -> None:
        """After a key cut off by the hold bound: drop its body up to the footer."""
        if not self._in_key:
            return
        self._drop_to_footer(final)
        self._plain = not self._buffer.strip(_LETTERLESS)

    def _drop_to_footer(self, final: bool) -> None:
        footer = _PEM_FOOTER.search(encodable(self._buffer))
        if footer is not None:
            end = spans(footer)[0][1]
            self._offset += end
            self._buffer = self._buffer[end:]
            self._in_key = False
        elif final:
            self._offset += len(self._buffer)
            self._buffer = ""
            self._in_key = False
        else:
            keep = min(len(self._buffer), 64)  # a footer may be split across chunks
            self._offset += len(self._buffer) - keep
            self._buffer = self._buffer[len(self._buffer) - keep:]


def _key_open(text: str, was: bool) -> bool:
    """Whether a private key is still open after `text`: its last header has no footer after it (`was`:
    whether one was open before `text`, which holds neither)."""
    view = encodable(fold_fast(text).text)
    header = max((found[0][0] for found in each_spans(_PEM_HEADER, view)), default=-1)
    footer = max((found[0][0] for found in each_spans(_PEM_FOOTER, view)), default=-1)
    return was if header == footer else header > footer


def _tail_start(text: str, floor: int = 0, folded: Folded | None = None, base: int = 0) -> int:
    """Start of the shortest suffix that could be the beginning of a value (not looking before `floor`).

    `folded`: `fold_fast` of the read's whole text, `text` from `base` in it (folding goes character by
    character, so `text`'s own fold is its end), to fold long held text once per read, not twice."""
    folded_base = 0
    if folded is None and text.isascii():
        view = text  # folds to itself
    else:
        if folded is None:
            folded, base = fold_fast(text), 0
        folded_base = base if folded.original is folded.text else len(fold_fast(folded.original[:base]).text)
        view = encodable(folded.text[folded_base:])
    start = len(view)
    # The last word (no trailing space): an email, key, JWT, card without separators...
    if start > floor and not view[-1].isspace():
        start -= len(view[max(0, floor):].rsplit(None, 1)[-1])
    # Grouped numbers before it: "4111 1111 11", "DE89 3704", "+1 (555) 12", found by one RE2 search
    # for the longest run of such groups ending there (a Python step per group made a long held run
    # of them the costliest part of a chunk); not looking before the group that reaches `floor`.
    # (RE2's spans are read straight: a search through the wrapper cost more than the rest of a chunk.)
    # Each search runs only where its match could end: most reads of prose end in a word with no digit and
    # no keyword before it, and the three searches were most of such a read (see `_may_end_groups`).
    if start > floor and _may_end_groups(view, start):
        found = next(each_spans(_GROUPS_BEFORE, view[:start]), None)
        if found is not None:
            start = max(found[1][0], _group_at(view, floor, found[1][0], start))
    window = max(0, start - 48)
    if view[window:].rstrip(_AFTER_KEYWORD)[-1:] in _KEYWORD_LAST:
        keyword = next(each_spans(_KEYWORD_TAIL, view[window:]), None)
        if keyword is not None:
            start = min(start, window + keyword[0][0])
    # An IBAN still arriving: its letter groups ("GB82 WEST 12") are no groups of a number above.
    window = max(0, len(view) - _IBAN_REACH)
    if _DIGIT.search(view, window) is not None:  # its check digits
        iban = next(each_spans(_IBAN_TAIL, view[window:]), None)
        if iban is not None:
            start = min(start, window + iban[0][0])
    begin = view.rfind("-----BEGIN")
    if begin >= 0 and not _PEM_FOOTER.search(view[begin:]):
        start = min(start, begin)
    if start >= len(view):
        return len(text)
    return start if folded is None else folded.index(folded_base + start) - base


def _may_end_groups(view: str, end: int) -> bool:
    """Whether `_GROUPS_BEFORE` could match `view[:end]`: it must end in spaces or tabs after a group, and
    that group, a run of `_PIECE`'s characters ending there, holds a digit (never False where it matches)."""
    head = view[:end]
    body = head.rstrip(" \t")
    if len(body) == len(head):
        return False
    return _DIGIT.search(body, len(body.rstrip(_PIECE_CHARS))) is not None


def _group_at(view: str, floor: int, first: int, end: int) -> int:
    """Among groups from `first` to `end` (separated by spaces and tabs), the start of the last one
    that starts at or before `floor` (`first` when none does; `end` when `floor` is past it)."""
    if floor >= end:
        return end
    if floor <= first:
        return first
    if view[floor] not in " \t" and view[floor - 1] in " \t":
        return floor  # a group starts at `floor` itself
    last = first + len(view[first:floor].rstrip(" \t"))  # past the last group character before `floor`
    return max(view.rfind(" ", first, last), view.rfind("\t", first, last)) + 1 or first


def _token_cut(text: str, cut: int, floor: int) -> int:
    """Move `cut` back to the start of a token placeholder it would split, within the bound."""
    window = max(0, cut - _TOKEN_LONGEST)
    begin = text.rfind("[", window, cut)
    if begin < floor or begin < 0:
        return cut
    piece = encodable(text[begin:begin + _TOKEN_LONGEST + 1])
    whole = TOKEN_PLACEHOLDER.match(piece)
    if whole is not None:
        return begin if begin + spans(whole)[0][1] > cut else cut
    unfinished = len(text) - begin <= _TOKEN_LONGEST and _TOKEN_START.match(encodable(text[begin:]))
    return begin if unfinished else cut


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces = []
    position = 0
    for start, end, replacement in edits:
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
