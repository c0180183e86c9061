"""The per-field quota of candidate values: past it the rest of a field is withheld (or the
message refused), never let through unexamined; fields under it are untouched."""

from __future__ import annotations

import pytest

from filters import Action
from filters.masking import MaskingFilter
from filters.masking.engine import BUILTIN, WITHHELD, Masker
from filters.testing import run_filter

DENSE = {
    "email": "x@y.com ",
    "card": "4111111111111111 ",
    "iban": "DE89 ",
    "phone": "01 ",
    "secret": "token: abcdefgh1234 ",
    "ssn": "123-45-6789 ",
    "ip": "10.0.0.1 ",
}


@pytest.mark.parametrize("kind", sorted(DENSE))
def test_a_field_past_its_quota_is_withheld_from_the_first_unexamined_candidate(kind: str) -> None:
    masker = Masker(tuple(BUILTIN), max_values=16)
    text = "head " + DENSE[kind] * 400 + "tail"
    found = masker.scan(text)
    assert found[-1].type == WITHHELD
    assert found[-1].end == len(text)
    assert found[-1].start < len(text) - 4 * len(DENSE[kind])  # withheld well before the end
    assert all(d.end <= found[-1].start for d in found[:-1])


def test_values_before_the_cut_keep_their_own_placeholders() -> None:
    masker = Masker(tuple(BUILTIN), max_values=16)
    text = "mail jo@example.com and " + "x@y.com " * 100
    found = masker.scan(text)
    assert (found[0].type, text[found[0].start:found[0].end]) == ("email", "jo@example.com")
    assert found[-1].type == WITHHELD


def test_an_ordinary_message_never_meets_the_quota() -> None:
    text = "card 4111 1111 1111 1111, mail jo@example.com, call +44 20 7946 0958, ip 10.1.2.3"
    assert WITHHELD not in {d.type for d in Masker(tuple(BUILTIN)).scan(text)}


def test_a_long_field_earns_quota_per_64_kb() -> None:
    masker = Masker(("email",), max_values=16)
    assert masker.allowance(65536 * 4) == 64
    sparse = ("x" * 2000 + " a@example.com ") * 60  # 60 addresses in 120 KB: 32 allowed
    assert WITHHELD in {d.type for d in masker.scan(sparse)}
    sparse = ("x" * 4500 + " a@example.com ") * 60  # 60 addresses in 270 KB: 67 allowed
    assert WITHHELD not in {d.type for d in masker.scan(sparse)}


async def test_the_filter_redacts_the_rest_by_default() -> None:
    text = "mail jo@example.com " + "x@y.com " * 100 + "secret tail"
    verdict = await run_filter(MaskingFilter, text, options={"max_values": 16})
    assert verdict.action is Action.MODIFY
    assert verdict.text is not None and verdict.text.startswith("mail [EMAIL] ")
    assert verdict.text.endswith("[REDACTED]") and "x@y.com" not in verdict.text and "tail" not in verdict.text
    assert "max_values" in verdict.reason
    assert verdict.findings[-1].type == WITHHELD


async def test_the_filter_refuses_the_message_when_asked_to() -> None:
    text = "x@y.com " * 100
    verdict = await run_filter(MaskingFilter, text, options={"max_values": 16, "over_max_values": "block"})
    assert verdict.action is Action.BLOCK
    assert "max_values" in verdict.reason


async def test_a_dense_stream_never_lets_a_value_out() -> None:
    stream = MaskingFilter().stream()
    assert stream is not None
    unit = "x@y.com 4111111111111111 "
    text = "hello " + unit * 20_000
    sent = []
    for at in range(0, len(text), 4096):
        sent.append(await stream.feed(text[at:at + 4096]))
    sent.append(await stream.close())
    out = "".join(sent)
    assert "@" not in out and "4111" not in out
    assert out.startswith("hello [EMAIL] [CARD]") and "[REDACTED]" in out


@pytest.mark.parametrize("size", [1, 7, 64])
async def test_a_stream_in_small_chunks_of_ordinary_text_is_not_withheld(size: int) -> None:
    stream = MaskingFilter().stream()
    assert stream is not None
    text = "Sure, your card 4111 1111 1111 1111 is on file; mail jo@example.com or call +1 415-555-0132. " * 30
    sent = []
    for at in range(0, len(text), size):
        sent.append(await stream.feed(text[at:at + size]))
    sent.append(await stream.close())
    out = "".join(sent)
    assert "[REDACTED]" not in out and out.count("[CARD]") == 30 and out.count("[EMAIL]") == 30


def test_a_pasted_log_of_a_hundred_lines_is_not_withheld() -> None:
    log = "".join(f"2024-05-{1 + i % 28:02d} 12:{i % 60:02d}:07,123 INFO [worker-{i % 8}] GET /api/v1/items/{1000 + i} "
                  f"200 took {i % 900} ms from 10.0.{i % 256}.{1 + i % 254}\n" for i in range(100))
    found = Masker(tuple(BUILTIN)).scan(log)
    assert WITHHELD not in {d.type for d in found}
    assert sum(d.type == "ip" for d in found) == 100
