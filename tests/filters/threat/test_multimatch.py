from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import re2
from hypothesis import given
from hypothesis import strategies as st

from filters.threat import multimatch
from filters.threat.multimatch import Engine, translate
from tests.fuzz.profiles import FUZZ

pytestmark = pytest.mark.skipif(not multimatch.AVAILABLE, reason="no Hyperscan wheel for this platform")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("CHATGUARD_CACHE_DIR", str(where))
    return where


@pytest.mark.parametrize(("pattern", "spelt", "exact"), [
    (r"drop$", r"drop\z", True),
    (r"a\sb", r"a[\t\n\f\r ]b", True),
    (r"[^\s]", r"[^\t\n\f\r ]", True),
    (r"\S", r"[\x00-\x08\x0b\x0e-\x1f\x21-\x{10ffff}]", True),
    (r"\v", r"\x0b", True),
    (r"[]x]{,3}", r"[\]x]\{,3}", True),
    (r"[[:space:]]\d\b", r"[[:space:]]\d\b", True),
    (r"x{0,2}y{1,500}", r"x{0,2}y{1,}", False),
    (r"(?:^|\s)(?:go)(?:$|[.!?])x", r"(?:^|[\t\n\f\r ])(?:go)(?:|[.!?])x", False),  # an end anchor inside
])
def test_spellings(pattern: str, spelt: str, exact: bool) -> None:
    spelling = translate(pattern, loose=True)
    assert spelling is not None and (spelling.text, spelling.exact) == (spelt, exact)


@pytest.mark.parametrize("pattern", [r"(?i)select", r"(?m)^x", r"(?s).", r"(?P<n>a)", r"\Qa.b\E", r"\C", r"\101",
                                     r"\p{^Greek}", r"[^\pM]", r"[abc"])
def test_what_cannot_be_vouched_for_stays_on_re2(pattern: str) -> None:
    assert translate(pattern) is None


def test_counts_stay_as_written_for_a_gate() -> None:
    spelling = translate(r"</?[a-z]{0,30}", loose=False)
    assert spelling is not None and spelling.text == r"</?[a-z]{0,30}" and spelling.exact


CLASSES = [r"\s", r"\S", r"[^\s]", r"\w", r"\W", r"\d", r"\D", r".", r"[^>]", r"\pL", r"\PL", r"\pN",
           r"[\pL\pN-]", r"[^\pL\s]", r"\p{Greek}", r"[[:space:]]", r"[[:^alpha:]]", r"\v", r"[\x{0370}-\x{052f}]"]
POINTS = [point for point in range(1, 0x30000) if not 0xD800 <= point <= 0xDFFF and point != 10 and
          (point < 0x10000 or point % 7 == 0)] + [0xE0001, 0xE0061, 0xF0000, 0x10FFFD, 0x10FFFF]


@pytest.mark.parametrize("klass", CLASSES)
def test_each_class_holds_every_character_re2_s_does(klass: str) -> None:
    """Hyperscan's spelling of a class accepts every character RE2's accepts (the same ones when exact,
    and the same ASCII ones always); one scan over every character of the planes in use, a line each."""
    spelling = translate(klass)
    assert spelling is not None
    # Every match reported (no single-match flag), each ending on the line break after its character.
    database = multimatch._compiled([f"\\n{spelling.text}\\n".encode()],
                                    multimatch._FLAGS & ~multimatch.hyperscan.HS_FLAG_SINGLEMATCH)
    text = "\n" + "\n".join(map(chr, POINTS)) + "\n"
    data = text.encode()
    ends: dict[int, int] = {}
    offset = 1
    for point in POINTS:
        offset += len(chr(point).encode()) + 1
        ends[offset] = point
    got: set[int] = set()
    database.scan(data, match_event_handler=lambda _i, _s, end, _f, _c: got.add(ends[end]))
    wanted = {ord(found.group()) for found in re2.compile("(?m)^" + klass + "$").finditer(text)}
    assert wanted <= got
    assert {point for point in got if point < 128} == {point for point in wanted if point < 128}
    if spelling.exact:
        assert got == wanted


ATOMS = st.sampled_from(["a", "b", "é", "\\s", "\\S", "[^\\s]", "\\w", "\\W", "\\b", "\\B", "\\d", ".", "$", "^",
                         "\\pL", "\\PL", "[\\pL\\d]", "[^\\pL]", "x{0,20}", "a{2,3}", "\\v", "[[:space:]]", "\\n",
                         "(?:a|\\s)", "a*", "\\S+", "\\z", "\\A", "[^a]", "(?:)"])
ALPHABET = st.sampled_from(["a", "b", "x", "é", "É", "1", "_", " ", "\n", "\t", "\x0b", "\x0c", "\r", "\x85",
                            "\u2028", "\u0870", "\u1885", "\u4db6", "\u212a", "ſ", "\u0301", "\U0002b740", "-", "."])


