"""Values written the ways a hostile check writes them: broken over lines by any line break, wrapped in
markup, tokens wrapped where a line ended, named by words of other languages; and the look-alikes each
relaxation must leave alone."""

from __future__ import annotations

import pytest

from filters.masking import Masker
from filters.masking.engine import BUILTIN

MASKER = Masker(tuple(BUILTIN))
TOKEN = "ghp_" + "Zq8Wm3Kd7Pt2" * 3


def found(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start:d.end]) for d in MASKER.scan(text)]


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_a_number_broken_by_any_line_break(line_break: str) -> None:
    card = f"4111 1111{line_break}1111 1111"
    assert found(f"card {card} ok") == [("card", card)]
    iban = f"DE89 3704 0044{line_break}0532 0130 00"
    assert found(f"IBAN {iban} ok") == [("iban", iban)]
    ssn = f"123-45{line_break}6789"
    assert found(f"SSN {ssn} ok") == [("ssn", ssn)]


@pytest.mark.parametrize(("text", "value"), [
    ("my SSN 123\n45\n6789", "123\n45\n6789"),     # a break between every group, an SSN word before
    ("ssn 123\t45\t6789", "123\t45\t6789"),
])
def test_ssn_layouts_with_breaks_and_tabs(text: str, value: str) -> None:
    assert found(text) == [("ssn", value)]


@pytest.mark.parametrize("text", [
    "rooms\n123\n45\n6789",                        # lines of numbers, no SSN word
    "see https://example.com/item/123-45-6789",     # a number in a link
    "sipariş PL47 5474 1044 2628 7351 9615 6507",   # a failing IBAN's digits hold a Luhn-valid window
])
def test_number_look_alikes_stay(text: str) -> None:
    assert found(text) == []


def test_a_card_after_an_iban_like_head_alone_is_still_a_card() -> None:
    assert found("DE00 4111 1111 1111 1111") == [("card", "4111 1111 1111 1111")]


