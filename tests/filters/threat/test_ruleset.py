from __future__ import annotations

import random
import string

import pytest

from filters.threat import injection, prompt
from filters.threat.ruleset import GROUP, Rule, RuleSet, screen, select


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


def test_rules_past_the_first_set_are_found_with_their_own_names_and_spans() -> None:
    """Rules are compiled into several RE2 sets (`GROUP` each): every rule, in whichever set, reports as
    itself, and gates still come after all the rules."""
    count = 3 * GROUP + 5
    rules = RuleSet(tuple(Rule(f"r{i}", "x", 0.5, rf"\bw{i}x\b") for i in range(count)), gates=(r"\bgate\b",))
    text = " ".join(f"w{i}x" for i in range(0, count, 7)) + " gate"
    hits, gates = rules.match(text)
    assert [hit.rule.name for hit in hits] == [f"r{i}" for i in range(0, count, 7)]
    assert all(text[hit.start:hit.end] == f"w{hit.rule.name[1:]}x" for hit in hits)
    assert gates == {0}


def test_fresh_random_text_hides_no_attack() -> None:
    """A long text of random bytes the automata have never seen still gets its rules' hits (a set whose
    automaton ran out of memory would answer none)."""
    generator = random.Random(7)
    noise = "".join(generator.choice(string.printable) for _ in range(200_000))
    rules = select(injection.ALL + prompt.PROMPT, {rule.category for rule in injection.ALL + prompt.PROMPT})
    names = {hit.rule.name for hit in rules.scan(noise + " ; cat /etc/passwd ")}
    assert names & {hit.rule.name for hit in rules.scan("; cat /etc/passwd")}


def test_a_wide_count_is_left_open_in_the_sets_and_confirmed_by_the_rule() -> None:
    """The sets run `x{0,500}` as `x{0,}` (a smaller automaton); the rule's own pattern then decides, so a
    hit past the count is not reported and one within it is, with the rule's span."""
    assert screen(r"<a[^>]{0,500}?on=") == r"<a[^>]{0,}?on=" and screen(r"a{2,30}\{1,900}") == r"a{2,30}\{1,900}"
    rules = RuleSet((Rule("handler", "xss", 0.5, r"<a[^>]{0,500}?\son="),))
    near, far = "<a" + "x" * 400 + " on=", "<a" + "x" * 600 + " on="
    assert [(hit.rule.name, hit.start, hit.end) for hit in rules.scan(near)] == [("handler", 0, len(near))]
    assert rules.match(far) == ([], frozenset())
