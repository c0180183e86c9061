"""SQL fragments read with a SQL grammar: the whole value must parse as SQL past a literal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters._patterns import found, text_pattern
from filters.threat.sql import BREAKOUT, EXPRESSION, MAX_CHARS, OPENING, _letters, _read, asked, fragment
from tests.filters.hostile_text import hostile
from tests.fuzz.profiles import FUZZ


def weight(text: str) -> float:
    found = fragment(text.lower())
    return found[0] if found else 0.0


@pytest.mark.parametrize("text", [
    "bob' OR 7=7 -- ", "kim\" or \"z\"=\"z", "x')) OR (('q'='q", "4) AND (SELECT 3 FROM t)=3",
    "zz' || 'a' LIKE 'a", "7' AND ascii(substr(user(),1,1))>64#", "beta' XOR 2>1 /*", "0' = '0",
    "id=9' and 3 between 1 and 5 --", "q'::text = 'q' --", "lee'; DROP TABLE orders",
])
def test_breakouts(text: str) -> None:
    assert weight(text) >= BREAKOUT


@pytest.mark.parametrize("text", [
    "3 AND 2 NOT LIKE 4", "12 or /* note */ false", "FALSE OR (SELECT ((ASCII(MID", "id=5 and 8=8",
    "-3 UNION ALL SELECT null, @@version --", "1 /*!50000OR*/ 2>1", "2 and length(database())>1",
    "ELT(31=31,7)", "(44=45)*9", "FIELD(2=3,5)", "9b or false --", "5 group by 7 #",
])
def test_expressions(text: str) -> None:
    assert weight(text) >= EXPRESSION


@pytest.mark.parametrize("text", [
    "i like 3 or 4", "it's 5 and 3", "O'Malley and O'Hara", "2 + 2 = 4", "true or false",
    "x = 1 and y = 2", "'yes' or 'no'", "3 or 4 people", "(1 or 2)", "rock 'n' roll or jazz",
    "toffee \"and cream", "SOAP BAR 2 '#", "cheap and cheerful)", "select name from users where",
    "grep -r 'todo*' src", "page=2&sort=\"price\" desc", "I'd say 60% or more", "ok; set it up later",
    "Q=\"old\"+maps&view=list", "we met at 5 or 6, i'm not sure", "a" * 2000 + "' or 1=1",
    "and i like it", "or maybe not", "and so on", "or a few more", "and then (3 + 4) = 7", "or like, whatever",
    "2nd or 3rd", ") or maybe not", "c++ or java", "top 10 order by votes", "5 - 3 = 2 and 2 + 2 = 4",
    "2*3=6 or 3*2=6, same thing",
])
def test_prose_and_code(text: str) -> None:
    assert weight(text) == 0.0


@pytest.mark.parametrize("text", ["/*!", "/*!*/", "+", "++", "id=", ")", ") ", "'", "\"", "0x", "--", "id=+"])
def test_fragments_of_nothing_are_read_not_raised(text: str) -> None:
    assert weight(text) == 0.0


def _letters_stepwise(text: str, at: int) -> str:
    """The word at `at` read a character at a time, as the reader did before it took one regex call."""
    end = at
    while end < len(text) and ("a" <= text[end] <= "z" or end > at and (text[end] == "_" or text[end].isdigit())):
        end += 1
    return text[at:end]


@FUZZ
@given(text=st.text(st.characters(max_codepoint=127), max_size=40), at=st.integers(0, 45))
def test_a_word_is_read_as_character_by_character(text: str, at: int) -> None:
    """Every text the reader sees is ASCII (`fragment` refuses the rest)."""
    assert _letters(text, at) == _letters_stepwise(text, at)


# Words and marks a message may open with: ordinary ones, SQL's leading words and joiners, openers,
# operators, quotes; `fragment` answers some at once, and must answer as reading every context does.
_OPENING = st.sampled_from([
    "hi", "we", "please", "select", "not", "case", "exists", "binary", "sleep", "char", "true", "null", "and", "or",
    "like", "union", "in", "is", "order", "group", "limit", "having", "where", "x", "id", "a1", "_u", "1", "0x1f", "",
    " ", "  ", "\t", "\n", "(", ")", "))", ".", "-", "+", "!", "~", "@", "@@version", "'", '"', "=", "==", "!=", "::",
    "<", ">", "|", "||", "&", "&&", "^", "*", "%", "/*!", "*/", "--", "#", ",", ";", "?", "&id=", "?q=",
])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_OPENING, max_size=10).map("".join))
def test_the_answer_at_once_is_the_reading_in_every_context(text: str) -> None:
    stripped = text.strip()
    read = _read(stripped) if stripped and len(stripped) <= MAX_CHARS and stripped.isascii() else None
    assert fragment(text) == read


_SCREENED = st.one_of(_OPENING, st.sampled_from(["\x0b", "\x0c", "\r", "\x1c", "\x1f", "\u00a0", "\u3000", "A", "Z",
                                                 "intox", "inx", "band", "orx", "ifx", "if", "user_", "Select",
                                                 " or ", " and ", " xor ", "sleep(5)", "1<>2", "true--", "char(65)<>0",
                                                 "exists(select 1)", ") or 1<2", "x or sleep(5)"]),
                      hostile)


@pytest.mark.parametrize("text", ["x or sleep(5)", "A OR 1<>2 --", "u\tor char(65)<>0", "name or exists(select 1)",
                                  "\x1c1 or 1<2", "\x0b) or 1<2", "\x1fsleep(5) or 1<2", "if(1<2,sleep(5),0)"])
def test_fragments_pass_their_screen(text: str) -> None:
    assert fragment(text.lower()) is not None and found(_SCREEN, text.lower())


@settings(max_examples=1500, deadline=None)
@given(st.lists(_SCREENED, max_size=10).map("".join))
def test_fragment_reads_nothing_where_its_screen_does_not_pass(text: str) -> None:
    """`OPENING` is a necessary condition: the threat filter calls `fragment` only where it matches."""
    lowered = text.lower()
    if fragment(lowered) is not None:
        assert found(_SCREEN, lowered)


_SCREEN = text_pattern(OPENING)


def test_the_screen_skips_what_strip_takes() -> None:
    spaces = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
    assert all(found(_SCREEN, space + "sleep(5)") for space in spaces)


@pytest.mark.parametrize(("text", "names"), [
    ("why does `' OR 1=1 --` log me in?", {"quote-boolean", "tautology"}),
    ("¿Por qué `' OR 1=1 --` me deja entrar sin contraseña?", {"tautology"}),
])
def test_a_question_about_a_condition_is_asked(text: str, names: set[str]) -> None:
    assert asked(text, names)


@pytest.mark.parametrize(("text", "names"), [
    ("why does `'; DROP TABLE users; --` delete my table?", {"stacked"}),  # damage
    ("why? ' union select password from users --", {"union-select"}),  # a second query
    ("how long does ' or sleep(5) -- take?", {"quote-boolean", "time-based"}),  # waits
    ("' OR 1=1 -- log me in", {"quote-boolean", "tautology"}),  # no question
    ("why ' OR 1=1 --?", {"quote-boolean", "tautology"}),  # no prose around it
    ("why does this log me in?", set()),  # nothing found
])
def test_damage_a_second_query_or_no_question_is_not_asked(text: str, names: set[str]) -> None:
    assert not asked(text, names)
