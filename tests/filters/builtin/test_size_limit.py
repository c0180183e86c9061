import pytest

from filters import Action, Finding
from filters.builtin.size_limit import SizeLimit, cut_utf8, utf8_length
from filters.testing import check_filter, run_filter


@pytest.mark.parametrize("options", [None, {"max_chars": 5, "action": "truncate"}, {"max_bytes": 7, "max_chars": None}])
async def test_conforms(options: dict[str, object] | None) -> None:
    await check_filter(SizeLimit, options)


@pytest.mark.parametrize(("options", "text", "action"), [
    ({"max_chars": 5}, "12345", Action.PASS),
    ({"max_chars": 5}, "123456", Action.BLOCK),
    ({"max_chars": 5}, "", Action.PASS),
    ({"max_bytes": 4, "max_chars": None}, "\u00e9\u00e9", Action.PASS),
    ({"max_bytes": 4, "max_chars": None}, "\u00e9\u00e9a", Action.BLOCK),
    ({"max_bytes": 3, "max_chars": None}, "\ud800", Action.PASS),  # a lone surrogate counts as 3 bytes
    ({"max_bytes": 3, "max_chars": None}, "a\ud800", Action.BLOCK),
])
async def test_blocks_over_the_limit(options: dict[str, object], text: str, action: Action) -> None:
    verdict = await run_filter(SizeLimit, text, options=options)
    assert verdict.action is action


async def test_block_reports_the_excess() -> None:
    verdict = await run_filter(SizeLimit, "x" * 10, options={"max_chars": 4})
    assert verdict.findings == (Finding("oversize", 4, 10),)
    assert verdict.reason == "message exceeds size limit"


@pytest.mark.parametrize(("options", "text", "kept"), [
    ({"max_chars": 3}, "abcdef", "abc"),
    ({"max_bytes": 5, "max_chars": None}, "ab\u20accd", "ab\u20ac"),
    ({"max_bytes": 4, "max_chars": None}, "ab\u20accd", "ab"),  # never half a character
    ({"max_bytes": 4, "max_chars": None}, "\U0001f600\U0001f600", "\U0001f600"),
    ({"max_bytes": 3, "max_chars": 2}, "\u00e9\u00e9\u00e9", "\u00e9"),
])
async def test_truncates_on_a_character_boundary(options: dict[str, object], text: str, kept: str) -> None:
    verdict = await run_filter(SizeLimit, text, options={**options, "action": "truncate"})
    assert verdict.action is Action.MODIFY
    assert verdict.text == kept
    assert verdict.findings == (Finding("oversize", len(kept), len(text)),)


@pytest.mark.parametrize("text", ["", "abc", "\u00e9\u20ac\U0001f600", "a\udc80b"])
def test_utf8_helpers(text: str) -> None:
    size = utf8_length(text)
    assert size == len(text.encode("utf-8", "surrogatepass"))
    for limit in range(size + 1):
        assert utf8_length(cut_utf8(text, limit)) <= limit
        assert text.startswith(cut_utf8(text, limit))
