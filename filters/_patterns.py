"""Linear-time patterns for everything that reads client text.

Every regular expression that touches a message goes through RE2: matching time is
linear in the text whatever the pattern and whatever the input, so no message can
make a detector backtrack. Two habits keep the constant small as well:

* patterns are compiled once, at import or at filter construction, never per message;
* a loop never calls `search(text, pos)` on `str` (the RE2 wrapper re-encodes the
  text and counts characters up to `pos` on every call, which is quadratic over a
  loop): use `finditer` once, or a `byte_pattern` on the UTF-8 bytes.

Hot paths skip the wrapper's match objects: `found` asks RE2 whether a pattern occurs
(`whole`: whether it matches all of a text),
`each_spans` walks the matches as group spans, calling the compiled RE2 object directly
(about a microsecond per match instead of several).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, cast

import re2
from re2 import _re2


class Match(Protocol):
    """What a match offers (the RE2 wrapper has no type hints of its own)."""

    def span(self, group: int = 0) -> tuple[int, int]: ...
    def start(self, group: int = 0) -> int: ...
    def end(self, group: int = 0) -> int: ...
    def group(self, group: int = 0) -> Any: ...


class Pattern(Protocol):
    def search(self, text: Any, pos: int | None = None, endpos: int | None = None) -> Match | None: ...
    def match(self, text: Any, pos: int | None = None, endpos: int | None = None) -> Match | None: ...
    def fullmatch(self, text: Any, pos: int | None = None, endpos: int | None = None) -> Match | None: ...
    def finditer(self, text: Any, pos: int | None = None, endpos: int | None = None) -> Iterator[Match]: ...
    def findall(self, text: Any, pos: int | None = None, endpos: int | None = None) -> list[Any]: ...
    def sub(self, repl: str | Callable[[Match], str], text: str, count: int = 0) -> str: ...


_MAX_MEM = 32 << 20  # bytes of automaton per pattern: bounds memory for large alternations


def _options(*, case_sensitive: bool, longest: bool, latin1: bool) -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    options.case_sensitive = case_sensitive
    options.longest_match = longest
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1
    return options


def text_pattern(pattern: str, *, case_sensitive: bool = True, longest: bool = False) -> Pattern:
    """A pattern over `str` (spans in characters). Raises `re2.error` on a bad pattern."""
    return cast(Pattern, re2.compile(pattern, _options(case_sensitive=case_sensitive, longest=longest,
                                                       latin1=False)))


def byte_pattern(pattern: str, *, case_sensitive: bool = True) -> Pattern:
    """A pattern over UTF-8 bytes read as Latin-1: ASCII matching, spans in bytes, no re-encoding.

    Use it for screens and gates that only ask *whether* something occurs, on
    `text.encode("utf-8", "surrogatepass")` computed once per message.
    """
    return cast(Pattern, re2.compile(pattern.encode(), _options(case_sensitive=case_sensitive, longest=False,
                                                                 latin1=True)))


def byte_cased(word: str) -> list[str]:
    """The spellings a byte pattern lists to find `word` in the cases people write it: `(?i:...)` over bytes folds
    ASCII letters only, so a word with other letters is listed as written, capitalised and in capitals."""
    return [word] if word.isascii() else sorted({word, word.capitalize(), word.upper()})


def encode(text: str) -> bytes:
    """The bytes `byte_pattern`s read; lone surrogates pass through instead of failing."""
    return text.encode("utf-8", "surrogatepass")


def encodable(text: str) -> str:
    """`text` with lone surrogates (which RE2 cannot take as UTF-8) as U+FFFD; same length, same spans."""
    if text.isascii():
        return text
    try:
        text.encode()
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def spans(found: Match) -> list[tuple[int, int]]:
    """Every group's (start, end) of a match at once, (-1, -1) for a group that took no part.

    The wrapper's `start()`, `end()` and `group()` ask RE2 for the group count on
    every call (about a microsecond each); a detector reading many matches takes the
    spans it already holds instead."""
    held = getattr(found, "_spans", None)
    if held is not None:
        return cast(list[tuple[int, int]], held)
    count: int = getattr(found, "re").groups  # noqa: B009 (not in the protocol on purpose)
    return [found.span(group) for group in range(count + 1)]


_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
_ANCHOR_START = _re2.RE2.Anchor.ANCHOR_START
_ANCHOR_BOTH = _re2.RE2.Anchor.ANCHOR_BOTH
Spans = Sequence[tuple[int, int]]


def _compiled(pattern: Pattern) -> Any:
    return getattr(pattern, "_regexp")  # noqa: B009 (the wrapper's RE2 object, not in the protocol)


def found(pattern: Pattern, text: str | bytes) -> bool:
    """Whether `pattern` occurs in `text` (`search(text) is not None`, with no match object)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return bool(_compiled(pattern).Match(_UNANCHORED, raw, 0, len(raw))[0][0] >= 0)