@pytest.mark.parametrize(("text", "value"), [
    ("password: **Hunter2!**", "Hunter2!"), ("password: `hunter2`", "hunter2"), ("password: | Eq7pN2GPRMK |", "Eq7pN2GPRMK"),
    ("password: <b>XmA4zC#3Jjs</b>", "XmA4zC#3Jjs"), ("<td>password:</td><td>Kaffee63</td>", "Kaffee63"),
    ("password:\n```\nmonkey1756?\n```", "monkey1756?"), ("password:\n> Hunter1117#", "Hunter1117#"),
    ("password: *Hunter1", "*Hunter1"),                 # a first character that only looks like markup
    ("şifrem: LgocKQ#DSZrLDSZuE", "LgocKQ#DSZrLDSZuE"),  # the word inflected
    ("token: **" + TOKEN + "**", TOKEN),
])
def test_a_password_wrapped_in_markup(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize("text", [
    "password: **required**", "<td>password:</td><td>required</td>", "password:\n```\nchanged\n```",
    "password: `reset`",
])
def test_talk_about_a_password_in_markup_stays(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028", "\x85"])
def test_a_token_wrapped_where_a_line_ended(line_break: str) -> None:
    for cut in (10, 24):  # inside the head's minimum tail, and past it
        text = f"token {TOKEN[:cut]}{line_break}{TOKEN[cut:]} thanks"
        [(kind, value)] = found(text)
        assert kind == "secret" and value == f"{TOKEN[:cut]}{line_break}{TOKEN[cut:]}"


def test_a_whole_token_at_the_end_of_its_line_keeps_the_next_line() -> None:
    assert found(f"use {TOKEN}\nthanks") == [("secret", TOKEN)]


@pytest.mark.parametrize("text", ["the gh\npages branch", "sk-\nlearn is installed", "see eyJ\nabc"])
def test_line_breaks_after_token_heads_without_tokens_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("số an sinh xã hội 187720997", "ssn", "187720997"), ("jaminan sosial 187720997", "ssn", "187720997"),
    ("τηλέφωνο 810 96 55 56", "phone", "810 96 55 56"), ("טלפון 050 123 4567", "phone", "050 123 4567"),
    ("https://shop.example/?step=2&tel=0121%20527%203523", "phone", "0121%20527%203523"),
])
def test_context_words_of_other_languages_and_named_link_parameters(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("email: jörg (dot) müller (at) gmx (dot) de", "email", "jörg (dot) müller (at) gmx (dot) de"),
    ("mail john[at]example[dot]com", "email", "john[at]example[dot]com"),
    ("mail john{at}example{dot}com", "email", "john{at}example{dot}com"),
    ("SSN 808 <span>86</span> 7401", "ssn", "808 <span>86</span> 7401"),
    ("card 4111 <b class='x'>1111</b> 1111 1111", "card", "4111 <b class='x'>1111</b> 1111 1111"),
])
def test_spelt_out_addresses_and_tags_inside_values(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "meet me (at) noon", "I am [at] home", "the <b>bold</b> claim about 2024", "a (dot) matrix printer",
])
def test_brackets_and_tags_without_a_value_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "value"), [
    ("Authorization: Basic YXBwOkh1bnRlcjIh", "YXBwOkh1bnRlcjIh"),          # app:Hunter2!
    ("proxy-authorization: basic Ym9iOnMzY3JldA==", "Ym9iOnMzY3JldA=="),    # bob:s3cret
    ("postgres://app:soleil911!@db7.internal.example:5432/app", "soleil911!"),
    ("https://bob:N4myBgVqB2JdNs@host.example/x", "N4myBgVqB2JdNs"),
    ("redis://:s3cr3t@cache:6379", "s3cr3t"),
])
def test_credentials_in_headers_and_links(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize("text", [
    "the basic idea is simple", "Basic dXNlcg==",                  # base64 of a user without a password
    "Basic aGVsbG8gd29ybGQ=",                                       # "hello world": no colon
    "see https://example.com:8080/a@b", "http://[::1]:8080/", "git clone git@github.com:acme/api.git",
])
def test_no_credentials_there(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("my card 4111,1111,1111,1111 thanks", "card", "4111,1111,1111,1111"),
    ("my card 4111, 1111, 1111, 1111", "card", "4111, 1111, 1111, 1111"),
    ("my SSN 107 - 25 - 1870 thanks", "ssn", "107 - 25 - 1870"),
    ("IBAN DE89 - 3704 - 0044 - 0532 - 0130 - 00", "iban", "DE89 - 3704 - 0044 - 0532 - 0130 - 00"),
    ("IBAN DE89,3704,0044,0532,0130,00", "iban", "DE89,3704,0044,0532,0130,00"),
])
def test_other_separators(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "total 1,234,567,890,123,456", "ids 4111,11111111,1111", "rooms 123,45,6789", "pages 12 - 34 - 5678",
])
def test_commas_and_spaced_hyphens_in_ordinary_numbers_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("card 4111:1111:1111:1111", "card", "4111:1111:1111:1111"),
    ("card 4111_1111_1111_1111 ok", "card", "4111_1111_1111_1111"),
    ("SSN 454:93:5258", "ssn", "454:93:5258"), ("my SSN 834,93,4992 thanks", "ssn", "834,93,4992"),
    ("ssn 123_45_6789", "ssn", "123_45_6789"),
    ("IBAN DE89_3704_0044_0532_0130_00", "iban", "DE89_3704_0044_0532_0130_00"),
    ("IBAN DE89:3704:0044:0532:0130:00", "iban", "DE89:3704:0044:0532:0130:00"),
])
def test_colons_underscores_and_commas_between_a_values_groups(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "at 2024-01-01 12:30:45:123456789", "log 12:30:45:1234:5678:9012",
    "at 123:45:6789", "build_4111111111111111", "v_1234_5678_9012_3456_7", "x 4111:1111_1111:1111",
    "ref SK75:4886:9434:6425:5191:8518",           # an IBAN failing mod-97: its digits are no card
])
def test_times_lists_and_names_with_those_marks_stay(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("_4111 1111 1111 1111_", "card", "4111 1111 1111 1111"), ("__123-45-6789__", "ssn", "123-45-6789"),
    ("~~4111 1111 1111 1111~~", "card", "4111 1111 1111 1111"), ("`123-45-6789`", "ssn", "123-45-6789"),
    ("SSN 280 **26** 4732", "ssn", "280 **26** 4732"),
    ("card 4111 1111 __1111__ 1111", "card", "4111 1111 __1111__ 1111"),
    ("card 4111 ~~1111~~ 1111 1111", "card", "4111 ~~1111~~ 1111 1111"),
    ("IBAN MU17 **BOMM** 0101 1010 3030 0200 000M UR", "iban", "MU17 **BOMM** 0101 1010 3030 0200 000M UR"),
])
def test_markdown_around_and_inside_a_value(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize("text", [
    "see __init__.py and 2 **bold** claims about 2024", "ORDER_**12345678**_X", "**v1.2.3** released at **12:30**",
    "`sha 3f786850e387550fdab836ed7e6dc881de23001b`",
])
def test_markdown_around_ordinary_numbers_stays(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "value"), [
    ("my password is\nhunter2-Blue", "hunter2-Blue"), ("password:\r\nHunter2!", "Hunter2!"),
    ("Passwort:\n\nSommer2024!", "Sommer2024!"), ("mot de passe :\n  Soleil#77", "Soleil#77"),
])
def test_a_password_on_the_next_line(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize("text", [
    "password:\nUsername: bob", "The password is\nrequired for login", "my password is\nnot working",
    "password:\n\n\nHunter2!",                   # two blank lines: another paragraph
])
def test_the_line_after_a_password_word_that_is_no_password_stays(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(("text", "value"), [
    ("password: Bell\na1407", "Bell\na1407"), ("password: Bella\r\n1716!", "Bella\r\n1716!"),
    ("password: WMn968\u2028dCXqnaP", "WMn968\u2028dCXqnaP"), ("Passwort ist\u2028Sommer2024!", "Sommer2024!"),
])
def test_a_password_broken_where_a_line_ended(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize(("text", "value"), [
    ("password: Hunter2\nthanks", "Hunter2"), ("password: Hunter2!\u2028Thanks a lot", "Hunter2!"),
])
def test_the_next_line_after_a_whole_password_stays(text: str, value: str) -> None:
    assert found(text) == [("secret", value)]


@pytest.mark.parametrize("text", [
    "password: changed\n2 days ago", "Passwort ist\u2028see the wiki", "mot de passe :\u2028not working",
])
def test_talk_about_a_password_over_lines_stays(text: str) -> None:
    assert found(text) == []
