import pytest

from filters.masking.email import EmailDetector
from filters.masking.phone import PhoneDetector

EMAIL = EmailDetector()
PHONE = PhoneDetector()


def emails(text: str) -> list[str]:
    return [text[d.start:d.end] for d in EMAIL.detect(text)]


def phones(text: str) -> list[str]:
    return [text[d.start:d.end] for d in PHONE.detect(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("mail john.doe@example.com.", ["john.doe@example.com"]),
    ("<jane+tag@mail.example.co.uk>", ["jane+tag@mail.example.co.uk"]),
    ("a@b.io and c_d@e-f.org", ["a@b.io", "c_d@e-f.org"]),
    ("..x@example.com", ["x@example.com"]),
])
def test_emails(text: str, expected: list[str]) -> None:
    assert emails(text) == expected


@pytest.mark.parametrize("text", ["user@localhost", "a@b.c", "@example.com", "name@-bad.com", "x@1.23"])
def test_not_emails(text: str) -> None:
    assert emails(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("git clone https://jsmith@bitbucket.org/team/repo.git", []),  # a link's user and host
    ("https://paypal.com@evil.example/login", []),  # the threat filter reads the disguise
    ("ftp://anonymous@ftp.example.org/pub and https://x.example/?to=anna@mail.example", ["anna@mail.example"]),
    ("https://anna.nowak@gmail.com", ["anna.nowak@gmail.com"]),  # no path: an address written after a scheme
    ("mailto:anna@mail.example", ["anna@mail.example"]),
])
def test_a_links_user_and_host_are_no_address(text: str, expected: list[str]) -> None:
    assert emails(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("call +1 (415) 555-2671 now", "+1 (415) 555-2671"),
    ("my number +44 20 7946 0958", "+44 20 7946 0958"),
    ("whatsapp +4915112345678", "+4915112345678"),
    ("or 0044 20 7946 0958", "0044 20 7946 0958"),
    ("reach me at (415) 555-2671", "(415) 555-2671"),
    ("it's 415-555-2671.", "415-555-2671"),
    ("it's 415.555.2671", "415.555.2671"),
    ("tel 030 12345678", "030 12345678"),
    ("mobile 07911 123456", "07911 123456"),
    ("phone 01 23 45 67 89", "01 23 45 67 89"),
    ("call me on 4155552671", "4155552671"),
])
def test_phones(text: str, expected: str) -> None:
    assert phones(text) == [expected]


@pytest.mark.parametrize("text", [
    "meet on 2024-01-15 at 10:30",
    "on 15.01.2024 10.30",
    "on 01/15/2024 12 people",
    "order 4155552671 shipped",
    "order #415-555-2671",
    "tracking 415 555 2671",
    "ticket 0301 2345678",
    "card 4111 1111 1111 1111",
    "last digits 1111 2222 3333",
    "costs $1,234.56 or 1.234,56 EUR",
    "zip 94105 or 94105-1234",
    "version 10.0.19045.3803",
    "see https://example.com/call/415-555-2671",
    "4155552671",
    "+1 2",
])
def test_not_phones(text: str) -> None:
    assert phones(text) == []