def whole(pattern: Pattern, text: str | bytes) -> bool:
    """Whether `pattern` matches all of `text` (`fullmatch(text) is not None`, with no match object)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return bool(_compiled(pattern).Match(_ANCHOR_BOTH, raw, 0, len(raw))[0][0] >= 0)


def each_spans(pattern: Pattern, text: str, screen: Pattern | None = None) -> Iterator[Spans]:
    """Every match of `pattern` in `text`, left to right, as `spans(match)` would give it.

    ASCII text is matched on its bytes, whose offsets are its character offsets; other text
    has its byte offsets counted back to characters incrementally (linear over the walk).
    Empty matches advance one character, as `finditer` does.

    `screen`, when given, must match (unanchored) wherever `pattern` could start a match: the
    walk then looks for the screen and matches `pattern` anchored where it starts, with the same
    answers. It is for an alternation of many token formats, each a literal head and a counted
    tail (`ghp_` and 36 characters): searched unanchored, RE2 follows every head it has seen
    inside a run of letters and digits at once, and its lazily built automaton needs new states
    for almost every fresh token; anchored, it follows one."""
    if text.isascii():
        raw = text.encode()
        ascii_only = True
    else:
        raw = text.encode("utf-8", "surrogatepass")
        ascii_only = False
    match = _compiled(pattern).Match
    find = None if screen is None else _compiled(screen).Match
    end = len(raw)
    pos = 0
    base_byte = base_char = 0  # a byte offset already counted back, and its character offset
    while True:
        groups = match(_UNANCHORED, raw, pos, end) if find is None else _anchored(find, match, raw, pos)
        first = groups[0]
        if first[0] < 0:
            return
        if ascii_only:
            yield groups
        else:
            base_char += _re2.BytesToCharLen(raw, base_byte, first[0])
            base_byte = first[0]
            yield [span if span[0] < 0 else
                   (base_char + _re2.BytesToCharLen(raw, base_byte, span[0]),
                    base_char + _re2.BytesToCharLen(raw, base_byte, span[1])) for span in groups]
        if first[1] > pos:
            pos = first[1]
        elif pos >= end:
            return
        else:  # an empty match: step over one character
            pos += 1 if ascii_only else _re2.CharLenToBytes(raw, pos, 1)



_NO_MATCH = [(-1, -1)]


def _anchored(find: Any, match: Any, raw: bytes, pos: int) -> Any:
    """The leftmost match of `match`'s pattern from `pos`: anchored where `find` first matches, or, when
    no match starts there, the plain search from there (one of each at most, whatever the text)."""
    end = len(raw)
    start = find(_UNANCHORED, raw, pos, end)[0][0]
    if start < 0:
        return _NO_MATCH
    groups = match(_ANCHOR_START, raw, start, end)
    return groups if groups[0][0] >= 0 else match(_UNANCHORED, raw, start, end)
