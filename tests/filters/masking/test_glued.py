"""Values glued to the word that names them, or to a word after them, are masked; the ordinary tokens
that hold the same digits or heads (hashes, order and part numbers, identifiers) are not."""

from __future__ import annotations

import pytest

from filters.masking import Masker
from filters.masking._context import glued_word, lead_kind, trailing_word
from filters.masking.engine import BUILTIN
from filters.masking.secrets import SecretDetector
from tests.filters.masking._cases import card

MASKER = Masker(tuple(BUILTIN))
VISA = "4111111111111111"
TOKEN = "ghp_" + "Zq8Wm3Kd7Pt2" * 3
CARD = card("51", 16)


def found(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start:d.end]) for d in MASKER.scan(text)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("card4111-1111-1111-1111", "card", "4111-1111-1111-1111"),
    (f"CARD{VISA} please", "card", VISA),
    (f"cc_{CARD}", "card", CARD),
    (f"cardno{VISA}", "card", VISA),
    (f"card_number{VISA}", "card", VISA),
    (f"CreditCard{VISA}", "card", VISA),
    (f"Kreditkarte{VISA}", "card", VISA),
    ("tarjeta４１１１１１１１１１１１１１１１", "card", "４１１１１１１１１１１１１１１１"),  # full-width, glued
    (f"{VISA}exp 12/27", "card", VISA),                                      # a word glued after it
    ("4111 1111 1111 1111CVV 123", "card", "4111 1111 1111 1111"),
    ("ssn123-45-6789", "ssn", "123-45-6789"),
    ("SSN123456789", "ssn", "123456789"),
    ("my_ssn_no123-45-6789", "ssn", "123-45-6789"),
    ("ssn123-45-6789xyz", "ssn", "123-45-6789"),
    ("IBANDE89370400440532013000", "iban", "DE89370400440532013000"),
    ("iban_GB82WEST12345698765432", "iban", "GB82WEST12345698765432"),
    ("myIbanCH9300762011623852957 thanks", "iban", "CH9300762011623852957"),
])
def test_a_value_glued_to_its_name_is_masked(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    f"ORD{VISA}",                       # an order number's letters name no card
    f"abcc{VISA}",                      # hex letters ending in "cc": a digest, not a card word
    f"sha de{VISA}", f"{VISA}abc",       # hex words on either side
    "ssn4111111111111111",               # an SSN word glued to a card's digits: neither
    f"card{VISA[:-1]}2",                 # Luhn fails, glued or not
    "PN123-45-6789", "ref 123-45-6789xyz",  # part numbers in the SSN's layout
    "XDE89370400440532013000",           # a country code glued to another word
    "IBANDE89370400440532013001",        # mod-97 fails
    "build 10.0.19045.3803", "uuid 123e4567-e89b-12d3-a456-426614174000",
    "commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "sku AB4111111111111111CD",
])
def test_look_alikes_glued_to_words_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "value"), [
    (f"x{TOKEN}", TOKEN), (f"token{TOKEN}", TOKEN), ("xsk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("keySG.aB3dEfGhIjKlMnOpQr.aB3dEfGhIjKlMnOpQrStUv", "SG.aB3dEfGhIjKlMnOpQr.aB3dEfGhIjKlMnOpQrStUv"),
])
def test_a_provider_token_glued_to_a_word_is_masked(text: str, value: str) -> None:
    assert [text[d.start:d.end] for d in SecretDetector().detect(text)] == [value]


@pytest.mark.parametrize("text", [
    "my_hf_abcdefghijklmnopqrstuvwxyzabcd",   # an identifier: its tail is one lower-case word
    "xAKIAIOSFODNN7EXAMPLE",                  # a bare head ("AKIA") glued to a word is that word
    f"x{TOKEN}x" + "_",                       # glued on both sides
    "monkey-0123456789abcdef0123456789abcdef",  # "key-" is too common a head
])
def test_identifiers_with_token_heads_stay(text: str) -> None:
    assert list(SecretDetector().detect(text)) == []


@pytest.mark.parametrize(("text", "value"), [
    ("DB_PASS=hunter2", "hunter2"), ("MYSQL_PWD=s3cret!", "s3cret!"), ("mypw:hunter2", "hunter2"),
    ("SIM_PIN=4821", "4821"), ("rootpass: Tr0ub4dor", "Tr0ub4dor"),
    ("mật khẩu: matkhau123", "matkhau123"), ("Mật khẩu là matkhau123", "matkhau123"),
    ("kata sandi: rahasia123", "rahasia123"), ("lozinka: tajna123", "tajna123"), ("heslo je tajne123", "tajne123"),
    ("jelszó: titok123", "titok123"), ("ΚΩΔΙΚΟΣ: mystiko123", "mystiko123"), ("סיסמה: sod12345", "sod12345"),
    ("รหัสผ่าน: secret123", "secret123"), ("passord: Hemmelig1", "Hemmelig1"), ("parole: Slepens12", "Slepens12"),
    ("ПАРОЛЬ: QWERTY123Z", "QWERTY123Z"),
])
def test_compact_and_other_languages_password_forms(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize("text", [
    "bypass: N45W", "compass=N45W", "SPIN=1234", "trespass: 12 counts", "overpass: yes", "heslo je povinné",
    "DB_PASS=required",
])
def test_words_ending_like_password_words_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "start", "word", "kind"), [
    ("card4111", 4, "card", "card"), ("my_cc_no4111", 8, "my_cc_no", "card"), ("abcc4111", 4, "abcc", ""),
    ("x" * 30 + "card4111", 34, "", ""), ("9card4111", 5, "", ""), ("ssnumber1", 8, "ssnumber", "ssn"),
    (" 4111", 1, "", ""),
])
def test_the_glued_word_and_what_it_names(text: str, start: int, word: str, kind: str) -> None:
    assert glued_word(text, start) == word
    assert lead_kind(word) == kind


@pytest.mark.parametrize(("text", "end", "expected"), [
    ("1111exp", 4, True), ("1111abc", 4, False), ("1111X", 4, True), ("1111a1", 4, False), ("1111 ok", 4, False), ("1111CVV2", 4, True),
])
def test_a_trailing_word_that_cannot_be_hex(text: str, end: int, expected: bool) -> None:
    assert trailing_word(text, end) is expected


@pytest.mark.parametrize(("text", "kind", "value"), [
    # One letter glued to a value names nothing, but leaves it a value: a key pressed by mistake, or a
    # check's way of hiding it ("a4111...", "078051120x").
    (f"x{VISA}", "card", VISA), ("x4111-1111-1111-1111", "card", "4111-1111-1111-1111"), (f"{VISA}X", "card", VISA),
    (f"sha d{VISA}", "card", VISA),
    ("a4111111111111111", "card", "4111111111111111"), ("see x4111 1111 1111 1111.", "card", "4111 1111 1111 1111"),
    ("4111111111111111x", "card", "4111111111111111"), ("my SSN 234567891x", "ssn", "234567891"),
    ("ssn 234-56-7891x", "ssn", "234-56-7891"), ("SSN: b234-56-7891", "ssn", "234-56-7891"),
])
def test_a_value_glued_to_one_letter_alone(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "ab4111111111111111", "4111111111111111ab1", "a4111111111111111b", "part A123456789 B", "sku 123456789X",
    "0x4111111111111111", "commit a41111111111111111111111111111111111111f",
])
def test_digits_in_words_or_identifiers_with_one_letter_stay(text: str) -> None:
    assert found(text) == []
