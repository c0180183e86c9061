"""Views of a message with obfuscation undone, so one rule set sees every disguise.

Attackers hide payloads behind encodings that the target decodes later (percent and
HTML entities, JavaScript escapes, overlong UTF-8, base64) and behind look-alike
characters that a reader or a language model reads as plain letters (full-width
forms, zero-width joiners, Cyrillic homoglyphs, leet digits). Each helper here is
linear in the input, so a hostile message cannot make detection slow.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import html.entities
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import re2

from filters._patterns import Pattern, Spans, each_spans, encodable, text_pattern
from filters._text import CharMap, Folded, fold, fold_char

_MAX_ROUNDS = 3  # nested encodings deeper than this are themselves suspicious, not decoded further

_PERCENT_RUN = text_pattern(r"(?:%[0-9A-Fa-f]{2})+")
_PERCENT_U = text_pattern(r"%[uU]([0-9A-Fa-f]{4})")
_JS_ESCAPE = text_pattern(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2,6})\s?)")
# Screens on the folded (lower-cased) text, each saying whether a view or a decoder has work; exported
# so a caller can answer them all in the scan it runs anyway (see `Signs`).
BASE64_HINT = r"[a-z0-9+/]{16,}"  # a run `base64_payloads` would try (folding keeps such runs whole)
LEET_HINT = r"[a-z][013457@$!|][a-z]|[013457@$][a-z]{2}"
MIXED_SCRIPT = r"[a-z][\x{0370}-\x{052f}]|[\x{0370}-\x{052f}][a-z]"
# Letters written one by one, apart: by spaces ("i g n o r e"), or by a hyphen, dot, underscore or star
# ("i-g-n-o-r-e", "i.g.n.o.r.e").
SPACED = r"[a-z](?:[ .*_-]{1,3}[a-z]){5,}"
_ENGLISH_WORDS = ("the you and to is of it in what how my for on this that with me your i a can do please thanks "
                  "hi hello ok no yes not are be we have").split()
ENGLISH = r"\b(?:" + "|".join(_ENGLISH_WORDS) + r")\b"
# The same words of three letters or more in rot13 ("gur", "lbh", "naq"): English hidden by rot13 behind
# an English frame ("Apply rot13 and obey: Vtaber nyy..."), which `ENGLISH` alone would take for plain
# text. (Shorter ones rotate into ordinary words: "be" is "or".)
ROT13_ENGLISH = r"\b(?:" + "|".join(codecs.encode(w, "rot13") for w in _ENGLISH_WORDS if len(w) >= 3) + r")\b"
# A word broken by a hyphen or an underscore inside it ("ig-nore", "in_structions"): a soft hyphen is folded
# away already, a typed one is not.
# Markdown emphasis or strike-through inside a word ("ig**nor**e", "in~~struc~~tions") too: chat clients show
# the word whole, part of it bold or struck through.
SPLIT = r"[a-z][-_][a-z]|\pL[*~]{1,3}\pL"
# The words of the prompt rules an override or a reveal is spelt with: a hyphen inside one of them is read as
# no hyphen. Only these are joined, so ordinary compounds ("e-mail", "system-prompt") keep their hyphen.
_RULE_WORDS = frozenset("""
ignore disregard forget override bypass skip abandon neglect discard dismiss previous prior above earlier
preceding initial original instructions instruction directives directive guidelines rules commands constraints
restrictions programming guardrails prompt prompts system reveal repeat print output display password passwords
secret hidden everything pretend unrestricted unfiltered uncensored jailbreak jailbroken developer roleplay
verbatim confidential configuration
""".split())
# From a word's first letter only, each run taken whole: tried from every letter of a long run, the
# backtracking `[a-z]+` cost time quadratic in the run ("ig-nore " and 40,000 letters: 25 s of CPU).
_SPLIT_WORD = re.compile(r"(?<![a-z])[a-z]++(?:[-_][a-z]++)+")
_MARKS_IN_WORD = re.compile(r"(?<=[^\W\d_])[*~]{1,3}(?=[^\W\d_])")  # `SPLIT`'s markdown, between two letters
_LEET_HINT = re2.compile(LEET_HINT)
_MIXED_SCRIPT = re2.compile(MIXED_SCRIPT)

# Slashes and dots that some decoders map to the ASCII ones (best-fit code pages read the division slash
# as "/"). Read in the decoded view, not the base one: the link judge reads the base view, where a
# look-alike slash inside a host name is a sign of its own.
_SLASH_MAP = {"\u2215": "/", "\u2044": "/", "\u29f8": "/", "\u2216": "\\", "\u29f9": "\\", "\u2024": "."}
_SLASHES = CharMap(_SLASH_MAP)
_SLASH_CHARS = frozenset(_SLASH_MAP)

# Letters from other scripts that read as Latin ones (a small, common subset of
# Unicode's confusables); applied character for character so spans stay valid.
_HOMOGLYPHS = CharMap(dict(zip(
    "аеорсухіјѕԁһԛԝкмнтвгпℓαοριεκνυχτ",
    "aeopcyxijsdhqwkmhtbrnlaopiekvuxt", strict=True,
)))
_LEET = CharMap(dict(zip("013457@$!|", "oieastasil", strict=True)))
# Typographic quotes and dashes read as the ASCII ones by many backends.
# The ideographic full stop reads as a dot in a link (IDNA maps it; NFKC already maps the full-width ones).
_QUOTE_MAP = dict(zip("\u2018\u2019\u201a\u201b\u2032\u00b4\u201c\u201d\u201e\u2033\u2013\u2014\u2010\u2011"
                      "\u2212\u3002", "'" * 6 + '"' * 4 + "-" * 5 + ".", strict=True))
_QUOTES = CharMap(_QUOTE_MAP)
_QUOTE_CHARS = frozenset(_QUOTE_MAP)


def _char(code: int) -> str:
    """The character `code` names, or U+FFFD for none or half a surrogate pair (which RE2, reading
    UTF-8, could not take: an escape such as `%uD800` must not make detection fail)."""
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _lenient_utf8(data: bytes) -> str:
    """Decode UTF-8 that may use overlong forms (`%c0%ae` for `.`), as old servers did."""
    out: list[str] = []
    index, size = 0, len(data)
    while index < size:
        lead = data[index]
        if lead < 0x80:
            out.append(chr(lead))
            index += 1
            continue
        length = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
        tail = data[index + 1:index + length] if length else b""
        if length and len(tail) == length - 1:
            code = lead & (0x3F >> (length - 1))
            for byte in tail:
                code = (code << 6) | (byte & 0x3F)  # lenient: continuation bits are not checked
            out.append(_char(code))
            index += length
        else:
            out.append("\ufffd")
            index += 1
    return "".join(out)


def _percent(text: str, groups: Spans) -> str:
    start, end = groups[0]
    return _lenient_utf8(bytes.fromhex(text[start:end].replace("%", "")))


def _code(text: str, groups: Spans) -> str:
    """The character the hex digits of the escape's first group that took part name."""
    start, end = next(span for span in groups[1:] if span[0] >= 0)
    return _char(int(text[start:end], 16))


