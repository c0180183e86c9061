"""A field named for a value holds that value or a part of it: each part of a value split over two fields of
a JSON body is masked in its own field; fields of words, short counts and fields named otherwise stay."""

from __future__ import annotations

import pytest

from filters import Action, Message
from filters.masking import MaskingFilter
from filters.masking.fields import named_kind, named_value

FILTER = MaskingFilter()


def masked(text: str, field: str) -> str:
    verdict = FILTER.inspect_now(Message(text, field=field))
    assert verdict is not None
    if verdict.action is not Action.MODIFY:
        return text
    assert verdict.text is not None
    return verdict.text


@pytest.mark.parametrize(("path", "kind"), [
    ("/card1", "card"), ("/card_part2", "card"), ("/payment/cardNumber", "card"), ("/creditCardNo", "card"),
    ("/cc", "card"), ("/ssn", "ssn"), ("/iban_a", "iban"), ("/phone_prefix", "phone"), ("/phoneNumber", "phone"),
    ("/contact/tel", "phone"), ("/mobilePhone", "phone"), ("/items/0/cardno", "card"),
    ("/hotel_id", ""), ("/telemetry", ""), ("/message", ""), ("/items/0/text", ""), ("/prefix", ""),
    ("/number", ""), ("/discard", ""), ("/scorecard", ""), ("text", ""), ("", ""),
])
def test_the_kind_a_field_name_names(path: str, kind: str) -> None:
    assert named_kind(path) == kind


@pytest.mark.parametrize(("path", "text", "expected"), [
    ("/card1", "4111 1111", "[CARD]"), ("/card2", " 1111 1111", " [CARD]"),
    ("/phone_number", "30 901820", "[PHONE]"), ("/ssn_part", "123-45", "[SSN]"),
    ("/iban_b", "3704 0044 0532 0130 00", "[IBAN]"), ("/iban_a", "DE89 3704", "[IBAN]"),
])
def test_each_part_of_a_split_value_is_masked_in_its_named_field(path: str, text: str, expected: str) -> None:
    assert masked(text, path) == expected


@pytest.mark.parametrize(("path", "text"), [
    ("/card_type", "visa"), ("/card_count", "3"), ("/phone_prefix", "+49"), ("/card_label", "card 12"),
    ("/order_no", "4111 1111"), ("/message", "4111 1111"), ("/card1", "4111 1111 and more words"),
    ("/cardNumber", "1" * 65),
])
def test_words_short_counts_and_other_names_stay(path: str, text: str) -> None:
    assert masked(text, path) == text


def test_a_long_field_of_digits_is_read_as_any_text() -> None:
    long = "4111 1111 1111 1111 " * 5
    assert named_value("card", long) is None
    assert masked(long, "/card") == "[CARD] " * 5
