"""Detection over one text: fold, pre-check, run detectors, resolve overlaps, map back.

Most chat messages hold nothing sensitive, so one cheap regex decides first whether
any built-in detector could fire at all; only then do the detectors run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from filters._text import fold
from filters.masking._model import Detection, Detector
from filters.masking.cards import CardDetector
from filters.masking.contact import EmailDetector, PhoneDetector
from filters.masking.iban import IBANDetector
from filters.masking.national_ids import SSNDetector
from filters.masking.network import IPDetector
from filters.masking.secrets import SecretDetector

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
_NUMERIC: Mapping[str, re.Pattern[str] | None] = {
    "card": re.compile(r"\d(?:[ .\-]{1,3}\d|\d){11,}"),
    "iban": re.compile(r"[A-Za-z]{2}\d\d"),
    "ssn": re.compile(r"(?<!\d)\d{3}[ \-]?\d\d[ \-]?\d{4}(?!\d)"),
    "phone": None,
}


def _gate(name: str, view: str, long_number: bool) -> bool:
    """Whether detector `name` could fire at all on `view`: cheap checks before the detector."""
    if name in _NUMERIC:
        check = _NUMERIC[name]
        return long_number and (check is None or check.search(view) is not None)
    if name == "email":
        return "@" in view
    if name == "ip":
        return ":" in view or ("." in view and _IPV4_HINT.search(view) is not None)
    return SecretDetector.hinted(view)


class Masker:
    """Finds sensitive values in text; immutable once built, shared by every message."""

    def __init__(self, builtin: Sequence[str], custom: Sequence[Detector] = ()) -> None:
        self._builtin = tuple(BUILTIN[name] for name in BUILTIN if name in builtin)
        self._names = tuple((name, BUILTIN[name]) for name in BUILTIN if name in builtin)
        self._custom = tuple(custom)
        order = [*BUILTIN, *(d.type for d in custom)]
        self._priority = {name: i for i, name in enumerate(order)}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(d.type for d in (*self._builtin, *self._custom))

    def scan(self, text: str) -> list[Detection]:
        """Non-overlapping detections, in order, with spans in `text` itself."""
        folded = fold(text)
        view = folded.text
        found: list[Detection] = []
        if self._names:
            long_number = _LONG_NUMBER.search(view) is not None
            for name, detector in self._names:
                if _gate(name, view, long_number):
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
