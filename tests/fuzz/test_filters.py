"""The built-in content filters on hostile text: every input gets a verdict that keeps the contract.

A filter that raises fails its message closed on most routes, but on a `fail: open` route the message
passes unexamined, so an input that makes a detector raise is a way around it. The text is built from
the pieces the detectors decode or judge (escapes of every kind, look-alike dots and digits, invisible
and tag characters, links, addresses, card-like runs) glued in random order, so the decoders meet them
half-finished, nested and cut.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filters import Action, AnyFilter, Direction
from filters._contract import verdict_problem
from filters.testing import make_filter, run_stream, tmessage
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import NASTY

PIECES = st.sampled_from([
    "\\x41", "\\x", "\\u0041", "\\u00", "\\U0001F600", "%41", "%2", "%", "%25%32%65", "&#65;", "&#x41;", "&#",
    "&lt;", "&", "\\", "\\\\", "0x41", "\\101", "=41", "+ADw-", "base64,", "PHNjcmlwdD4=", "ZXZhbA",
    "\u200b", "\u200d", "\u2060", "\ufeff", "\U000e0041", "\U000e007f", "\u0301", "\u202e", "\u00ad",
    "．", "。", "｡", "＠", "４１１１", "٤١١١", "−", "–", "—", "/", "\t", "\n", "\r\n", " ", "  ",
    "http://", "https://", "hxxp://", "www.", ".com", ".tk", "xn--", "xn--80ak6aa92e", "@", "user@", "[.]",
    "4111", "1111", "-", ".", "0", "9", "123-45-", "6789", "+1", "(555)", "DE89", "GB", "sk-", "AKIA",
    "eyJ", "ghp_", "password", " is ", "=", ":", "'", "\"", "`", ";", "|", "&&", "$(", "${", "<", ">",
    "<script", "javascript:", "union", "select", "../", "..\\", "ignore", "previous", "instructions",
    "システム", "무시", "تجاهل", "а", "е", "о", "ο", "ɑ", "İ", "ß", "😀", "\x00", "\x7f", "\x85",
    "?u=", "&next=", "%3A%2F%2F", "%253A%252F%252F", "%3a", "://", "rn", "ł", "ʙ", "ь", "c0ffee1.",
])
TEXTS = st.lists(st.one_of(PIECES, NASTY, st.text(max_size=6)), max_size=60).map("".join)
NAMES = ("masking", "threat")


@pytest.fixture(scope="module")
def built() -> Iterator[dict[str, AnyFilter]]:
    """Each filter made once for the module: building the threat rules for every example would dominate."""
    filters = {name: make_filter(name) for name in NAMES}
    yield filters
    loop = asyncio.new_event_loop()
    try:
        for flt in filters.values():
            loop.run_until_complete(flt.aclose())
    finally:
        loop.close()


@FUZZ
@given(text=TEXTS, outbound=st.booleans())
def test_every_text_gets_a_verdict_that_keeps_the_contract(built: dict[str, AnyFilter], text: str,
                                                          outbound: bool) -> None:
    direction = Direction.OUTBOUND if outbound else Direction.INBOUND
    for name, flt in built.items():
        if not flt.handles(direction):
            continue
        verdict = asyncio.run(flt.inspect(tmessage(text, direction=direction)))
        assert verdict_problem(verdict, text) == "", f"{name}: {verdict_problem(verdict, text)}"
        if verdict.action is Action.MODIFY:
            assert isinstance(verdict.text, str)


@FUZZ
@given(pieces=st.lists(TEXTS, min_size=1, max_size=6))
def test_streamed_pieces_come_out_whole_or_masked_never_lost(built: dict[str, AnyFilter],
                                                            pieces: list[str]) -> None:
    streamed = asyncio.run(run_stream(built["masking"], pieces, budget=60.0))  # bytes, not speed
    joined = "".join(pieces)
    if not streamed.findings:
        assert streamed.text == joined