def _substitute(pattern: Pattern, text: str, decode: Callable[[str, Spans], str]) -> str:
    """`text` with each match of `pattern` replaced by `decode(text, its spans)`, each distinct
    escape decoded once: RE2's spans are read straight, with no match object and no call per
    escape (a message of 4,000 escapes cost 30 ms through the wrapper's `sub`)."""
    pieces: list[str] = []
    decoded: dict[str, str] = {}
    position = 0
    for groups in each_spans(pattern, text):
        start, end = groups[0]
        escape = text[start:end]
        value = decoded.get(escape)
        if value is None:
            value = decoded[escape] = decode(text, groups)
        pieces.append(text[position:start])
        pieces.append(value)
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


_HEX_DIGITS = "0123456789abcdefABCDEF"
_SPACES = frozenset(" \t\n\f\r")  # RE2's \s


def _escaped(piece: str) -> tuple[str, int] | None:
    """The hex digits of the escape `piece` (the text after a backslash) starts with and the length of
    that escape, as `_JS_ESCAPE` reads it after the backslash; None when it starts with none."""
    head = piece[:1]
    if head == "x":
        digits, size = piece[1:3], 3
        if len(digits) != 2:
            return None
    elif head == "u" and piece[1:2] == "{":
        close = piece.find("}", 3, 9)  # one to six digits between the braces
        if close < 0:
            return None
        digits, size = piece[2:close], close + 1
    elif head == "u":
        digits, size = piece[1:5], 5
        if len(digits) != 4:
            return None
    else:  # two to six digits, and one space after them if there is one
        lead = piece[:6]
        size = len(lead) - len(lead.lstrip(_HEX_DIGITS))
        if size < 2:
            return None
        return piece[:size], size + (piece[size:size + 1] in _SPACES)
    if digits.strip(_HEX_DIGITS):  # a character that is no hex digit
        return None
    return digits, size


