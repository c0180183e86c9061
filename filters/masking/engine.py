"""Detection over one text: fold, pre-check, run detectors, resolve overlaps, map back.

Most chat messages hold nothing sensitive, so one combined pre-screen (a single
linear-time RE2 pass over the folded text) decides first whether any enabled
built-in detector could fire at all; only then do the per-detector gates and the
detectors run. Folding is skipped for text whose every character is known to fold
to itself, which is all ASCII text and most accented, CJK or emoji chat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import re2

from filters._text import Folded, fold
from filters.masking._model import Detection, Detector
from filters.masking.cards import CardDetector
from filters.masking.contact import EmailDetector, PhoneDetector
from filters.masking.iban import IBANDetector
from filters.masking.national_ids import SSNDetector
from filters.masking.network import IPDetector
from filters.masking.secrets import KEYWORDS, LITERALS, SecretDetector

BUILTIN: Mapping[str, Detector] = {
    "secret": SecretDetector(),
    "card": CardDetector(),
    "iban": IBANDetector(),
    "ssn": SSNDetector(),
    "email": EmailDetector(),
    "phone": PhoneDetector(),
    "ip": IPDetector(),
}
# 8+ digits, separators allowed: the least any numeric value needs (the shortest phone number);
# IBANs too, since every country's account part holds a long digit stretch.
_LONG_NUMBER = re.compile(r"\d(?:[ .\-()/]{1,3}\d|\d){7,}")
_IPV4_HINT = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
# Every IPv6 address either holds "::" or starts with a hex group followed by two colons.
_IPV6_HINT = re.compile(r"::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:")
# A phone has an international prefix (8-15 digits) or else 10-11 digits in one run.
_PHONE_HINT = re.compile(r"(?:\+|00)[1-9]|\d(?:[ .\-()/]{1,3}\d|\d){9}")
_NUMERIC: Mapping[str, re.Pattern[str]] = {
    "card": re.compile(r"\d(?:[ .\-]{1,3}\d|\d){11,}"),
    "iban": re.compile(r"[A-Za-z]{2}\d\d"),
    "ssn": re.compile(r"(?<!\d)\d{3}[ \-]?\d\d[ \-]?\d{4}(?!\d)"),
    "phone": _PHONE_HINT,
}


def _latin1(source: str) -> re2._Regexp:
    """An RE2 pattern over UTF-8 bytes read as Latin-1: it looks for ASCII only, and bytes
    never fail to encode (lone surrogates pass through as their own bytes)."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    return re2.compile(source.encode(), options)


# What each gate in `_gate` needs at the least, as RE2 source; their union is the pre-screen.
_SCREEN: Mapping[str, str] = {
    "numeric": r"\d(?:[ .\-()/]{1,3}\d|\d){7}",
    "email": "@",
    "ip": r"::|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:|\d\.\d{1,3}\.\d{1,3}\.\d",
    "secret": "|".join(re.escape(literal) for literal in LITERALS)
    + "|(?i:" + "|".join(re.escape(keyword) for keyword in KEYWORDS) + ")",
}
# Same as `SecretDetector.hinted`, in one linear pass.
_SECRET_HINT = _latin1(_SCREEN["secret"])


def _gate(name: str, view: str, raw: bytes, long_number: bool) -> bool:
    """Whether detector `name` could fire at all on `view` (`raw`: its bytes): cheap checks first."""
    if name in _NUMERIC:
        return long_number and _NUMERIC[name].search(view) is not None
    if name == "email":
        return "@" in view
    if name == "ip":
        return (":" in view and _IPV6_HINT.search(view) is not None) or (
            "." in view and _IPV4_HINT.search(view) is not None)
    return _SECRET_HINT.search(raw) is not None


def screen_for(names: Sequence[str]) -> re2._Regexp | None:
    """One pattern matching wherever any gate of `names` could pass; None when none is enabled."""
    parts = {("numeric" if name in _NUMERIC else name) for name in names}
    if not parts:
        return None
    return _latin1("|".join(f"(?:{_SCREEN[part]})" for part in sorted(parts)))


# Non-ASCII characters that fold to themselves (accents, CJK, most emoji), learnt as they
# are seen, so that text made only of them skips `fold`; bounded against hostile variety.
_INERT: set[str] = {chr(code) for code in range(128)}
_INERT_MAX = 1 << 16


def fold_fast(text: str) -> Folded:
    """`fold(text)`, short-cut when every character is known to fold to itself."""
    if _INERT.issuperset(text):
        return Folded(text, text, None)
    folded = fold(text)
    if len(_INERT) < _INERT_MAX:
        for char in set(text).difference(_INERT):
            if fold(char).origin is None:
                _INERT.add(char)
    return folded


class Masker:
    """Finds sensitive values in text; immutable once built, shared by every message."""

    def __init__(self, builtin: Sequence[str], custom: Sequence[Detector] = ()) -> None:
        self._builtin = tuple(BUILTIN[name] for name in BUILTIN if name in builtin)
        self._names = tuple((name, BUILTIN[name]) for name in BUILTIN if name in builtin)
        self._custom = tuple(custom)
        order = [*BUILTIN, *(d.type for d in custom)]
        self._priority = {name: i for i, name in enumerate(order)}
        self._screen = screen_for([name for name, _ in self._names])

    @property
    def types(self) -> frozenset[str]:
        return frozenset(d.type for d in (*self._builtin, *self._custom))

    def scan(self, text: str) -> list[Detection]:
        """Non-overlapping detections, in order, with spans in `text` itself."""
        folded = fold_fast(text)
        view = folded.text
        raw = view.encode("utf-8", "surrogatepass")
        screened = self._screen is not None and self._screen.search(raw) is not None
        if not screened and not self._custom:
            return []
        found: list[Detection] = []
        if screened:
            long_number = _LONG_NUMBER.search(view) is not None
            for name, detector in self._names:
                if _gate(name, view, raw, long_number):
                    found.extend(detector.detect(view))
        for detector in self._custom:
            found.extend(detector.detect(view))
        if not found:
            return []
        kept = self._resolve(found)
        if folded.origin is None:
            return kept
        return [d.moved(*folded.span(d.start, d.end)) for d in kept]

    def _resolve(self, found: list[Detection]) -> list[Detection]:
        """Longest value first (an IBAN beats the card-like digits inside it), then priority."""
        found.sort(key=lambda d: (d.start - d.end, self._priority.get(d.type, 99), d.start))
        kept: list[Detection] = []
        for candidate in found:
            if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
                kept.append(candidate)
        kept.sort(key=lambda d: d.start)
        return kept