@FUZZ
@given(atoms=st.lists(ATOMS, min_size=1, max_size=4), text=st.lists(ALPHABET, max_size=12).map("".join))
def test_a_spelling_matches_wherever_re2_does(atoms: list[str], text: str) -> None:
    """Patterns made of the pieces the rules use, on text made of the characters the engines could read
    apart: Hyperscan never misses a text RE2 matches, and answers the same where the spelling is exact."""
    pattern = "".join(atoms)
    spelling = translate(pattern, loose=True)
    assert spelling is not None
    engine = Engine([(0, spelling.text)])
    if not engine.indexes:
        return  # refused by Hyperscan (`$a`: "embedded end anchors"): the rule set keeps it on RE2
    found = engine.match(text.encode()) == [0]
    wanted = re2.search(pattern, text) is not None
    assert found or not wanted, (pattern, text)
    if spelling.exact or (spelling.ascii_exact and text.isascii()):
        assert found == wanted, (pattern, text)


def test_a_pattern_hyperscan_refuses_is_left_out() -> None:
    engine = Engine([(0, r"ab"), (1, r"\za"), (2, r"cd")])
    assert engine.indexes == (0, 2) and engine.match(b"ab cd") == [0, 2]


def test_costly_patterns_are_the_ones_with_many_branches_and_gaps() -> None:
    phrases = "|".join(rf"w{index}\s+x{index}\s+y{index}" for index in range(60))
    assert multimatch.costly(rf"(?:{phrases})") and not multimatch.costly(r"\bselect\s+\w+\s+from\b")


# --- The cache of compiled databases --------------------------------------------------------------------

def test_a_compiled_database_is_stored_and_read_back(_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Engine([(3, r"ab+c"), (7, r"zz")])
    [stored] = list(_cache.iterdir())
    assert stored.stat().st_mode & 0o077 == 0 and _cache.stat().st_mode & 0o077 == 0
    compiled: list[object] = []
    monkeypatch.setattr(multimatch, "_compiled", lambda expressions: compiled.append(expressions))
    again = Engine([(3, r"ab+c"), (7, r"zz")])
    assert compiled == [] and again.match(b"--abbbc zz") == first.match(b"--abbbc zz") == [3, 7]


def test_the_cache_keeps_the_most_recently_used_databases(_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multimatch, "CACHE_FILES", 2)
    Engine([(0, "first")])
    [first] = list(_cache.iterdir())
    os.utime(first, (1, 1))
    Engine([(0, "second")])
    Engine([(0, "first")])  # read back: now the most recently used
    Engine([(0, "third")])
    assert len(list(_cache.iterdir())) == 2 and first.exists()


def test_a_damaged_cache_file_is_compiled_again(_cache: Path) -> None:
    Engine([(0, r"ab+c")])
    [stored] = list(_cache.iterdir())
    blob = bytearray(stored.read_bytes())
    blob[-10] ^= 0xFF
    stored.write_bytes(bytes(blob))
    assert Engine([(0, r"ab+c")]).match(b"abc") == [0]
    assert Engine([(0, r"ab+c")]).match(b"xyz") == []


@pytest.mark.parametrize("how", ["open to others", "a file", "empty setting"])
def test_a_cache_that_cannot_be_trusted_is_not_used(how: str, _cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "open to others":
        _cache.mkdir()
        os.chmod(_cache, 0o777)  # noqa: S103 (the point of the test)
    elif how == "a file":
        _cache.write_bytes(b"")
    else:
        monkeypatch.setenv("CHATGUARD_CACHE_DIR", "")
    assert Engine([(0, r"ab+c")]).match(b"abc") == [0]
    assert how == "a file" or not _cache.exists() or list(_cache.iterdir()) == []


def test_threads_scan_one_engine_at_once() -> None:
    """A scan releases the interpreter lock: each thread has its own scratch space."""
    engine = Engine([(0, r"a[^z]{0,40}b"), (1, r"\d{3}")])
    text = ("a" + "x" * 30 + "b 123 ") * 2000
    answers: list[list[int]] = []
    def scan() -> None:
        answers.extend(engine.match(text.encode()) for _ in range(50))
    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 200 and all(sorted(answer) == [0, 1] for answer in answers)


def test_unicode_classes_read_as_any_character_for_the_atom_reader() -> None:
    """The atom reader (`needs`, Python's parser) cannot read `\\pL`; read as any character the pattern
    matches more, so its atoms still hold. Inside brackets it is not rewritten."""
    assert multimatch.any_for_properties(r"x\pL{0,8}\s+[a\]b]\P{Greek}") == r"x[\s\S]{0,8}\s+[a\]b][\s\S]"
    assert multimatch.any_for_properties(r"[\pL-]x") is None
    assert multimatch.any_for_properties(r"\\pL") == r"\\pL"


def test_a_pattern_of_many_phrasings_with_gaps_between_their_words_stays_on_re2() -> None:
    """Compile time grows with branches times gaps: past `COSTLY` a pattern is left to RE2."""
    phrasings = "|".join(f"word{n}\\s+other{n}" for n in range(60))
    pattern = rf"\b(?:{phrasings})\s+(?:{phrasings})"
    assert multimatch.branches_times_gaps(pattern) >= multimatch.COSTLY and multimatch.costly(pattern)
    assert not multimatch.costly(r"\bignore\s+(?:all|any)\s+rules")
