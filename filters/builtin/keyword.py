"""`keyword`: block or replace listed words, whatever their case, width or hidden characters.

Matching runs on a skeleton of the text (see `skeleton`) so that `ＢＡＤ`, `B\u200bAD`,
`b\u0301ad` and `BAD` all hit the listed word `bad`; replacements land on the exact
span of the original text. Words match whole: `bad` does not hit `badge`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import re2

from filters._api import PASS, Filter, Finding, Message, Verdict, block, modify
from filters._context import FilterContext
from filters._text import fold
from filters.options import OptionsError, join

_WORD_CHAR = r"\pL\pM\pN_"
# Matcher memory: enough for word lists of ~100k entries; a larger list is an option error.
_MAX_MEM = 64 << 20


@lru_cache(maxsize=4096)
def _strip_char(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"  # a lone surrogate cannot be encoded for the matcher; it is never a letter
    return "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) not in ("Mn", "Me"))


def skeleton(text: str) -> tuple[str, tuple[int, ...] | None]:
    """`text` folded (compatibility forms, case, invisible characters) and stripped of accents.

    Returns the skeleton and, for each of its characters, the index of the original one
    (None when the indexes are identical).
    """
    folded = fold(text, casefold=True)
    if folded.text.isascii():
        return folded.text, folded.origin
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(folded.text):
        at = index if folded.origin is None else folded.origin[index]
        stripped = char if char.isascii() else _strip_char(char)
        pieces.append(stripped)
        origin.extend([at] * len(stripped))
    return "".join(pieces), tuple(origin)


@dataclass(frozen=True)
class KeywordOptions:
    words: tuple[str, ...] = field(metadata={"doc": "words or phrases to catch (whole words only)"})
    action: Literal["block", "replace"] = field(default="block", metadata={"doc": "block the message or replace the word"})
    replacement: str = field(default="***", metadata={"doc": "text put in place of each word (action: replace)"})

    def validate(self, path: str) -> None:
        if not self.words:
            raise OptionsError(join(path, "words"), "list at least one word")
        for i, word in enumerate(self.words):
            if not skeleton(word)[0].strip():
                raise OptionsError(join(join(path, "words"), i), f"empty word {word!r}")


class Keyword(Filter[KeywordOptions]):
    """Block or replace listed words; case-, width- and accent-insensitive, whole words only."""

    name = "keyword"
    Options = KeywordOptions
    description = "Block or replace listed words (case-, Unicode- and accent-insensitive, whole words)."

    def __init__(self, options: KeywordOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        words = sorted({skeleton(w)[0].strip() for w in self.options.words}, key=lambda w: (-len(w), w))
        alternatives = "|".join(re2.escape(w) for w in words)
        # Boundaries are consumed, so a search resumes at the end of the word (see _spans).
        pattern = rf"(?:^|[^{_WORD_CHAR}])({alternatives})(?:[^{_WORD_CHAR}]|$)"
        settings = re2.Options()
        settings.max_mem = _MAX_MEM
        settings.log_errors = False
        try:
            self._pattern = re2.compile(pattern, settings)
        except re2.error as exc:
            problem = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise ValueError(f"word list cannot be compiled ({problem}); list fewer or shorter words") from None
        self._block = self.options.action == "block"

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of listed words in the original `text`; only the first one when blocking."""
        skel, origin = skeleton(text)
        data = skel.encode("utf-8")
        ascii_only = len(data) == len(skel)
        spans: list[tuple[int, int]] = []
        pos = byte_at = char_at = 0
        # Searching bytes from an offset costs no re-encoding, so the scan stays linear.
        while (found := self._pattern.search(data, pos)) is not None:
            start, end = found.span(1)
            pos = end
            if not ascii_only:
                char_start = char_at + len(data[byte_at:start].decode("utf-8"))
                char_at = char_start + len(data[start:end].decode("utf-8"))
                byte_at = end
                start, end = char_start, char_at
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            spans.append((start, end))
            if self._block:
                break
        return spans

    async def inspect(self, message: Message) -> Verdict:
        text = message.text
        if not text:
            return PASS
        spans = self._spans(text)
        if not spans:
            return PASS
        findings = tuple(Finding("keyword", start, end) for start, end in spans)
        if self._block:
            return block("listed word found", findings)
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            pieces.append(text[last:start])
            pieces.append(self.options.replacement)
            last = end
        pieces.append(text[last:])
        return modify("".join(pieces), "listed word replaced", findings)
