from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from filters._patterns import encodable
from filters.threat import injection, multimatch, prompt
from filters.threat.detect import GATES, Detector
from filters.threat.needs import atoms
from filters.threat.normalise import base_view
from filters.threat.ruleset import GROUP, Rule, RuleSet, screen, select
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import NASTY


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


# --- The pre-screen: rules whose atoms a text does not hold are not run ---------------------------------

DATA = Path(__file__).parents[2] / "data"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpora" / "threat_dev.jsonl"
ALL_RULES = injection.ALL + prompt.PROMPT
ALL_CATEGORIES = {rule.category for rule in ALL_RULES}


def _corpus() -> list[str]:
    texts = [json.loads(line)["text"] for line in (DATA / "threat_cases.jsonl").read_text(encoding="utf-8").splitlines()]
    for path in sorted((Path(__file__).parent / "cases").glob("*.yaml")):
        texts += [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    texts += (DATA / "ordinary_urls.txt").read_text(encoding="utf-8").splitlines()
    if SHARED.is_file():  # the development corpus, where it sits beside the repository
        texts += [json.loads(line)["text"] for line in SHARED.read_text(encoding="utf-8").splitlines()]
    return texts


# Characters the two engines could read apart: the vertical tab (in Hyperscan's `\s`, not RE2's), line
# breaks before the end (`$`), letters and digits newer than Hyperscan's Unicode tables (U+0870, U+4DB6,
# U+0D58) and one it calls a letter and RE2 does not (U+1885), the Kelvin sign and long s, a combining mark.
ENGINE_EDGES = ["\x0b", "\n", "\r\n", "\u0870", "\u4db6", "\u0d58", "\u1885", "\u212a", "\u017f", "\u0301", "\x85",
                "\u2028", "\x0c", "\U0002b740"]


def _hostile(seed: int, count: int) -> list[str]:
    """Attack texts disguised the ways the views undo, and noise: escapes, case and look-alike letters
    (RE2 folds `k` to the Kelvin sign, `s` to the long s), scripts mixed, random printable and random bytes,
    and characters the engines could read apart (`ENGINE_EDGES`) put anywhere, at the end too."""
    generator = random.Random(seed)
    attacks = [text for text in _corpus() if len(text) < 400][:400]
    def disguise(text: str) -> str:
        how = generator.randrange(9)
        if how == 7:
            return "".join(char + (generator.choice(ENGINE_EDGES) if generator.random() < 0.2 else "") for char in text)
        if how == 8:
            return text + generator.choice(ENGINE_EDGES)
        if how == 0:
            return "".join(f"%{ord(char):02x}" if char.isascii() and generator.random() < 0.5 else char for char in text)
        if how == 1:
            return text.upper()
        if how == 2:
            return text.replace("k", "\u212a").replace("s", "\u017f").replace("K", "\u212a")
        if how == 3:
            return "".join(char + generator.choice(["", "\u200b", " ", "\u0301"]) for char in text)
        if how == 4:
            return text.replace("a", "а").replace("o", "ο").replace("e", "е")  # Cyrillic and Greek look-alikes
        if how == 5:
            return "".join(generator.choice(string.printable) for _ in range(generator.randrange(1, 600)))
        return bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400))).decode("utf-8", "replace")
    texts = []
    for _ in range(count):
        text = disguise(generator.choice(attacks))
        if generator.random() < 0.3:  # glued to another, or cut
            text = text[: generator.randrange(len(text) + 1)] + disguise(generator.choice(attacks))
        texts.append(text)
    return texts


@pytest.fixture(scope="module", params=["hyperscan", "re2-screened"])
def both(request: pytest.FixtureRequest) -> tuple[RuleSet, RuleSet]:
    """The rule set as built (Hyperscan naming candidates, RE2 for the rest), or RE2 alone with the
    pre-screen; and the reference: every rule in RE2 sets run on every text."""
    screened = select(ALL_RULES, ALL_CATEGORIES, GATES)
    if request.param == "re2-screened":
        screened = RuleSet(screened.rules, screened.gates, engine=False)
    return screened, RuleSet(screened.rules, screened.gates, prescreen=False, engine=False)


def _answer(rules: RuleSet, text: str) -> tuple[list[tuple[str, int, int]], frozenset[int]]:
    hits, gates = rules.match(text)
    return [(hit.rule.name, hit.start, hit.end) for hit in hits], gates


def test_nearly_every_rule_is_screened() -> None:
    """The screen pays only while ordinary chat skips most sets: a rule the analysis could not read runs
    on every text, so their number stays small."""
    unread = [rule.name for rule in ALL_RULES if atoms(rule.pattern) is None]
    assert len(unread) <= 8, unread


def test_a_chat_message_skips_the_sets_of_rules_it_names_no_atom_of() -> None:
    screened = RuleSet(ALL_RULES, GATES, engine=False)
    chat = "Hi, could you check my order from last week? The parcel never arrived and I would like a refund."
    assert screened._screen is not None and list(screened._screen.Match(base_view(chat).text.encode())) == []
    assert screened.match(base_view("<script>alert(1)</script>").text)[0]


