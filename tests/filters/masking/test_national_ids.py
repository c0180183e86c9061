import pytest

from filters.masking.national_ids import SSNDetector, valid_ssn

DETECTOR = SSNDetector()


def found(text: str) -> list[str]:
    return [text[d.start:d.end] for d in DETECTOR.detect(text)]


@pytest.mark.parametrize("text", ["123-45-6789", "123 45 6789", "665-01-0001", "899-99-9999"])
def test_dashed_or_spaced(text: str) -> None:
    assert found(f"it is {text}.") == [text]


@pytest.mark.parametrize("text", [
    "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456",   # invalid areas
    "123-00-4567",                                                # group 00
    "123-45-0000",                                                # serial 0000
    "078-05-1120",                                                # advertised sample
    "123-45.6789", "123-45 6789",                                 # mixed separators: not an SSN layout
    "12345-6789",                                                 # ZIP+4
    "2024-01-15",                                                 # a date
])
def test_rejected(text: str) -> None:
    assert found(f"value {text} here") == []


def test_bare_nine_digits_need_context() -> None:
    assert found("order 123456789 shipped") == []
    assert found("my SSN is 123456789") == ["123456789"]


def test_inside_url_is_not_an_ssn() -> None:
    assert found("see https://example.com/items/123-45-6789") == []


@pytest.mark.parametrize(("digits", "ok"), [("123456789", True), ("12345678", False), ("12345678x", False)])
def test_valid_ssn(digits: str, ok: bool) -> None:
    assert valid_ssn(digits) is ok
