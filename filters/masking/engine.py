"""Detection over one text: fold, pre-check, run detectors, resolve overlaps, map back.

Most chat messages hold nothing sensitive, so one linear-time RE2 pass over the
folded text (an RE2 set of every enabled detector's gate) decides first which
built-in detectors could fire at all; only those run. Folding is skipped for text whose every character is known to fold
to itself, which is all ASCII text and most accented, CJK or emoji chat.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from operator import attrgetter
from typing import Any

import re2
from re2 import _re2

from filters._patterns import Pattern, byte_pattern, encodable
from filters._patterns import found as occurs
from filters._text import _REPLACED, Folded, fold_char
from filters.masking._escapes import EMPHASIS_GATE, FIELD_BOUNDARY, INLINE_TAGS, SPELT_GATE, unescaped
from filters.masking._model import Detection, Detector
from filters.masking._numbers import shared
from filters.masking._quota import Overflow, Quota, current
from filters.masking.cards import CardDetector
from filters.masking.email import EmailDetector
from filters.masking.iban import LENGTHS, IBANDetector
from filters.masking.id_schemes import SCHEME_GATE
from filters.masking.national_ids import ID_GATE, SSNDetector
from filters.masking.network import IPDetector
from filters.masking.phone import PhoneDetector
from filters.masking.secrets import (
    APART_RUN,
    APART_RUNS,
    KEYWORDS,
    LITERALS,
    SCREENS,
    WORD_KEYWORDS,
    SecretDetector,
)

BUILTIN: Mapping[str, Detector] = {
    "secret": SecretDetector(),
    "card": CardDetector(),
    "iban": IBANDetector(),
    "ssn": SSNDetector(),
    "email": EmailDetector(),
    "phone": PhoneDetector(),
    "ip": IPDetector(),
}
# A separator between digits, as UTF-8 bytes: a space, a tab or a line break, any ASCII punctuation mark or
# symbol, or any character beyond ASCII (the dashes, line separators, "·", "•"...: `_numbers.USUAL` and every
# mark of Unicode, which the detectors read).
_NUMBER_SEP = "[ \\t\\r\\n\\x0b\\x0c!-/:-@\\[-`{-~]|[\\xc2-\\xf4][\\x80-\\xbf]{1,3}"
_IBAN_SEP = "(?:[ \\t\\r\\n\\x0b\\x0c!-/:-@\\[-`{-~]|[\\xc2-\\xf4][\\x80-\\xbf]{1,3}){0,3}"
_SECRET_WORDS = ("|".join(re.escape(literal) for literal in LITERALS)
                 + "|(?i:" + "|".join(re.escape(keyword) for keyword in KEYWORDS) + ")"
                 + "|(?i:" + "|".join(WORD_KEYWORDS) + ")")
# What each gate needs at the least, as RE2 source over UTF-8 bytes; their union is the pre-screen.
_SCREEN: Mapping[str, str] = {
    # 7+ digits, separators allowed: the least any numeric value needs (the shortest phone number).
    "numeric": f"\\d(?:(?:{_NUMBER_SEP}){{1,3}}\\d|\\d){{6}}",
    "email": "@|\\xef\\xbc\\xa0",  # "@" or the full-width one before folding
    "ip": r"::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:|\d\.\d{1,3}\.\d{1,3}\.\d",
    # A country code, two check digits, four more: IBANs whose account part is mostly letters.
    "iban": r"(?:\b|(?i:iban)_?)(?i:" + "|".join(sorted(LENGTHS)) + r")" + _IBAN_SEP + r"\d" + _IBAN_SEP + r"\d"
    + _IBAN_SEP + r"[0-9A-Za-z]{2}",
    "secret": _SECRET_WORDS + "|" + "|".join(SCREENS),
}
# Per-detector gates on the folded text's bytes: cheap, and never stricter than the detector.
_GATE_SOURCES: Mapping[str, str] = {
    "card": f"\\d(?:(?:{_NUMBER_SEP}){{1,3}}\\d|\\d){{11}}",
    # 9 digits, or a word that names an identity number or its scheme (`national_ids.ID_GATE`,
    # `id_schemes.SCHEME_GATE`; the screen asks for 7 digits): 7 digits alone would send every text with a phone
    # number to the SSN detector's identity reading.
    "ssn": f"\\d(?:(?:{_NUMBER_SEP}){{1,3}}\\d|\\d){{8}}|" + ID_GATE + "|" + SCHEME_GATE,
    "phone": f"\\d(?:(?:{_NUMBER_SEP}){{1,3}}\\d|\\d){{6}}",
    # A country code and its check digits (the screen's own "iban" part or 7+ digits passed too).
    "iban": r"(?:\b|(?i:iban)_?)(?i:" + "|".join(sorted(LENGTHS)) + r")" + _IBAN_SEP + r"\d" + _IBAN_SEP + r"\d",
    "email": "@",
    "ip": _SCREEN["ip"],
    "secret": _SCREEN["secret"],
}
_GATES: Mapping[str, Pattern] = {name: byte_pattern(source) for name, source in _GATE_SOURCES.items()}
# The secret gate's parts that count a run standing apart (`secrets.APART_RUNS`: 16 letters and digits after a head or
# in dotted parts, 32 alone) are one pattern of the set in a weaker form, 16 token characters standing apart
# (`secrets.APART_RUN`): one count where there were three. Beside each other and the numeric gates' counts they
# multiplied the states of the set's automaton, which RE2 builds as it reads text it has not seen: a new process paid
# for them on most of the first lines it read (the set over the masking benchmark's 20,000 validation lines, read
# once: 82 ms of CPU, 57 with the weaker form, 37 when read again), and the run of 32 on long random text (1 MB of
# random base64: 708 -> 353 CPU us per KB once it left the set). Where only the weaker form passes, the parts are
# searched for one by one, each on its own; a text with a key word's stem or a token's head does not need them.
_APART = "apart"
_APART_GATES = tuple(byte_pattern(run) for run in APART_RUNS)
_SECRET_SET = _SECRET_WORDS + "|" + "|".join(screen for screen in SCREENS if screen not in APART_RUNS)
# Where an escape may stand (see `filters.masking._escapes`): one more pattern of the gates' RE2 set, so that
# a text without one is read once, at no cost of its own. Never stricter than `_escapes._ESCAPE`.
ESCAPED = "escaped"
_ESCAPE_SOURCE = (r"%[0-9A-Fa-f]{2}|&#?[A-Za-z0-9]+;|\\[nrtfvux/\"'\\]|[0-9A-Za-z]\+[0-9A-Za-z%]"
                  r"|[(\[{<][ \t]?(?i:at|dot)[ \t]?[)\]}>]|</?" + INLINE_TAGS + r"[ \t>]"
                  r"|" + FIELD_BOUNDARY  # between two JSON string values
                  + r"|" + EMPHASIS_GATE  # markdown marks around a group of a value
                  + r"|" + SPELT_GATE)  # an address spelt out in words
_ESCAPE_GATE = byte_pattern(_ESCAPE_SOURCE)
_NUMERIC = frozenset({"card", "ssn", "phone"})
_JOINED = frozenset({"card", "ssn", "phone", "iban"})  # the types read across JSON fields (see `_parted`)
_NONE: frozenset[str] = frozenset()
_ESCAPED_ONLY = frozenset({"escaped"})
_START = attrgetter("start")
_SET_CHECKED = 4096  # bytes from which an empty answer of the gate set is confirmed
MAX_VALUES = 1000  # candidate values examined per field (and per 64 KB of a longer one), by each detector
_PER = 65536  # characters a field's quota is given for
WITHHELD = "redacted"  # the type of the span a field is withheld from once its quota runs out


def screen_for(names: Sequence[str]) -> Pattern | None:
    """One pattern matching wherever any gate of `names` could pass; None when none is enabled."""
    parts = {("numeric" if name in _NUMERIC else name) for name in names}
    if "iban" in parts:
        parts.add("numeric")  # most IBANs pass on their digits; the "iban" part catches the rest
    if not parts:
        return None
    return byte_pattern("|".join(f"(?:{_SCREEN[part]})" for part in sorted(parts)))


def _gate(name: str, raw: bytes) -> bool:
    """Whether detector `name` could fire at all on the folded text whose UTF-8 bytes are `raw`."""
    gate = _GATES.get(name)
    return gate is None or occurs(gate, raw)


def _compiled_set(labels: Sequence[str], sources: Mapping[str, str]) -> Any:
    """An RE2 set of the sources of `labels`, in that order; None when it cannot be built."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 32 << 20
    options.encoding = re2.Options.Encoding.LATIN1
    matcher = _re2.Set(_re2.RE2.Anchor.UNANCHORED, options)
    for label in labels:
        matcher.Add(sources[label].encode())
    return matcher if matcher.Compile() else None