def test_screened_sets_answer_as_every_set(both: tuple[RuleSet, RuleSet]) -> None:
    """The bundled corpora and generated hostile text, as sent and as the base view reads them: the same
    hits with the same spans and the same gates, whether the screen skipped sets or not."""
    screened, every = both
    for text in _corpus() + _hostile(20261206, 3000):
        for view in (text, base_view(encodable(text)).text):
            assert _answer(screened, view) == _answer(every, view), view


@FUZZ
@given(text=st.lists(st.one_of(NASTY, st.sampled_from(_corpus()[:300]), st.sampled_from(ENGINE_EDGES),
                               st.text(max_size=12)), max_size=20).map("".join))
def test_screened_sets_answer_as_every_set_on_any_text(both: tuple[RuleSet, RuleSet], text: str) -> None:
    screened, every = both
    text = encodable(text)
    assert _answer(screened, text) == _answer(every, text)


def test_detector_decides_the_same_with_the_screen() -> None:
    """Whole analyses (every view, the decoders, base64, links) with and without the screen."""
    screened, every = Detector(), Detector()
    every._rules = RuleSet(every._rules.rules, every._rules.gates, prescreen=False, engine=False)
    every._prompt = RuleSet(every._prompt.rules, every._prompt.gates, prescreen=False, engine=False)
    for text in _corpus() + _hostile(7, 1500):
        assert screened.analyse(text) == every.analyse(text), text


# --- Hyperscan names the candidates (see `multimatch`) ---------------------------------------------------

def test_hyperscan_answers_nearly_every_rule_and_gate() -> None:
    """Only the rules whose compilation would take seconds stay in RE2 sets."""
    built = select(ALL_RULES, ALL_CATEGORIES, GATES)
    assert built._engine is not None
    kept = [rule.name for index, rule in enumerate(built.rules) if index not in built._engine.indexes]
    # two English rules of many phrasings, four of the bot's orders and new self (`orders`, `override-given`),
    # and the rules of every language's grammar (`tongues`)
    assert kept == [rule.name for rule in built.rules if multimatch.costly(rule.pattern)] and len(kept) <= 20
    assert set(range(len(built.rules), len(built.rules) + len(GATES))) <= set(built._engine.indexes)


def test_without_hyperscan_the_re2_sets_decide_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform with no Hyperscan wheel builds RE2 sets only, with the same answers."""
    monkeypatch.setattr(multimatch, "AVAILABLE", False)
    plain = select(ALL_RULES, ALL_CATEGORIES, GATES)
    monkeypatch.undo()
    built = select(ALL_RULES, ALL_CATEGORIES, GATES)
    assert plain._engine is None and built._engine is not None
    for text in _corpus()[:600] + _hostile(11, 300):
        assert _answer(plain, text) == _answer(built, text), text


def test_a_gate_spelt_wider_is_confirmed_on_text_where_it_is_wider() -> None:
    """`\\pL` is given to Hyperscan as ASCII letters and every non-ASCII character: on such text the
    gate is asked of RE2 too, so a symbol does not pass for a letter."""
    rules = RuleSet((), gates=(r"[\pL\pN-]\.\pL{2}",))
    assert rules.match("see example.org") == ([], frozenset({0}))
    assert rules.match("see d\u00e9j\u00e0.vu") == ([], frozenset({0}))
    assert rules.match("a.\u2603\u2603") == ([], frozenset())  # snowmen are not letters


def test_end_of_text_and_vertical_tab_read_as_re2_reads_them() -> None:
    rules = RuleSet((Rule("end", "x", 0.5, r"drop$"), Rule("word", "x", 0.5, r"a\Sb")), gates=(r"x\s$",))
    assert rules.match("drop\n") == ([], frozenset())  # Hyperscan's `$` alone would match before the break
    assert [hit.rule.name for hit in rules.scan("a\x0bb")] == ["word"]  # \S holds the tab in RE2
    assert rules.match("x\x0b") == ([], frozenset())


def test_a_rule_left_to_re2_is_screened_by_its_atoms_in_the_same_scan() -> None:
    """A rule too costly for Hyperscan to compile runs in no RE2 set when `needs` can tell its atoms:
    Hyperscan looks for them, and the rule's own pattern confirms."""
    phrases = "|".join(rf"w{index}\s+x{index}\s+y{index}" for index in range(60))
    costly = Rule("costly", "x", 0.5, rf"\bgo\s+(?:{phrases})\b")
    assert multimatch.costly(costly.pattern)
    rules = RuleSet((costly, Rule("plain", "x", 0.5, r"zz")))
    assert rules._screens and not rules._always and not rules._screened
    assert not select(ALL_RULES, ALL_CATEGORIES, GATES)._always  # every rule and gate in the one scan
    assert [(hit.rule.name, hit.start, hit.end) for hit in rules.scan("then go  w7 x7\ny7 now")] == [("costly", 5, 17)]
    assert rules.match("go w7 x8 y7, go w7") == ([], frozenset())
