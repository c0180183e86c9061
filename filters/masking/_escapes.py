"""Text behind an escape layer: URL percent-encoding, HTML character references, JSON and C string escapes.

A value is still a value when a link carries it (`?card=4111%201111...`, `ssn=123+45+6789`), a page quotes
it (`4111&nbsp;1111...`, `&#64;`, `4111 <span>1111</span> ...`), a JSON text pasted into chat escapes its
spaces and line breaks (`"4111\\u00201111..."`, `"4111\\n1111..."`) or an address is spelt out against
harvesters (`john (at) example (dot) com`): whoever reads the message on the other side reads it through
that layer. `unescaped` gives the text with one layer of every such escape undone, and the way back from
its spans to the text's own; the engine scans it beside the text and keeps what either reading finds.

A JSON text pasted into chat may also carry one value in two fields (`{"card1": "4111 1111", "card2": "1111
1111"}`, a phone's prefix and number): the boundary between two string values (`", "card2": "`) is read as
one space, as if the halves were groups of one value, and `Unescaped.joins` lists where such boundaries
stood. The engine masks a
number found across one as its parts, each in its own field, and keeps the fields' names.

One RE2 pass finds the escapes; the rest is one join, so the cost is linear in the text. The engine's gates
tell which texts may hold an escape at all (most chat holds none), and only those are searched.
"""

from __future__ import annotations

import bisect
import html

from filters._patterns import each_spans, text_pattern

__all__ = ["Unescaped", "unescaped"]

# Between two string values of one JSON object or array, a digit or a capital before it (a space or a hyphen
# between) and one after it: `", "card_part2": "`, `","`. A name of at most 64 characters without quotes or
# escapes. Only numbers are read across fields (see `engine._parted`), and their parts end and start so;
# a JSON text of words ("name": "Bob") is not read again for it.
FIELD_BOUNDARY = (r'(?:[0-9A-Z][ \-]?"[ \t]*,[ \t\r\n]*(?:"[^"\\\r\n]{1,64}"[ \t]*:[ \t]*)?"[ \-+]?[0-9A-Z])')
# An address spelt out in words without brackets: "maria AT firma dot de", "li dot wei arroba correo punto es":
# a name, a word for "at", a domain and at least one word for "dot" before a top-level domain (two letters, or
# a generic one below). Words of several languages; read whole, as the address it spells.
AT_WORDS = ("at", "arroba", "arobase", "chiocciola", "klammeraffe", "apenstaartje", "małpa", "malpa", "snabel-a",
            "kukac", "собака", "ät")
DOT_WORDS = ("dot", "punto", "point", "punkt", "punt", "kropka", "pont", "nokta", "ponto", "точка")
_GENERIC_TLDS = ("com", "org", "net", "edu", "gov", "info", "biz", "dev", "app", "mail", "email", "name", "pro",
                 "online", "site", "tech", "xyz", "shop", "cloud")
_AT = "(?i:" + "|".join(AT_WORDS) + ")"
_DOTW = "(?i:" + "|".join(DOT_WORDS) + ")"
_SPELT = (r"[A-Za-z0-9_%+\-]{1,64}(?:[ \t]+" + _DOTW + r"[ \t]+[A-Za-z0-9_%+\-]{1,64}){0,3}[ \t]+" + _AT
          + r"[ \t]+[A-Za-z0-9\-]{1,63}(?:[ \t]+" + _DOTW + r"[ \t]+[A-Za-z0-9\-]{1,63}){0,3}[ \t]+" + _DOTW
          + r"[ \t]+(?i:[a-z]{2}|" + "|".join(_GENERIC_TLDS) + r")\b")
# Where `_SPELT` may match, for the engine's gate (never stricter).
SPELT_GATE = r"[ \t]" + _AT + r"[ \t]+[A-Za-z0-9\-]+[ \t]+" + _DOTW + r"[ \t]"
_OPENERS = " \t([{<"  # what the other escapes holding a space start with ("(at)", a tag)
_SPELT_WORDS = {**dict.fromkeys(AT_WORDS, "@"), **dict.fromkeys(DOT_WORDS, ".")}
# Markdown emphasis, strike-through or code around one group of a value (digits and capitals, as in
# "4111 **1111** 1111", "MU11 __GKMO__ 0117"): read as the group alone. Around words ("**Hunter2!**",
# "__init__") the marks stay.
_EMPHASIS = r"\*{1,3}[0-9A-Z]{1,8}\*{1,3}|_{1,3}[0-9A-Z]{1,8}_{1,3}|~~[0-9A-Z]{1,8}~~|`[0-9A-Z]{1,8}`"
EMPHASIS_GATE = r"\*[0-9A-Z]{1,8}\*|_[0-9A-Z]{1,8}_|~[0-9A-Z]{1,8}~|`[0-9A-Z]{1,8}`"  # never stricter
_MARKS = "*_~`"
# Inline HTML elements, whose tags may stand inside a value ("4111 <span>1111</span> ...") and show nothing.
INLINE_TAGS = r"(?i:span|b|i|u|s|em|strong|code|kbd|mark|small|sup|sub|font|a|tt|var|samp|del|ins)"
_ESCAPE = text_pattern(
    r"(?:%[0-9A-Fa-f]{2})+"                                    # URL: a run of percent-encoded bytes (UTF-8)
    r"|&#[0-9]{1,7};|&#[xX][0-9A-Fa-f]{1,6};|&[A-Za-z][A-Za-z0-9]{1,31};"  # HTML character references
    r"|\\u[dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2}"  # JSON: a surrogate pair
    r"|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\[nrtfv/\"'\\]"     # JSON and C escapes
    r"|[0-9A-Za-z]\+[0-9A-Za-z%]"                               # a form's "+" for a space ("4111+1111")
    r"|[ \t]?[(\[{<][ \t]?(?i:at|dot)[ \t]?[)\]}>][ \t]?"        # an address spelt out: "john (at) example"
    r"|</?" + INLINE_TAGS + r"(?:[ \t][^<>]{0,200})?>"            # inline markup inside a value
    r"|" + FIELD_BOUNDARY                                          # between two JSON string values
    + "|" + _EMPHASIS                                             # markdown inside a value ("280 **26** 4732")
    + "|" + _SPELT)                                                # an address spelt out in words