class Gates:
    """Which of the enabled built-in detectors could fire on a text, from one RE2 pass.

    Every gate (and the screen parts the IBAN gate depends on) is one pattern of an RE2 set,
    so a message is read once whatever the number of detectors; the answer is the same as
    the screen followed by `_gate` for each detector. A set that cannot be built is caught at
    construction by a self-check, leaving the one-pattern-at-a-time path; an empty answer on
    a long text is confirmed that way too (a set that runs out of automaton memory answers
    "none" rather than fail)."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = tuple(names)
        labels = [*self._names, ESCAPED]
        if "iban" in labels:
            labels += ["iban-screen", "numeric"]
        if "secret" in labels:
            labels.append(_APART)  # the secret gate's runs standing apart, in their weaker form (see `_APART`)
        sources = {**_GATE_SOURCES, "secret": _SECRET_SET, _APART: APART_RUN, "iban-screen": _SCREEN["iban"],
                   "numeric": _SCREEN["numeric"], ESCAPED: _ESCAPE_SOURCE}
        self._labels = tuple(labels)
        self._screen = screen_for(self._names)
        self._set = _compiled_set(labels, sources)
        if self._set is not None and not self._sound():
            self._set = None

    def _sound(self) -> bool:
        """Each gate seen passing on a sample that must pass it."""
        samples = {"card": b"4111 1111 1111 1111", "ssn": b"123-45-6789", "phone": b"555 0100 12",
                   "iban": b"DE89 3704 0044 0532 0130 00", "email": b"a@b.example", "ip": b"10.0.0.1",
                   "secret": b"password: x"}
        return (all(name in self.passing(samples[name]) for name in self._names)
                and ESCAPED in self.passing(b"4111%201111"))

    def passing(self, raw: bytes) -> frozenset[str]:
        """The names of the detectors whose gate `raw` (the folded text's UTF-8 bytes) passes, and `ESCAPED`
        where an escape may stand."""
        if self._set is None:
            return self._one_by_one(raw)
        matched = self._set.Match(raw)
        if not matched:  # most chat: no gate passes, and nothing more is built
            # An RE2 set answers "none" when its automaton ran out of memory, which only a long,
            # hostile text could cause: a long text is confirmed by the screen, which falls back
            # to a slower matcher instead of giving up, so no value is let through unexamined.
            return self._one_by_one(raw) if len(raw) > _SET_CHECKED else _NONE
        hits = {self._labels[i] for i in matched}
        if _APART in hits:
            hits.remove(_APART)
            if "secret" not in hits and any(occurs(gate, raw) for gate in _APART_GATES):
                hits.add("secret")
            if not hits:
                return _NONE  # the set was read through (it passed the weaker form): no gate passes
        escaped = ESCAPED in hits
        if hits.issubset(("iban", ESCAPED)):  # its gate alone: the screen (the other parts) must pass too
            return _ESCAPED_ONLY if escaped else _NONE
        names = hits.intersection(self._names)
        return frozenset((*names, ESCAPED) if escaped else names)

    def _one_by_one(self, raw: bytes) -> frozenset[str]:
        escaped = (ESCAPED,) if occurs(_ESCAPE_GATE, raw) else ()
        if self._screen is None or not occurs(self._screen, raw):
            return frozenset(escaped)
        return frozenset((*(name for name in self._names if _gate(name, raw)), *escaped))


# Non-ASCII characters that fold to themselves (accents, CJK, most emoji), learnt as they
# are seen, so that text made only of them skips `fold`; bounded against hostile variety.
_INERT: set[str] = {chr(code) for code in range(128)}
_INERT_MAX = 1 << 16
# Characters seen that fold to something else, learnt likewise: what each folds to (`_FOLDS`), as one
# `str.translate` table for every text (`_TABLE`), and the widths of those that do not fold to one
# character (`_WIDTHS`). A text of mixed scripts (a stream reads its held tail again) then costs one
# `translate`, not a fold and a table of its own. Written table first, so a reader on another thread that
# finds a character in `_FOLDS` finds it in the table too.
_FOLDS: dict[str, str] = {}
_FOLDS_MAX = 1 << 16
_FOLDING: set[str] = set()  # the keys of `_FOLDS` as a set: `set.isdisjoint` walks a dict argument whole
_TABLE: dict[int, str] = {}
_WIDTHS: dict[str, int] = {}
_WIDE: set[str] = set()  # the keys of `_WIDTHS`, likewise
_NO_WIDTHS: dict[str, int] = {}


def fold_fast(text: str) -> Folded:
    """`fold(text)`, short-cut when every character is known to fold to itself.

    Otherwise each distinct character is folded once per process (bounded; past the bound, once per
    call) and the text is rewritten by `str.translate`; the map back to the original is built only if
    a span needs it (see `Folded`), so a message of invisible or unusual characters costs what plain
    text does."""
    if text.isascii() or _INERT.issuperset(text):  # every ASCII character is in `_INERT`
        return Folded(text, text, None)
    rest = set(text).difference(_INERT)
    unlearnt: dict[str, str] = {}
    for char in rest.difference(_FOLDING):
        # `fold(char).text` without `fold`'s set-up per character, which was most of a read of mixed
        # scripts in a stream of small pieces.
        folded = fold_char(char)
        if folded == char:
            if len(_INERT) < _INERT_MAX:
                _INERT.add(char)
        elif len(_FOLDS) < _FOLDS_MAX:
            if len(folded) != 1:
                _WIDTHS[char] = len(folded)
                _WIDE.add(char)
            _TABLE[ord(char)] = folded
            _FOLDS[char] = folded
            _FOLDING.add(char)
        else:
            unlearnt[char] = folded
    if unlearnt:  # past the bound: this text's own table
        changed = {char: _FOLDS[char] for char in rest.intersection(_FOLDING)} | unlearnt
        rewritten = text.translate({ord(char): folded for char, folded in changed.items()})
        return Folded(text, rewritten, None, {char: len(folded) for char, folded in changed.items() if len(folded) != 1})
    here = rest.intersection(_FOLDING)
    if not here:
        return Folded(text, text, None)
    if len(here) <= _REPLACED and set("".join(_FOLDS[char] for char in here)).isdisjoint(here):
        rewritten = text
        for char in here:  # one C scan each: `translate` looks every character up in a dict (see `CharMap`)
            rewritten = rewritten.replace(char, _FOLDS[char])
    else:
        rewritten = text.translate(_TABLE)
    # The shared widths answer for every character of `text` (those it lacks fold to one character).
    return Folded(text, rewritten, None, _NO_WIDTHS if here.isdisjoint(_WIDE) else _WIDTHS)


class Masker:
    """Finds sensitive values in text; immutable once built, shared by every message."""

    def __init__(self, builtin: Sequence[str], custom: Sequence[Detector] = (),
                 detectors: Mapping[str, Detector] | None = None, max_values: int = MAX_VALUES) -> None:
        """`detectors` replaces built-in detectors by name (configured instances); `max_values`
        bounds the candidates examined per scanned text (see `filters.masking._quota`)."""
        self.max_values = max_values
        chosen = {**BUILTIN, **(detectors or {})}
        self._builtin = tuple(chosen[name] for name in BUILTIN if name in builtin)
        self._names = tuple((name, chosen[name]) for name in BUILTIN if name in builtin)
        self._custom = tuple(custom)
        order = [*BUILTIN, *(d.type for d in custom)]
        self._priority = {name: i for i, name in enumerate(order)}
        self._gates = Gates([name for name, _ in self._names])

    @property
    def types(self) -> frozenset[str]:
        return frozenset(d.type for d in (*self._builtin, *self._custom))

    def allowance(self, chars: int) -> int:
        """Candidates `chars` characters of a long field or a stream earn: `max_values` per 64 KB."""
        return chars * self.max_values // _PER

    def scan(self, text: str, quota: Quota | None = None, folded: Folded | None = None, *,
             unescape: bool = True) -> list[Detection]:
        """Non-overlapping detections, in order, with spans in `text` itself.

        `quota` bounds the candidates examined (default: `max_values`, or more for a text
        longer than 64 KB); past it the rest of the text is one `redacted` detection. `folded`:
        `fold_fast(text)` when the caller has it already (a stream reads its tail from it too).

        A text holding escapes (URL, HTML, JSON: see `filters.masking._escapes`) is read a second
        time with them undone, under a quota of its own as large, and what either reading finds is
        kept (the longer of two overlapping values)."""
        given = None if quota is None else quota.left
        # Text known to fold to itself (all ASCII, most chat) needs no `Folded` at all. `isascii` reads a
        # flag the string carries; `issuperset` looks each character up (2-3 µs for a chat message).
        if folded is None:
            folded = None if text.isascii() or _INERT.issuperset(text) else fold_fast(text)
        view = encodable(text if folded is None else folded.text)
        raw = view.encode()
        passing = self._gates.passing(raw)
        if not passing and not self._custom:
            return []
        escaped = unescape and ESCAPED in passing
        if escaped and len(passing) == 1 and not self._custom:
            return self._unescaped(text, [], quota, given)
        chosen = [detector for name, detector in self._names if name in passing] + list(self._custom)
        found: list[Detection] = []
        cut = len(view)
        if quota is None:
            quota = Quota(max(self.max_values, self.allowance(len(view))))
        # Each detector gets the whole quota: detectors run one after another, so with one shared
        # quota a later detector would run out at its first candidate, near the start of a text the
        # earlier ones had used up, and withhold values that were well within the bound.
        budget = lowest = quota.left
        shared_runs = shared.set({})  # the digit runs, read once for the detectors that walk them
        try:
            for detector in chosen:
                own = Quota(budget)
                token = current.set(own)
                try:
                    for detection in detector.detect(view):
                        found.append(detection)
                except Overflow as over:
                    cut = min(cut, over.at)
                finally:
                    current.reset(token)
                lowest = min(lowest, own.left)
        finally:
            shared.reset(shared_runs)
        quota.left = lowest  # what the busiest detector left (a stream's reserve shrinks by that)
        if not found and cut == len(view):
            return self._unescaped(text, [], quota, given) if escaped else []
        kept = self._resolve(found)
        if cut < len(view):
            kept = _withhold(kept, cut, len(view))
        if folded is not None and folded.origin is not None:
            kept = [d.moved(*folded.span(d.start, d.end)) for d in kept]
        return self._unescaped(text, kept, quota, given) if escaped else kept

    def _unescaped(self, text: str, found: list[Detection], quota: Quota | None,
                   given: int | None) -> list[Detection]:
        """`found` in `text`, with what a reading of `text` with its escapes undone finds (see `scan`);
        `given`: the candidates the caller's quota held before the first reading."""
        view = unescaped(text)
        if view is None:
            return found
        inner = Quota(max(self.max_values, self.allowance(len(text))) if given is None else given)
        hidden = self.scan(view.text, inner, unescape=False)
        if quota is not None:
            quota.left = min(quota.left, inner.left)
        if not hidden:
            return found
        moved = [d.moved(*view.span(d.start, d.end)) for d in hidden]
        if view.joins:
            moved = _parted(moved, view.joins)
        return self._resolve(found + moved)

    def examine(self, detector: Detector, text: str) -> list[Detection]:
        """What one detector finds in `text` (folded already) under the quota `scan` would give
        it, up to where the quota ran out (benchmarks and tests look at detectors one by one)."""
        found: list[Detection] = []
        token = current.set(Quota(max(self.max_values, self.allowance(len(text)))))
        try:
            for detection in detector.detect(text):
                found.append(detection)
        except Overflow:
            pass
        finally:
            current.reset(token)
        return found

    def _resolve(self, found: list[Detection]) -> list[Detection]:
        """Longest value first (an IBAN beats the card-like digits inside it), then priority."""
        found.sort(key=_START)
        if all(a.end <= b.start for a, b in pairwise(found)):
            return found  # nothing overlaps (the usual case, and a dense field's): nothing to choose
        found.sort(key=lambda d: (d.start - d.end, self._priority.get(d.type, 99), d.start))
        starts: list[int] = []  # kept spans never overlap, so one sorted list of starts orders them
        kept: list[Detection] = []
        for candidate in found:
            at = bisect.bisect_right(starts, candidate.start)
            if at and kept[at - 1].end > candidate.start:
                continue
            if at < len(kept) and kept[at].start < candidate.end:
                continue
            starts.insert(at, candidate.start)
            kept.insert(at, candidate)
        return kept


def _parted(found: list[Detection], joins: list[tuple[int, int]]) -> list[Detection]:
    """`found` (over the original text) with each value read across JSON field boundaries (`joins`, in
    order) cut into its parts, one per field, the boundaries left as they are: a number written in two
    fields is masked in both. Only numbers are read so (a name after an address would read as part of it)."""
    kept: list[Detection] = []
    for detection in found:
        at = bisect.bisect_left(joins, (detection.start, detection.start))
        inside = []
        while at < len(joins) and joins[at][1] <= detection.end:
            inside.append(joins[at])
            at += 1
        if not inside:
            kept.append(detection)
            continue
        if detection.type not in _JOINED:
            continue
        start = detection.start
        for join_start, join_end in inside:
            if join_start > start:
                kept.append(detection.moved(start, join_start))
            start = join_end
        if detection.end > start:
            kept.append(detection.moved(start, detection.end))
    return kept


def _withhold(kept: list[Detection], cut: int, end: int) -> list[Detection]:
    """`kept` (non-overlapping, in order) up to `cut`, then one span withholding the rest of the
    text: what the detectors could not examine within the quota is never let through. A value
    that crosses `cut` is withheld with the rest."""
    before = [d for d in kept if d.end <= cut]
    crossing = [d.start for d in kept if d.start < cut < d.end]
    start = min(crossing, default=cut)
    return [*before, Detection(WITHHELD, start, end, "max_values", 1.0, "")]
