import pytest

from filters.masking.custom import build, keyword_pattern
from filters.options import OptionsError


def spans(detectors, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [text[d.start:d.end] for det in detectors for d in det.detect(text)]


def test_regex_rule() -> None:
    rule = build("employee_id", r"EMP-[0-9]{6}", (), True, "rules[0]")
    assert spans(rule, "ask EMP-123456 or emp-654321") == ["EMP-123456"]


def test_keywords_are_whole_words_and_case_insensitive() -> None:
    rule = build("project", None, ("falcon", "blue harbor"), False, "rules[0]")
    assert spans(rule, "Falcon launch; Blue Harbor; falcons") == ["Falcon", "Blue Harbor"]


def test_keywords_are_literal() -> None:
    assert spans(build("x", None, ("a.b", "(c"), False, "r"), "axb a.b (c") == ["a.b", "(c"]
    assert keyword_pattern(("ab", "abc")).index("abc") < keyword_pattern(("ab", "abc")).index("|")


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(a*)*b", r"(.*a){20}"])
def test_catastrophic_patterns_do_not_hang(pattern: str) -> None:
    # A backtracking engine would not return from this within the lifetime of the universe.
    rule = build("evil", pattern, (), True, "rules[0]")
    assert spans(rule, "a" * 50_000 + "!") in ([], ["a" * 50_000])


@pytest.mark.parametrize(("pattern", "keywords", "path"), [
    (r"(a)\1", (), "filters.mask.options.rules[2].pattern"),
    (r"(?<=x)y", (), "filters.mask.options.rules[2].pattern"),
    (r"[unclosed", (), "filters.mask.options.rules[2].pattern"),
    (r"a*", (), "filters.mask.options.rules[2].pattern"),
    (None, (), "filters.mask.options.rules[2]"),
])
def test_bad_rules_name_the_key(pattern: str | None, keywords: tuple[str, ...], path: str) -> None:
    with pytest.raises(OptionsError) as error:
        build("x", pattern, keywords, True, "filters.mask.options.rules[2]")
    assert error.value.path == path
