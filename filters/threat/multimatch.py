"""Hyperscan as the engine that says which of many RE2 patterns may match a text, in one pass.

RE2 sets build their automaton as they read: on text they have not seen (a long paste, random
bytes) that costs about a millisecond per KB for the threat rules. Hyperscan compiles its automata
ahead of time and reads any text at a few microseconds per KB. It is not the reference, though: the
rules are written for RE2 and RE2 finds each hit's span. So Hyperscan here only names *candidates*,
and a pattern is given to it only in a spelling whose matches include every match RE2 would find:

- `translate` rewrites what Hyperscan reads differently: `$` is the end of the text in RE2 and the end
  or before a final line break in Hyperscan (written `\\z`); `\\s` holds the vertical tab in Hyperscan,
  not in RE2 (written as RE2's four characters and the space, `\\S` as their complement); `\\v` is one
  character in RE2, a class in Hyperscan (written `\\x0b`). Unicode classes (`\\pL`) come from older
  tables in Hyperscan, so they are widened to their ASCII members and every non-ASCII character: exact
  on ASCII text, a superset elsewhere. Counts of `OPEN_COUNT` or more are left open (`x{0,80}` is read
  `x{0,}`: a superset that compiles far faster). Anything else it cannot vouch for (case folding,
  multi-line or other flags, `\\Q`, `\\C`, octal escapes, any escape not on its list) keeps the
  pattern on RE2.
- A pattern whose compilation would take seconds (`costly`) stays on RE2; so does one Hyperscan refuses.
- The caller confirms what is not exact: a rule by running its own RE2 pattern (which it does anyway
  for the span), a gate by running it on texts where its spelling is wider.

Compiled databases are kept on disk (`cache_dir`), keyed by the patterns, their flags and the library's
version, so only the first start with a new rule set pays the compilation (a few seconds for the 153
threat rules and the gates); a directory that cannot be used (missing rights, owned by someone else,
writable by others) means compiling in memory. Without Hyperscan (no wheel for the platform) `AVAILABLE`
is false and every pattern stays on RE2, with the same decisions.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re2

hyperscan: Any
try:
    import hyperscan
except ImportError:  # no wheel for this platform: RE2 answers alone (see `ruleset.RuleSet`)
    hyperscan = None

AVAILABLE = hyperscan is not None
OPEN_COUNT = 16  # a count up to this many or more is left open in a loose spelling (see above)
# Branches times gaps (`\s+`, `\s*`, `.{`) from which a pattern stays on RE2: the English rules over it
# (phrasings of "ignore your instructions": `override` 23,100, `override-world` 5,300, `override-any` 2,700)
# and the language table's. `override-any` alone took 10-12 s to compile, and 25 s more in the two threat
# databases beside the others (a threat filter's build without a cache: 62 s of CPU -> 8 s); the next
# (`override-paraphrase`, 2,500) 0.05 s, the pasted-code gate (2,200) 0.05 s. A stand-in for the compile
# time, which only compiling tells (and compiling is what must not take seconds).
COSTLY = 2600
CACHE_FILES = 32  # compiled databases kept; the least recently used go first (each 0.1-3 MB)
FORMAT = b"chatguard-hs-1\n"  # the cache file's first line; bump it when the spelling rules change
_FLAGS = 0 if hyperscan is None else hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
_COUNT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_PROPERTY = re.compile(r"[pP](?:\{\^?[A-Za-z_]+\}|[A-Za-z])")
_KEPT_ESCAPES = frozenset("abBdDwWtnrfAz")  # read the same by both (ASCII classes, assertions, controls)
_SPACE = r"\t\n\f\r "  # RE2's \s
_NOT_SPACE = r"\x00-\x08\x0b\x0e-\x1f\x21-\x{10ffff}"  # RE2's \S, as class items
_NON_ASCII = r"\x{80}-\x{10ffff}"


@dataclass(frozen=True, slots=True)
class Spelling:
    """A pattern as given to Hyperscan: `exact` it matches the texts RE2's does; `ascii_exact` it does
    so on ASCII text (and more elsewhere); otherwise only a superset."""

    text: str
    exact: bool
    ascii_exact: bool


def translate(pattern: str, *, loose: bool = False) -> Spelling | None:
    """Hyperscan's spelling of the RE2 `pattern` (counts opened if `loose`), or None if not vouched for."""
    out: list[str] = []
    widened = opened = False  # a Unicode class widened; a count opened
    index, size = 0, len(pattern)
    klass: list[str] | None = None  # items of the class being read
    negated = False
    while index < size:
        char = pattern[index]
        if klass is not None:
            if char == "]":
                if "".join(klass) in ("", "^"):
                    return None  # a class emptied by the widening (`[^\\pM]`): not worth spelling
                out.append("[" + "".join(klass) + "]")
                klass = None
                index += 1
            elif pattern.startswith("[:", index):
                end = pattern.find(":]", index + 2)
                if end < 0:
                    return None
                klass.append(pattern[index:end + 2])  # POSIX classes are ASCII in both
                index = end + 2
            elif char == "\\":
                item = _escape(pattern, index, inside=True, negated=negated)
                if item is None:
                    return None
                klass.append(item[0])
                widened |= item[2]
                index += item[1]
            else:
                klass.append(char)
                index += 1
        elif char == "[":
            negated = pattern.startswith("[^", index)
            klass = ["^"] if negated else []
            index += 2 if negated else 1
            if index < size and pattern[index] == "]":  # a leading `]` is a member
                klass.append(r"\]")
                index += 1
        elif char == "\\":
            item = _escape(pattern, index, inside=False, negated=False)
            if item is None:
                return None
            out.append(item[0])
            widened |= item[2]
            index += item[1]
        elif char == "(" and pattern.startswith("(?", index) and not pattern.startswith("(?:", index):
            return None  # flags (case, lines, greed) or named groups: read differently or not at all
        elif char == "$" and loose and pattern[index + 1:].strip(")"):
            # Hyperscan refuses an end anchor with more pattern after it (`(?:$|[.!?])x`): a loose spelling
            # leaves it out, which matches wherever RE2's does.
            opened = True
            index += 1
        elif char == "$":
            out.append(r"\z")
            index += 1
        elif char == "{":
            count = _COUNT.match(pattern, index)
            if count is None:  # a brace that opens no count is a literal in RE2
                out.append(r"\{")
                index += 1
                continue
            low, comma, high = count.groups()
            if loose and comma and high and int(high) >= OPEN_COUNT:
                out.append(f"{{{low},}}")
                opened = True
            else:
                out.append(count.group(0))
            index = count.end()
        else:
            out.append(char)
            index += 1
    if klass is not None:
        return None
    return Spelling("".join(out), not widened and not opened, not opened)


