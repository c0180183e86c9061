from __future__ import annotations

import re

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filters.threat import injection, prompt
from filters.threat.needs import atoms
from filters.threat.ruleset import Rule

RULES = injection.ALL + prompt.PROMPT + prompt.SQUEEZED


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"<script\b", {"<scrip"}),  # cut to MAX_ATOM characters
    (r"\bunion\s+select\b", {"select"}),  # either word would do; the rarer is chosen
    (r"(?:java|vb)script:", {"javasc", "vbscri"}),
    (r"[<>]x", {"<x", ">x"}),
    (r"%(?:25)+2e", {"%"}),
    (r"\b(?:ab)+c?", {"ab"}),
    (r"\$\{[^}]*\}", {"${"}),
])
def test_atoms_every_match_holds(pattern: str, expected: set[str]) -> None:
    assert atoms(pattern) == expected


@pytest.mark.parametrize("pattern", [
    r"a?b?", r".+", r"\w+\s+\d+", r"[^<]+", r"(?:x|\d)y?",  # nothing literal every match must hold
    r"[[:alpha:]]+x",  # a POSIX class: Python reads it as a list of characters
    r"(a)\1",  # a back-reference in Python, an octal escape in RE2
    r"\pL+abc", r"\x{41}bc", r"ab\z",  # escapes Python does not read
    r"(?i)select", r"x(?i:select)",  # case folded: RE2 folds `s` to the long s, `k` to the Kelvin sign
])
def test_patterns_without_atoms_or_read_otherwise_by_python_are_not_screened(pattern: str) -> None:
    assert atoms(pattern) is None


def test_a_count_without_a_lower_bound_is_read_safely() -> None:
    """RE2 reads `a{,3}b` as the literal text `a{,3}b`, Python as up to three `a` then `b`: what Python
    says every match holds must still be in RE2's match."""
    found = atoms(r"a{,3}b")
    assert found and any(atom in "a{,3}b" for atom in found)
    assert re2.search(r"a{,3}b", "a{,3}b")


def _any_of(found: frozenset[str]) -> re2._Regexp:
    return re2.compile("|".join(re2.escape(atom) for atom in found))


@pytest.mark.parametrize("rule", [rule for rule in RULES if atoms(rule.pattern) is not None], ids=lambda r: r.name)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_text_a_rule_matches_holds_one_of_its_atoms(rule: Rule, data: st.DataObject) -> None:
    """Texts built to match each screened rule (by its own pattern, with noise either side): where RE2
    agrees the rule matches, the text holds one of the rule's atoms."""
    found = atoms(rule.pattern)
    assert found
    # ASCII classes, as RE2 reads `\w`, `\d`, `\b`: more of the texts drawn are matches RE2 agrees with
    text = data.draw(st.from_regex(re.compile(rule.pattern, re.ASCII), fullmatch=False))
    if re2.search(rule.pattern, text):
        assert _any_of(found).search(text), (rule.name, text)