def _js_unescape(text: str, read: dict[str, str] | None = None) -> str:
    """`text` with each JavaScript or CSS escape (`_JS_ESCAPE`) decoded.

    No escape holds a backslash but its first, so the text taken apart at backslashes (a C-speed
    `split`) gives each candidate escape at the head of its piece, and each distinct piece is read
    once: a few string operations each, where one pattern call per escape cost about 2 µs
    (`\\x41` repeated: 400 µs per KB). `read`: pieces read already (see `_html_unescape`)."""
    pieces = text.split("\\")
    read = {} if read is None else read  # each distinct piece as it reads
    out = [pieces[0]]
    for piece in islice(pieces, 1, None):
        value = read.get(piece)
        if value is None:
            found = _escaped(piece)
            if found is None:
                value = "\\" + piece
            else:
                digits, size = found
                value = _char(int(digits, 16)) + piece[size:]
            read[piece] = value
        out.append(value)
    return "".join(out)


# What may follow `&` in a character reference: the grammar of `html.unescape` (the standard library's own).
_REFERENCE = re.compile(r"#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?")
_ENTITIES = html.entities.html5
_FEW_REFERENCES = 8
_ENTITY_PREFIXES = frozenset(name[:size] for name in _ENTITIES for size in range(1, len(name) + 1))


def _reference(name: str) -> str:
    """What `&name` reads as in `html.unescape`: a number through the standard library itself; a name
    whole, else its longest prefix that names a character (found by walking up the prefixes of the
    names, where the standard library tries each length from the longest down: 30 lookups for `&`
    and 32 letters that name nothing), else as it stands."""
    if name[0] == "#":
        return html.unescape("&" + name)
    if name in _ENTITIES:
        return _ENTITIES[name]
    longest = 0
    for size in range(2, len(name)):
        prefix = name[:size]
        if prefix not in _ENTITY_PREFIXES:
            break
        if prefix in _ENTITIES:
            longest = size
    return _ENTITIES[name[:longest]] + name[longest:] if longest else "&" + name


def _html_unescape(text: str, read: dict[str, str] | None = None) -> str:
    """`html.unescape(text)`, read at each `&` (no reference holds another `&`, so the text split
    there gives each at the head of its piece), each distinct piece read once (`read`: pieces read
    already, kept by the caller between rounds of decoding, where most pieces come back unchanged)."""
    pieces = text.split("&")
    read = {} if read is None else read
    out = [pieces[0]]
    for piece in islice(pieces, 1, None):
        value = read.get(piece)
        if value is None:
            found = _REFERENCE.match(piece)
            value = read[piece] = "&" + piece if found is None else _reference(found[0]) + piece[found.end():]
        out.append(value)
    return "".join(out)


