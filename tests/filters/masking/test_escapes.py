"""Values behind an escape layer (URL, HTML, JSON string escapes) are masked over their escaped spelling;
text whose escapes hide nothing, and look-alikes behind escapes, stay as they are."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters.masking import Masker
from filters.masking._escapes import unescaped
from filters.masking._quota import Quota
from filters.masking.engine import BUILTIN

MASKER = Masker(tuple(BUILTIN))
CARD = "4111 1111 1111 1111"


def found(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start:d.end]) for d in MASKER.scan(text)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    (f"https://shop.example/pay?card={urllib.parse.quote(CARD)}&x=1", "card", "4111%201111%201111%201111"),
    (f"https://shop.example/pay?card={urllib.parse.quote_plus(CARD)}&x=1", "card", "4111+1111+1111+1111"),
    ("https://shop.example/?ssn=123%2D45%2D6789", "ssn", "123%2D45%2D6789"),
    ("https://shop.example/?step=2&ssn=078+47+4505&lang=en", "ssn", "078+47+4505"),
    ("https://shop.example/?tel=%2B4915123456789&lang=en", "phone", "%2B4915123456789"),
    ("https://shop.example/?email=john%40example.com", "email", "john%40example.com"),
    ("card: " + "".join(f"%{b:02X}" for b in CARD.encode()), "card", "".join(f"%{b:02X}" for b in CARD.encode())),
    ("<p>card 4111&nbsp;1111&nbsp;1111&nbsp;1111</p>", "card", "4111&nbsp;1111&nbsp;1111&nbsp;1111"),
    ("<p>mail john&#64;example&#46;com</p>", "email", "john&#64;example&#46;com"),
    ("IBAN DE89&#x20;3704&#x20;0044&#x20;0532&#x20;0130&#x20;00", "iban",
     "DE89&#x20;3704&#x20;0044&#x20;0532&#x20;0130&#x20;00"),
    ('{"note": "my card 4111\\n1111\\n1111\\n1111"}', "card", "4111\\n1111\\n1111\\n1111"),
    ('{"note": "my card 4111\\u00201111\\u00201111\\u00201111"}', "card", "4111\\u00201111\\u00201111\\u00201111"),
    ('{"note": "my SSN 123\\t45\\t6789"}', "ssn", "123\\t45\\t6789"),
    ('{"note": "IBAN BG10\\tKMJZ\\t1792\\t34GS\\t1FMK\\t3O"}', "iban", "BG10\\tKMJZ\\t1792\\t34GS\\t1FMK\\t3O"),
    (json.dumps({"e": "jörg.müller@gmx.de"}), "email", "j\\u00f6rg.m\\u00fcller@gmx.de"),
    ("<td>password:</td><td>&#72;&#117;&#110;&#116;&#101;&#114;&#50;</td>", "secret",
     "&#72;&#117;&#110;&#116;&#101;&#114;&#50;"),
])
def test_a_value_behind_escapes_is_masked_over_its_spelling(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "C++ and a+b are fine, x=1", "see 50%20 off", "Q&A at 5 &amp; more", "path C:\\new\\table\\x41",
    "https://shop.example/search?q=order+12345678&page=2",
    "https://shop.example/?ref=4111%201111%201111%201112",          # Luhn fails behind escapes too
    "IBAN DE89&#x20;3704&#x20;0044&#x20;0532&#x20;0130&#x20;01",     # mod-97 fails
    '{"id": "123e4567-e89b-12d3-a456-426614174000", "n": "1718000000000\\n"}',
    "https://example.com/item/123-45-6789",                         # a number in a link, no SSN word
    "&lt;password&gt;: required",
])
def test_escapes_that_hide_no_value_change_nothing(text: str) -> None:
    assert found(text) == []


def test_a_value_found_both_ways_is_masked_once() -> None:
    text = "card 4111 1111 1111 1111 and 4111%201111%201111%201111"
    assert found(text) == [("card", CARD), ("card", "4111%201111%201111%201111")]


@pytest.mark.parametrize(("text", "expected"), [
    ("a%20b", "a b"), ("x&#64;y", "x@y"), ("x&nbsp;y", "x\u00a0y"), ("a\\u00e9b", "aéb"), ("\\ud83d\\ude00", "😀"),
    ("\\ud83d", None), ("%E4%F6", "äö"), ("a+b=c", "a b=c"), ("a+b", None), ("&bogus;", None), ("\\q", None),
])
def test_unescaped_text(text: str, expected: str | None) -> None:
    view = unescaped(text)
    assert (view.text if view is not None else None) == expected


_PIECES = st.sampled_from(["%20", "%4", "&#64;", "&amp;", "&x;", "\\n", "\\u0041", "\\ud83d\\ude00", "+", "=", "a",
                           "4111", " ", "é", "&#x1F600;", "%F0%9F%98%80", "\\\\"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join), st.data())
def test_spans_map_back_to_what_they_were_read_from(text: str, data: st.DataObject) -> None:
    """Copied text maps one to one; an escape maps whole; spans never leave the text."""
    view = unescaped(text)
    if view is None:
        return
    start = data.draw(st.integers(0, max(0, len(view.text) - 1)))
    end = data.draw(st.integers(start + 1, len(view.text))) if view.text else 1
    if not view.text:
        return
    a, b = view.span(start, end)
    assert 0 <= a < b <= len(text)


def test_the_second_reading_has_a_quota_of_its_own_and_the_caller_sees_the_lower() -> None:
    text = "x=1 " + " ".join(["4111+1111+1111+1111"] * 5)
    quota = Quota(100)
    assert len(MASKER.scan(text, quota)) == 5
    assert quota.left < 100


@pytest.mark.parametrize(("text", "parts"), [
    ('{"card1":"4111 1111","card2":"1111 1111"}', [("card", "4111 1111"), ("card", "1111 1111")]),
    ('{"card_part1": "4111 1111 ", "card_part2": "1111 1111"}', [("card", "4111 1111 "), ("card", "1111 1111")]),
    ('{"prefix":"+49","number":"30 901820"}', [("phone", "+49"), ("phone", "30 901820")]),
    ('["4111", "1111", "1111", "1111"]', [("card", "4111"), ("card", "1111"), ("card", "1111"), ("card", "1111")]),
    ('{"first": "DE89 3704 0044", "rest": " 0532 0130 00", "ok": true}',
     [("iban", "DE89 3704 0044"), ("iban", " 0532 0130 00")]),
    ('{"a": "SSN 123-45-", "b": "6789"}', [("ssn", "123-45-"), ("ssn", "6789")]),
])
def test_a_number_split_over_two_json_fields_is_masked_in_both(text: str, parts: list[tuple[str, str]]) -> None:
    assert found(text) == parts


@pytest.mark.parametrize("text", [
    '{"email":"a@b.example","name":"Bob"}', '{"id": "12345", "n": "67890", "m": "555"}',
    '{"order": "4111 1111", "qty": "1111 1112"}',                   # Luhn fails across the fields
    '{"version": "1.2.3", "build": "20240101", "time": "12:30:45"}',
    '["2024-01-01", "2024-01-02", "2024-01-03"]',
])
def test_fields_that_make_no_number_together_stay(text: str) -> None:
    assert found(text) == [(d[0], d[1]) for d in found(text) if d[0] == "email"]


def test_an_address_is_never_read_across_fields() -> None:
    assert found('{"email":"a@b.example","name":"Bob"}') == [("email", "a@b.example")]


@pytest.mark.parametrize(("text", "value"), [
    ("write to maria90 AT firma dot co dot uk", "maria90 AT firma dot co dot uk"),
    ("mail me: li DOT wei96 at mail DOT net thanks", "li DOT wei96 at mail DOT net"),
    ("correo: juan arroba ejemplo punto es", "juan arroba ejemplo punto es"),
    ("почта ivan собака example точка ru", "ivan собака example точка ru"),
])
def test_an_address_spelt_out_in_words(text: str, value: str) -> None:
    assert found(text) == [("email", value)]


@pytest.mark.parametrize("text", [
    "I'll be at home, then dot", "look at the report dot docx", "we arrived at base point zero",
    "I'm at work dot com", "have a look at example.com", "meet at the station dot 5", "at 5 dot 30 at the latest",
])
def test_at_and_dot_in_ordinary_sentences_stay(text: str) -> None:
    assert found(text) == []
