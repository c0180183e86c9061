from __future__ import annotations

import pytest

from filters.threat import injection, prompt
from filters.threat.ruleset import Rule, RuleSet, select


def test_scan_reports_rule_and_span() -> None:
    rules = RuleSet((Rule("a", "x", 0.5, r"ab+c"), Rule("d", "y", 0.5, r"zz")))
    [hit] = rules.scan("--abbbc--")
    assert (hit.rule.name, hit.start, hit.end) == ("a", 2, 7)


def test_bad_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="weight"):
        RuleSet((Rule("a", "x", 0.0, "a"),))


def test_select_keeps_enabled_categories() -> None:
    chosen = select(injection.ALL + prompt.PROMPT, ["sqli"])
    assert chosen.rules and {rule.category for rule in chosen.rules} == {"sqli"}
    assert select(injection.ALL, []).scan("' or 1=1 --") == []


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in injection.ALL + prompt.PROMPT]
    assert len(names) == len(set(names))


def test_gates_are_answered_by_the_same_scan() -> None:
    rules = RuleSet((Rule("a", "x", 0.5, r"ab+c"),), gates=(r"\d{3}", r"zz", r"^--"))
    hits, gates = rules.match("--abbbc-- 123")
    assert [hit.rule.name for hit in hits] == ["a"]
    assert gates == {0, 2}
    assert rules.match("nothing here") == ([], frozenset())
    assert RuleSet((), gates=(r"q",)).match("q") == ([], frozenset({0}))
