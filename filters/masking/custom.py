"""Rules from the config: regexes and keyword lists, run with google-re2.

re2 matches in time linear in the text whatever the pattern, so a careless or
hostile pattern such as `(a+)+$` cannot stall the gateway; patterns re2 cannot
compile (back-references, look-around) are refused at startup with their key path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import re2

from filters._patterns import each_spans, encodable
from filters.masking._model import Detection
from filters.masking._quota import charge
from filters.options import OptionsError, join

_MAX_MEM = 8 << 20  # bytes of automaton per rule: bounds memory for huge alternations
_WORD = re.compile(r"\w")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def compile_pattern(pattern: str, *, case_sensitive: bool, path: str) -> Any:
    """Compile with re2 or raise `OptionsError` naming `path`."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    options.case_sensitive = case_sensitive
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        problem = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise OptionsError(path, f"not a pattern re2 accepts ({problem})") from None
    if compiled.search("") is not None:
        raise OptionsError(path, "pattern matches the empty string")
    return compiled


def keyword_pattern(keywords: tuple[str, ...]) -> str:
    """One alternation of whole-word keywords, longest first so overlaps pick the longest."""
    ordered = sorted({k for k in keywords if k}, key=len, reverse=True)
    return "(?:" + "|".join(_bounded(k) for k in ordered) + ")"


def _bounded(keyword: str) -> str:
    """`\\b` only where the keyword starts or ends with a word character (re2 has no look-around)."""
    left = r"\b" if _WORD.match(keyword[0]) else ""
    right = r"\b" if _WORD.match(keyword[-1]) else ""
    return left + str(re2.escape(keyword)) + right


def check_name(name: str, path: str) -> None:
    if not _NAME.match(name):
        raise OptionsError(path, f"expected a lower-case name such as employee_id, got {name!r}")


@dataclass(frozen=True, slots=True)
class CustomDetector:
    """One configured rule; `type` is the rule's name, used for placeholders and styles."""

    type: str
    pattern: Any
    detector: str
    score: float = 0.9

    def detect(self, text: str) -> Iterator[Detection]:
        view = encodable(text)
        for (start, end), *_ in each_spans(self.pattern, view):
            charge(start)
            if end > start:
                yield Detection(self.type, start, end, self.detector, self.score, view[start:end])


def build(name: str, pattern: str | None, keywords: tuple[str, ...], case_sensitive: bool,
          path: str) -> list[CustomDetector]:
    """The detectors of one rule (a regex, a keyword list, or both)."""
    detectors = []
    if pattern is not None:
        compiled = compile_pattern(pattern, case_sensitive=case_sensitive, path=join(path, "pattern"))
        detectors.append(CustomDetector(name, compiled, "custom_regex"))
    if keywords:
        compiled = compile_pattern(keyword_pattern(keywords), case_sensitive=case_sensitive,
                                   path=join(path, "keywords"))
        detectors.append(CustomDetector(name, compiled, "custom_keyword"))
    if not detectors:
        raise OptionsError(path, "a rule needs a pattern or keywords")
    return detectors