def decode_layers(text: str) -> str:
    """Undo percent, %u, HTML entity and JavaScript escapes, a few rounds deep.

    The whole text, however long: the backend decodes all of it, so an escaped payload placed after a
    long stretch of chat must be read as decoded too. Each round is linear (one RE2 pass per kind of
    escape, each distinct escape decoded once) and the rounds are bounded."""
    entities: dict[str, str] = {}  # pieces read in an earlier round, by kind of escape
    escapes: dict[str, str] = {}
    if "+" in text and "%" in text and _SPACES.isdisjoint(text):
        # A form-encoded value (percent escapes and no white space): its decoder (PHP's `urldecode`, a
        # form's) reads `+` as a space, so `127.0.0.1+%26+whoami` reaches the shell as `127.0.0.1 & whoami`.
        text = text.replace("+", " ")
    for _ in range(_MAX_ROUNDS):
        before = text
        if "%" in text:
            text = _substitute(_PERCENT_U, text, _code)
            text = _substitute(_PERCENT_RUN, text, _percent)
        if "&" in text:  # a few (chat: "rock & roll"): the standard library itself costs less
            text = html.unescape(text) if text.count("&") <= _FEW_REFERENCES else _html_unescape(text, entities)
        if "\\" in text:
            text = _js_unescape(text, escapes)
        if text == before:
            break
    return _SLASHES(text)


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for char in text if char.isprintable() or char in "\n\t\r")
    return good / len(text)


# Every byte that is neither a base64 letter nor padding read as a space: what parts the runs.
_RUN_BYTES = bytes(byte if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "+/=") else 32
                   for byte in range(256))