def _escape(pattern: str, index: int, *, inside: bool, negated: bool) -> tuple[str, int, bool] | None:
    """(spelling, characters read, widened) for the escape at `index`, or None."""
    if index + 1 >= len(pattern):
        return None
    letter = pattern[index + 1]
    if not letter.isalnum():
        return pattern[index:index + 2], 2, False
    if letter in _KEPT_ESCAPES:
        return pattern[index:index + 2], 2, False
    if letter == "x":
        hexa = re.compile(r"x(?:\{[0-9A-Fa-f]{1,6}\}|[0-9A-Fa-f]{2})").match(pattern, index + 1)
        return (pattern[index:hexa.end()], hexa.end() - index, False) if hexa else None
    if letter == "s":
        return (_SPACE if inside else f"[{_SPACE}]"), 2, False
    if letter == "S":
        return (_NOT_SPACE if inside else f"[{_NOT_SPACE}]"), 2, False
    if letter == "v":
        return r"\x0b", 2, False
    if letter in "pP":
        found = _PROPERTY.match(pattern, index + 1)
        if found is None or "^" in found.group(0):
            return None
        members = _ascii_members(pattern[index:found.end()])
        if inside and negated:  # a negated class then excludes fewer characters: wider
            return members, found.end() - index, True
        items = members + _NON_ASCII
        return (items if inside else f"[{items}]"), found.end() - index, True
    return None  # \Q, \C, \pN-like forms not listed, octal escapes, \1...: not vouched for


def _ascii_members(escape: str) -> str:
    """The ASCII characters RE2's class `escape` holds, as class items."""
    compiled = re2.compile(escape)
    return "".join(f"\\x{{{code:x}}}" for code in range(128) if compiled.fullmatch(chr(code)))


def any_for_properties(pattern: str) -> str | None:
    """`pattern` with each Unicode class outside a bracket (`\\pL`, `\\P{Greek}`) read as any character,
    so Python's parser, which `needs` reads with, takes it: the pattern then matches a superset, so
    what every match of it must hold, every match of the original holds too. None for a class inside
    brackets (not rewritten)."""
    out: list[str] = []
    index, inside = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            found = _PROPERTY.match(pattern, index + 1)
            if found is not None:
                if inside:
                    return None
                out.append(r"[\s\S]")
                index = found.end()
                continue
            out.append(pattern[index:index + 2])
            index += 2
            continue
        if char == "[" and not inside:
            inside = True
            out.append(char)
            index += 1
            if pattern.startswith("^", index):
                out.append("^")
                index += 1
            if pattern.startswith("]", index):
                out.append("]")
                index += 1
            continue
        if char == "]" and inside:
            inside = False
        out.append(char)
        index += 1
    return "".join(out)


