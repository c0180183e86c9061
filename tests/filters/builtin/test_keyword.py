import pytest

from filters import Action, Finding, OptionsError
from filters.builtin import keyword
from filters.builtin.keyword import Keyword, skeleton
from filters.testing import check_filter, make_filter, run_filter

REPLACE = {"words": ["bad", "very bad thing", "Straße"], "action": "replace", "replacement": "#"}


@pytest.mark.parametrize("options", [{"words": ["bad"]}, REPLACE])
async def test_conforms(options: dict[str, object]) -> None:
    await check_filter(Keyword, options)


@pytest.mark.parametrize("text", [
    "bad", "BAD", "Bad!", "so bad.", "(bad)", "x-bad-y", "bad_ bad",
    "\uff22\uff21\uff24",            # full width
    "b\u200bad",                       # zero-width space inside
    "b\u00adad",                       # soft hyphen
    "\u202ebad\u202c",                 # RTL override around it
    "b\u0301a\u0308d",                 # combining accents
    "\u1d2e\u1d2c\u1d30",              # modifier letters that fold to B A D
    "\U0001d41b\U0001d41a\U0001d41d",  # mathematical bold
    "ok\nbad\tok",
    "\ud800 bad \udfff",               # lone surrogates around it
])
async def test_blocks_disguised_words(text: str) -> None:
    verdict = await run_filter(Keyword, text, options={"words": ["bad"]})
    assert verdict.action is Action.BLOCK, text


@pytest.mark.parametrize("text", ["badge", "abad", "bad_", "bad1", "b-ad", "b ad", "\u0431ad", "", "bа\u0434"])
async def test_passes_other_words(text: str) -> None:
    verdict = await run_filter(Keyword, text, options={"words": ["bad"]})
    assert verdict.action is Action.PASS, text


@pytest.mark.parametrize(("text", "expected"), [
    ("bad", "#"),
    ("bad bad,bad", "# #,#"),
    ("a \uff22\uff21\uff24 day", "a # day"),
    ("a b\u200bad day", "a # day"),
    ("b\u0301ad!", "#!"),
    ("that very bad thing", "that #"),
    ("that very bad things", "that very # things"),
    ("STRASSE und stra\u00dfe", "# und #"),
    ("\u00e9 bad \u00e9", "\u00e9 # \u00e9"),
    ("\U0001f600bad\U0001f600", "\U0001f600#\U0001f600"),
    ("nothing here", "nothing here"),
])
async def test_replaces_the_exact_original_span(text: str, expected: str) -> None:
    verdict = await run_filter(Keyword, text, options=REPLACE)
    assert (verdict.text if verdict.action is Action.MODIFY else text) == expected


async def test_findings_point_into_the_original() -> None:
    text = "x \uff22\uff21\uff24 y b\u200bad"
    verdict = await run_filter(Keyword, text, options={"words": ["bad"], "action": "replace"})
    assert verdict.findings == (Finding("keyword", 2, 5), Finding("keyword", 8, 12))
    assert [text[f.start:f.end] for f in verdict.findings] == ["\uff22\uff21\uff24", "b\u200bad"]


async def test_many_adjacent_words_stay_linear() -> None:
    text = "bad " * 50_000
    # Linear work takes a fraction of a second; quadratic work would take minutes. The budget is set
    # far above the former so that a loaded machine cannot fail it, and far below the latter.
    verdict = await run_filter(Keyword, text, options={"words": ["bad"], "action": "replace"}, budget=5.0)
    assert verdict.text == "*** " * 50_000


async def test_words_are_literal_not_patterns() -> None:
    flt = make_filter(Keyword, {"words": ["a.c", "(x+)+$"]})
    assert (await run_filter(flt, "abc")).action is Action.PASS
    assert (await run_filter(flt, "a.c")).action is Action.BLOCK
    assert (await run_filter(flt, "(x+)+$ tail")).action is Action.BLOCK


def test_an_oversized_word_list_is_an_option_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyword, "_MAX_MEM", 1 << 20)  # a smaller cap keeps the test fast
    words = [f"w{i}x{'y' * 40}" for i in range(5_000)]
    with pytest.raises(OptionsError, match=r"^filters.keyword.options: rejected by filter 'keyword': word list"):
        make_filter(Keyword, {"words": words})


@pytest.mark.parametrize(("text", "expected"), [
    ("ABC", ("abc", None)),
    ("\uff21b", ("ab", (0, 1))),
    ("a\u0301b", ("ab", (0, 2))),
    ("\u00df", ("ss", (0, 0))),
    ("\ud800", ("\ufffd", (0,))),
])
def test_skeleton_maps_back(text: str, expected: tuple[str, object]) -> None:
    assert skeleton(text) == expected