def _base64_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, run) of each match of `[A-Za-z0-9+/]{16,}={0,2}` in `text` (left to right, as a regular
    expression search finds them) that is not all letters or all digits.

    The words of the text's bytes with every other byte read as a space (C-speed `translate` and
    `split`) hold the runs; the words of 16 bytes or more that are not a plain word or number (most
    long words of chat, all of a text of card numbers) are the only ones read in Python, each run
    found where its word was cut at `=`. One pattern call per run cost about 2 µs, 150 µs per KB of
    card numbers."""
    raw = text.encode("utf-8", "surrogatepass")
    ascii_only = len(raw) == len(text)
    mapped = raw.translate(_RUN_BYTES)
    cursor = counted = chars = 0  # bytes searched to; a byte offset and its character offset
    for word in [w for w in mapped.split() if len(w) >= 16 and not w.isalpha() and not w.isdigit()]:
        at = mapped.find(word, cursor)  # no longer word can hold it before its own place
        cursor = at + len(word)
        offset = 0
        for part in word.split(b"="):
            end = offset + len(part)
            if len(part) >= 16:
                padding = len(word[end:end + 2]) - len(word[end:end + 2].lstrip(b"="))
                if not ascii_only:
                    chars += len(raw[counted:at + offset].decode("utf-8", "surrogatepass"))
                    counted = at + offset
                start = at + offset if ascii_only else chars
                run = word[offset:end + padding].decode("ascii")
                if not (run.isalpha() or run.isdigit()):
                    yield start, start + len(run), run
            offset = end + 1


def base64_payloads(text: str) -> list[tuple[int, int, str]]:
    """Runs of base64 that decode to readable text: (start, end, decoded)."""
    found: list[tuple[int, int, str]] = []
    for start, end, run in _base64_runs(text):
        padded = run + "=" * (-len(run) % 4)
        try:
            decoded = base64.b64decode(padded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if len(decoded) >= 8 and _printable_ratio(decoded) > 0.9 and sum(c.isalpha() for c in decoded) * 2 > len(decoded):
            found.append((start, end, decoded))
    return found


@dataclass(frozen=True, slots=True)
class View:
    """One reading of the message; `folded` maps spans back when it is `exact`."""

    text: str
    folded: Folded | None  # None: a decoded view whose spans do not map back
    prompt_only: bool = False  # readings (leet) that would mislead the injection rules

    def __init__(self, text: str, folded: Folded | None, prompt_only: bool = False) -> None:
        """Set through the slots' own setters, as `filters.Message` is (a view or more per message that is
        not all ASCII): the generated `__init__` of a frozen dataclass goes through `object.__setattr__`."""
        _SET_TEXT(self, text)
        _SET_FOLDED(self, folded)
        _SET_PROMPT_ONLY(self, prompt_only)


_SET_TEXT, _SET_FOLDED, _SET_PROMPT_ONLY = (getattr(View, name).__set__ for name in ("text", "folded", "prompt_only"))


# Unicode tag characters: invisible, yet a language model reads them as the ASCII they shadow.
_TAG_CHAR = re.compile("[\U000e0000-\U000e007f]")
_FROM_TAGS = {code: code - 0xE0000 for code in range(0xE0020, 0xE007F)}
# Every tag character deleted, by `str.translate` (C speed): RE2's wrapper's `sub` made a Python call per
# match, 1.2 ms per KB of text written in tag characters.
_NO_TAGS: dict[int, None] = dict.fromkeys(range(0xE0000, 0xE0080))
# A subdivision flag (black flag, tag letters, cancel tag) is the one legitimate use of tag characters.
_FLAG = text_pattern(r"\x{1F3F4}[\x{E0030}-\x{E0039}\x{E0061}-\x{E007A}]{2,6}\x{E007F}")
_SPACED = text_pattern(SPACED)
_SPACED_ONE = re.compile(SPACED)  # the runs themselves: Python's engine walks them in C (no wrapper call each)
_ENGLISH = text_pattern(ENGLISH)
_ROT13_ENGLISH = text_pattern(ROT13_ENGLISH)
_SPLIT = text_pattern(SPLIT)


def hidden_text(text: str) -> str:
    """The ASCII that tag characters in `text` spell (outside subdivision flags), or ""."""
    if text.isascii():  # tag characters are not ASCII; the check is free, the search is not
        return ""
    if _TAG_CHAR.search(text) is None:  # Python's own search: no UTF-8 copy of the text (4 -> 1 µs on chat)
        return ""
    bare = _FLAG.sub("", encodable(text))
    return "".join(chr(_FROM_TAGS[ord(c)]) for c in bare if ord(c) in _FROM_TAGS)


def strip_hidden(text: str) -> str:
    """`text` without tag characters, subdivision flags kept whole."""
    safe = encodable(text)
    kept: list[str] = []
    position = 0
    for flag in _FLAG.finditer(safe):
        start, end = flag.span()
        kept.append(safe[position:start].translate(_NO_TAGS))
        kept.append(safe[start:end])
        position = end
    kept.append(safe[position:].translate(_NO_TAGS))
    return "".join(kept)


_GAPS = re.compile(r"[^a-z]+")


def _despaced(found: object) -> str:
    """A run of letters written apart, as words: the gap written most often is the one between letters,
    any other a gap between words ("i g n o r e  a l l", "i-g-n-o-r-e a-l-l", "i  g  n o  r  e").
    A run with one gap throughout reads as one word (see `spaced_runs`)."""
    run = found.group()  # type: ignore[attr-defined]
    gaps = _GAPS.findall(run)
    between = max(set(gaps), key=gaps.count)
    letters = _GAPS.split(run)
    return letters[0] + "".join(("" if gap == between else " ") + letter for gap, letter in zip(gaps, letters[1:],
                                                                                              strict=True))


def spaced_runs(base_text: str) -> str:
    """Each run of letters written apart in `base_text`, its letters alone (one line each): what
    `prompt.SQUEEZED` reads, for runs with no gap between words ("d i s r e g a r d a l l r u l e s")."""
    return "\n".join(_GAPS.sub("", found.group()) for found in _SPACED_ONE.finditer(base_text))


@dataclass(frozen=True, slots=True)
class Signs:
    """What screens found in the base view: which further readings are worth building."""

    leet: bool
    spaced: bool
    english: bool
    mixed_script: bool
    rot13: bool = False  # words of English in rot13 (`ROT13_ENGLISH`)
    split: bool = False  # a hyphen, an underscore or markdown's marks inside a word (`SPLIT`)


def base_view(text: str) -> View:
    """The plain reading: folded (compatibility forms, case, invisible characters), spans mapped back.

    Text whose every non-ASCII character is known to fold to itself (accents, CJK, most emoji) is only
    lowered and its quotes mapped: what `fold` would make of it, without looking each character up (38 k
    instructions of a 70-character French line, 100 k of a Japanese one)."""
    if text.isascii():
        base = fold(text, casefold=True)
        return View(base.text, base)
    data = text.encode("utf-8", "surrogatepass")
    others = set(data.translate(None, _ASCII).decode("utf-8", "surrogatepass"))  # read once, for both ways
    if _INERT.issuperset(others):
        lowered = data.lower().decode("utf-8", "surrogatepass")  # as `fold` lowers: A-Z only
        quoted = lowered if _QUOTE_CHARS.isdisjoint(others) else _QUOTES(lowered)
        return View(quoted, Folded(text, quoted, None, None if lowered == text else {}))
    base = fold(text, casefold=True, others=others)
    if not base.text.isascii():
        base = base.with_text(encodable(_QUOTES(base.text)))
    _learn(others)
    return View(base.text, base)


# Non-ASCII characters that fold to themselves (case too) and are no lone surrogate (which `encodable`
# rewrites): `base_view` needs only lower the rest and map the quotes. Learnt as texts are folded;
# bounded against hostile variety (past the bound, texts are folded as before).
_INERT: set[str] = set()
_ACTIVE: set[str] = set()  # those known not to be (so a text of them is not looked at twice)
_INERT_MAX = 1 << 16
_ASCII = bytes(range(128))


def _learn(chars: set[str]) -> None:
    """Remember which of the non-ASCII characters `chars` `base_view` may leave as they are."""
    if len(_INERT) + len(_ACTIVE) >= _INERT_MAX:
        return
    for char in chars.difference(_INERT, _ACTIVE):
        inert = not "\ud800" <= char <= "\udfff" and fold_char(char, casefold=True) == char
        (_INERT if inert else _ACTIVE).add(char)


def screen(base: View) -> Signs:
    """The screens run one by one (a caller with a combined scan answers them itself)."""
    text = base.text
    return Signs(_LEET_HINT.search(text) is not None, _SPACED.search(text) is not None,
                 _ENGLISH.search(text) is not None, not text.isascii() and _MIXED_SCRIPT.search(text) is not None,
                 _ROT13_ENGLISH.search(text) is not None, _SPLIT.search(text) is not None)


def other_views(text: str, base: View, signs: Signs, hidden: str | None = None) -> list[View]:
    """Every reading of `text` besides `base` that the rules should see (`hidden`: `hidden_text(text)`,
    when the caller has read it already)."""
    folded = base.folded
    assert folded is not None  # a base view always maps back
    result = []
    if signs.mixed_script and not base.text.isascii():
        result.append(View(_HOMOGLYPHS(base.text), folded))
    if "%" in text or "&" in text or "\\" in text or (not text.isascii() and not _SLASH_CHARS.isdisjoint(text)):
        decoded = decode_layers(text)
        if decoded != text:
            result.append(View(encodable(fold(decoded, casefold=True).text), None))
    if signs.leet:
        result.append(View(_LEET(base.text), folded, prompt_only=True))
    if hidden is None:
        hidden = hidden_text(text)
    if hidden:  # what the tag characters spell, read as a message of its own
        result.append(View(encodable(fold(hidden, casefold=True).text), None))
    if signs.spaced:  # "i g n o r e  a l l": letters spaced one by one
        result.append(View(_SPACED.sub(_despaced, base.text), None, prompt_only=True))
    if signs.split:  # "ig-nore all pre-vious in-structions", "ig**nor**e all": the words read whole
        joined = _joined(base.text)
        if joined is not None:
            result.append(View(joined, None, prompt_only=True))
    if (not signs.english or signs.rot13) and base.text.isascii() and base.text.count(" ") >= 2:
        result.append(View(codecs.encode(base.text, "rot13"), folded, prompt_only=True))  # rot13 maps 1:1
    return result


def _joined(text: str) -> str | None:
    """`text` as a chat client shows it, markdown's marks between two letters gone (any word: bold or struck
    through, it is read whole), and each word of the prompt rules (`_RULE_WORDS`) broken by hyphens or
    underscores written whole (only those: "e-mail" keeps its hyphen); None when nothing changed."""
    shown = _MARKS_IN_WORD.sub("", text)
    changed = shown != text

    def join(found: re.Match[str]) -> str:
        nonlocal changed
        word = found.group()
        whole = word.replace("-", "").replace("_", "")
        if whole in _RULE_WORDS:
            changed = True
            return whole
        return word

    joined = _SPLIT_WORD.sub(join, shown)
    return joined if changed else None


def views(text: str) -> list[View]:
    """Every reading of `text` the rules should see, the plain folded one first."""
    base = base_view(text)
    return [base, *other_views(text, base, screen(base))]