def literals(strings: frozenset[str]) -> str:
    """A pattern matching any of `strings` as spelt, each character written by its code point."""
    return "|".join("".join(char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):x}}}" for char in string)
                    for string in sorted(strings))


def branches_times_gaps(pattern: str) -> int:
    """The stand-in for a pattern's compile time that `COSTLY` bounds."""
    gaps = pattern.count(r"\s+") + pattern.count(r"\s*") + pattern.count(".{")
    return pattern.count("|") * gaps


def costly(pattern: str) -> bool:
    """Whether compiling `pattern` would take seconds (see `COSTLY`)."""
    return branches_times_gaps(pattern) >= COSTLY


def cache_dir() -> Path | None:
    """Where compiled databases are kept: `CHATGUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/chatguard`, else
    `~/.cache/chatguard`; None (compile in memory) when it is set to an empty value."""
    chosen = os.environ.get("CHATGUARD_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chatguard"


class Engine:
    """One Hyperscan database over some patterns; `match` names candidates by the caller's indexes.
    `indexes` holds those it took: a pattern Hyperscan refuses is left out (the caller keeps it on RE2)."""

    def __init__(self, chosen: list[tuple[int, str]]) -> None:
        try:
            self._database = _database([spelling for _, spelling in chosen])
        except hyperscan.error:  # one of them is refused: find which, compiling each alone, and leave it out
            chosen = [(index, spelling) for index, spelling in chosen if _compiles(spelling)]
            self._database = _database([spelling for _, spelling in chosen]) if chosen else None
        self.indexes = tuple(index for index, _ in chosen)
        self._local = threading.local()  # a scratch per thread: a scan releases the interpreter lock

    def match(self, data: bytes) -> list[int]:
        """Caller's indexes of the patterns whose spelling matches `data` (valid UTF-8)."""
        if self._database is None:
            return []
        try:
            scratch = self._local.scratch
        except AttributeError:  # this thread's first scan
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        found: list[int] = []
        self._database.scan(data, match_event_handler=_found, context=found, scratch=scratch)
        if not found:
            return found
        indexes = self.indexes
        return [indexes[which] for which in found]


def _found(which: int, start: int, end: int, flags: int, found: list[int]) -> None:
    found.append(which)


def _database(expressions: list[str]) -> Any:
    """The compiled database, from the cache when it holds this one, else compiled (and stored)."""
    encoded = [expression.encode() for expression in expressions]
    digest = hashlib.sha256(FORMAT + hyperscan.__version__.encode() + str(_FLAGS).encode())
    for expression in encoded:
        digest.update(len(expression).to_bytes(4, "big") + expression)
    name = f"hs-{digest.hexdigest()[:40]}.db"
    where = _usable(cache_dir())
    if where is not None:
        loaded = _load(where / name)
        if loaded is not None:
            return loaded
    database = _compiled(encoded)
    if where is not None:
        _store(where / name, hyperscan.dumpb(database))
    return database


def _compiles(spelling: str) -> bool:
    try:
        _compiled([spelling.encode()])
    except hyperscan.error:
        return False
    return True


def _compiled(expressions: list[bytes], flags: int = _FLAGS) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=list(range(len(expressions))), flags=[flags] * len(expressions))
    return database


def _usable(where: Path | None) -> Path | None:
    """`where`, created if missing, if only this user may write into it; else None."""
    if where is None:
        return None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = where.stat()
    except OSError:
        return None
    if status.st_uid != os.getuid() or status.st_mode & 0o022 or not os.access(where, os.W_OK):
        return None
    return where


def _load(path: Path) -> Any:
    """The database stored at `path` if it is whole (its digest holds), else None."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    head, blob = stored[:len(FORMAT) + 32], stored[len(FORMAT) + 32:]
    if head != FORMAT + hashlib.sha256(blob).digest():
        return None
    try:
        database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    except hyperscan.error:
        return None
    try:
        os.utime(path)  # used: the last to be pruned
    except OSError:
        pass
    return database


def _store(path: Path, blob: bytes) -> None:
    """Write atomically (a reader sees the old file or the whole new one); failures are ignored."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".hs-")
        with os.fdopen(handle, "wb") as out:
            out.write(FORMAT + hashlib.sha256(blob).digest() + blob)
        os.replace(temporary, path)
        stored = sorted(path.parent.glob("hs-*.db"), key=lambda each: each.stat().st_mtime)
        for stale in stored[:-CACHE_FILES]:
            stale.unlink(missing_ok=True)
    except OSError:
        try:
            os.unlink(temporary)
        except (OSError, UnboundLocalError):
            pass