_JOIN = '"'  # what a field boundary starts with (an escape starts otherwise)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "/": "/", '"': '"', "'": "'", "\\": "\\"}


class Unescaped:
    """`text`: the unescaped text; `span` maps a span of it back to the original text (a character made
    from an escape maps to the whole escape)."""

    __slots__ = ("_copied", "_origins", "_starts", "joins", "text")

    def __init__(self, text: str, starts: list[int], origins: list[tuple[int, int]], copied: list[bool],
                 joins: list[tuple[int, int]] | None = None) -> None:
        """`starts[k]`: where piece k begins in `text`; `origins[k]`: its span in the original; `copied[k]`:
        the piece is text copied as it was (mapped one to one), not an escape (whose every character maps
        to the whole escape); `joins`: the spans, in the original, of the field boundaries read as a space."""
        self.text = text
        self._starts = starts
        self._origins = origins
        self._copied = copied
        self.joins = joins or []

    def _at(self, index: int, end: bool) -> int:
        k = bisect.bisect_right(self._starts, index) - 1
        start, stop = self._origins[k]
        if self._copied[k]:
            return start + index - self._starts[k] + (1 if end else 0)
        return stop if end else start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of `text[start:end]` (`end > start`)."""
        return self._at(start, False), self._at(end - 1, True)


def _decoded(piece: str, plus: bool) -> str | None:
    """What one escape stands for, or None to keep it as written."""
    head = piece[0]
    word = piece.strip(" \t")[1:-1].strip(" \t").lower()
    if word in ("at", "dot"):  # "(at)", "[dot]", "<at>"
        return "@" if word == "at" else "."
    if head == "%":
        raw = bytes.fromhex(piece.replace("%", ""))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    if head == "&":
        decoded = html.unescape(piece)
        return None if decoded == piece else decoded
    if head == "\\":
        kind = piece[1]
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind == "x":
            return chr(int(piece[2:], 16))
        if len(piece) == 12:  # a surrogate pair
            high, low = int(piece[2:6], 16), int(piece[8:12], 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        code = int(piece[2:], 16)
        return None if 0xD800 <= code <= 0xDFFF else chr(code)
    if head == "<":
        return ""  # a tag: nothing a reader sees
    return piece[0] + " " + piece[2] if plus else None  # "4+1": the "+" of a form


def unescaped(text: str) -> Unescaped | None:
    """`text` with one layer of escapes undone, or None when it holds none (or nothing changes).

    A "+" between two letters or digits is read as a space only in a text that has a "=" (a query string
    or a form), so "C++" or "+49 30 ..." is left as it is."""
    plus = "=" in text
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[tuple[int, int]] = []
    copied: list[bool] = []
    joins: list[tuple[int, int]] = []
    at = 0  # in the original
    length = 0  # of the unescaped text so far
    for (start, end), *_ in each_spans(_ESCAPE, text):
        piece = text[start:end]
        decoded: str | None
        if piece[0] != "\\" and _JOIN in piece[1:3]:  # a field boundary, from its first quote to its last
            start, end, decoded = start + piece.index(_JOIN), start + piece.rindex(_JOIN) + 1, " "
            joins.append((start, end))
        elif piece[0] in _MARKS:  # emphasis around a group: the group
            decoded = piece.strip(_MARKS)
        elif piece[0] not in _OPENERS and (" " in piece or "\t" in piece):  # an address spelt out in words
            if start and (text[start - 1].isalnum() or text[start - 1] in "'\u2019"):
                continue  # "I'm at work dot com": the end of a word, no name
            decoded = "".join(_SPELT_WORDS.get(word.lower(), word) for word in piece.split())
        else:
            decoded = _decoded(piece, plus)
            if decoded is None:
                continue
            if len(piece) == 3 and piece[1] == "+":  # "x+y": the "+" alone is the escape
                start, end, decoded = start + 1, end - 1, " "
        if start > at:
            pieces.append(text[at:start])
            starts.append(length)
            origins.append((at, start))
            copied.append(True)
            length += start - at
        pieces.append(decoded)
        starts.append(length)
        origins.append((start, end))
        copied.append(False)
        length += len(decoded)
        at = end
    if not pieces:
        return None
    if at < len(text):
        pieces.append(text[at:])
        starts.append(length)
        origins.append((at, len(text)))
        copied.append(True)
    return Unescaped("".join(pieces), starts, origins, copied, joins)
