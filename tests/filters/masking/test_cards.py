import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters.masking.cards import CardDetector, network
from tests.filters.masking._cases import card, failing_check_digit

DETECTOR = CardDetector()


def found(text: str) -> list[tuple[str, str]]:
    return [(d.detector, text[d.start:d.end]) for d in DETECTOR.detect(text)]


@pytest.mark.parametrize(("prefix", "length", "name"), [
    ("4", 13, "visa"), ("4", 16, "visa"), ("4", 19, "visa"),
    ("51", 16, "mastercard"), ("55", 16, "mastercard"),
    ("2221", 16, "mastercard"), ("2500", 16, "mastercard"), ("2720", 16, "mastercard"),
    ("34", 15, "amex"), ("37", 15, "amex"),
    ("6011", 16, "discover"), ("644", 16, "discover"), ("65", 19, "discover"), ("622126", 16, "discover"),
    ("300", 14, "diners"), ("36", 14, "diners"), ("38", 16, "diners"),
    ("3528", 16, "jcb"), ("3589", 19, "jcb"),
    ("62", 16, "unionpay"), ("81", 17, "unionpay"),
    ("6304", 12, "maestro"), ("6759", 16, "maestro"), ("5018", 19, "maestro"),
    ("2200", 16, "mir"), ("2204", 19, "mir"),
    ("60", 16, "rupay"), ("508", 16, "rupay"),
    ("506099", 16, "verve"), ("9792", 16, "troy"), ("636", 16, "interpayment"),
])
def test_every_network_is_found(prefix: str, length: int, name: str) -> None:
    number = card(prefix, length)
    assert network(number) == name
    assert found(f"my card: {number} thanks") == [(name, number)]


@pytest.mark.parametrize("number", [
    "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
    "3530111333300000", "30569309025904", "2221000000000009",
])
def test_published_test_numbers(number: str) -> None:
    assert found(number) == [(network(number), number)]


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111",
    "4111 1111-1111.1111", "4111  1111  1111  1111", "3782 822463 10005",
])
def test_separators(text: str) -> None:
    assert found(f"card {text}, exp 12/27") == [(network(text.replace(" ", "").replace("-", "").replace(".", "")), text)]


@pytest.mark.parametrize("text", [
    failing_check_digit("411111111111111"),        # Luhn fails
    failing_check_digit("555555555555444"),
    "2220" + "000000000009",                        # just below the Mastercard 2-series
    card("2721", 16),                               # just above it
    card("4", 15),                                  # Visa never has 15 digits
    card("37", 16),                                 # Amex is 15 digits
    card("7", 16),                                  # no network starts with 7
    "1718000000000",                                # epoch milliseconds
    card("1", 15),                                  # UATP-shaped, no card words around
    card("4", 20),                                  # too long
    "41111111111",                                  # too short
])
def test_not_cards(text: str) -> None:
    assert found(f"number {text} here") == []


@pytest.mark.parametrize("template", [
    "timestamp {gpn16}",
    "created at {gpn16} us",
    "id 550e8400-e29b-41d4-a716-{m12}",
    "sha {m12}ab3d9f7e0c",
    "ORD{v16}",
    "{v16}abc",
])
def test_context_rejects_luhn_valid_lookalikes(template: str) -> None:
    text = template.format(v16=card("4", 16), m12=card("6304", 12), gpn16=card("1946", 16))
    assert found(text) == []


@pytest.mark.parametrize("template", ["since this morning {v16}", "timestamp {v13}", "epoch: {v16}"])
def test_time_words_do_not_hide_a_card_no_clock_could_show(template: str) -> None:
    number = card("4", 16 if "v16" in template else 13)
    text = template.format(v13=number, v16=number)
    assert found(text) == [("visa", number)]


@pytest.mark.parametrize("label", [
    "order number", "Order #", "ticket", "tracking no.", "your parcel", "Bestellnummer:", "Sendungsnummer",
    "número de pedido", "n° de commande", "numero ordine:", "bestelnummer", "przesyłka nr", "sipariş numarası",
    "заказ №", "订单号", "注文番号", "spedizione n.", "rastreio n.o",
])
def test_a_number_labelled_as_an_order_is_no_card(label: str) -> None:
    for number in (card("4", 16), card("51", 16), card("6011", 16)):
        for written in (number, " ".join(number[i:i + 4] for i in range(0, 16, 4))):
            assert found(f"{label} {written} - any news?") == [], (label, written)


@pytest.mark.parametrize("template", [
    "for my order use {n}",               # the label is not the number's: another word between
    "order paid by card {n}",             # a card word beside the order word
    "Bestellung mit Kreditkarte {n}",
    "border {n}",                         # an order word inside another word names nothing
    "recorder {n}",
    "my card number is {n}",
])
def test_a_card_near_an_order_word_is_still_a_card(template: str) -> None:
    number = card("4", 16)
    assert found(template.format(n=number)) == [("visa", number)]


@pytest.mark.parametrize(("text", "value"), [
    ("card 4111\u20131111\u20131111\u20131111 ok", "4111\u20131111\u20131111\u20131111"),   # en dash
    ("card 4111\u20141111\u20141111\u20141111 ok", "4111\u20141111\u20141111\u20141111"),   # em dash
    ("card 4111\u22121111\u22121111\u22121111 ok", "4111\u22121111\u22121111\u22121111"),   # minus sign
    ("card 4111\t1111\t1111\t1111 ok", "4111\t1111\t1111\t1111"),
    ("card 4111/1111/1111/1111 ok", "4111/1111/1111/1111"),
    ("card 4111 1111\n1111 1111 ok", "4111 1111\n1111 1111"),                          # line break
    ("card 4111 1111\r\n1111 1111 ok", "4111 1111\r\n1111 1111"),
    ("card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ok", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"),      # every digit spaced
])
def test_every_separator_people_use(text: str, value: str) -> None:
    assert [text[d.start:d.end] for d in DETECTOR.detect(text)] == [value]


@pytest.mark.parametrize(("prefix", "name"), [("6362970", "elo"), ("5019", "dankort"), ("6703", "bancontact"),
                                              ("606282", "hipercard"), ("9860", "humo"), ("2205", "borica")])
def test_regional_networks(prefix: str, name: str) -> None:
    number = card(prefix, 16)
    assert found(f"pay with {number}") == [(name, number)]


def test_unknown_network_counts_next_to_card_words() -> None:
    number = card("7", 16)
    assert found(f"meine Karte: {number}") == [("card", number)]
    assert found(f"reference {number}") == []


def test_uatp_needs_card_words() -> None:
    number = card("1", 15)
    assert found(f"uatp card {number}") == [("uatp", number)]


def test_card_inside_longer_run_is_found() -> None:
    assert found("ref 12 4111 1111 1111 1111") == [("visa", "4111 1111 1111 1111")]


def test_two_cards() -> None:
    assert len(found("4111111111111111 and 5555555555554444")) == 2


@settings(max_examples=500, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=12, max_size=19),
       head=st.sampled_from(["", "4", "5", "34", "37", "6011", "62", "1", "1946", "3528", "2221", "50", "81", "6362"]))
def test_a_window_is_checked_as_its_prefix_table_and_luhn_say(digits: str, head: str) -> None:
    """`_checked` (kept per digits) answers what the prefix table, the lengths and Luhn say of the window
    whose first seven digits picked the networks, as `_judge` read them before."""
    from filters.masking._numbers import luhn
    from filters.masking.cards import _checked, _entry, candidates

    window = (head + digits)[:19]
    entry = _entry(candidates(window[:7]), len(window))
    name, needs_context = entry if entry else (None, True)
    expected = None if (name is None and not 13 <= len(window) <= 19) or not luhn(window) else (name, needs_context)
    assert _checked(window) == expected


# Any punctuation mark or symbol between a card's groups counts, one mark throughout, in fours; brackets and
# quotation marks enclose, never part.
@pytest.mark.parametrize("mark", [";", "|", "+", "'", "\u00b7", "\u2022", "~", "*", "#", " ; ", " | "])
def test_other_marks_between_groups_of_four(mark: str) -> None:
    number = card("4", 16)
    written = mark.join(number[i:i + 4] for i in range(0, 16, 4))
    assert found(f"my card {written} ok") == [("visa", written)]


@pytest.mark.parametrize("written", [
    "4111;1111;11111111", "4111|1111+1111|1111", "41111;1111;1111;111", "(4111)(1111)(1111)(1111)",
    "\u201c4111\u201d\u201c1111\u201d\u201c1111\u201d\u201c1111\u201d",
])
def test_other_marks_only_in_fours_and_one_mark_throughout(written: str) -> None:
    assert found(f"ref {written} ok") == []


@pytest.mark.parametrize("text", [
    "USPS 9400 1111 1111 1111 1111 54",  # a tracking number of 22 digits in fours: its middle passes Luhn
    "ref 1234.4111.1111.1111.1111", "order 4111|1111|1111|1111|1234|5678",
])
def test_the_middle_of_a_longer_number_in_fours_is_no_card(text: str) -> None:
    assert found(text) == []


def test_a_list_of_cards_in_fours_and_a_named_card_before_more_digits_are_cards() -> None:
    first, second = card("4", 16), card("55", 16)
    listed = " ".join(n[i:i + 4] for n in (first, second) for i in range(0, 16, 4))
    assert [value for _, value in found(f"cards {listed}")] == [listed[:19], listed[20:]]
    named = " ".join(first[i:i + 4] for i in range(0, 16, 4))
    assert found(f"card {named} 1227") == [("visa", named)]


@pytest.mark.parametrize("unit", ["4111|", "1;", "4111\u2022", "4111 | ", "1+", "1'1\u00b7"])
def test_marks_repeated_thousands_of_times_stay_bounded(unit: str) -> None:
    text = unit * 20_000
    assert len(found(text)) <= len(text) // 16


@pytest.mark.parametrize("text", [
    "4437 24981 2025-11-17",  # an id, a ticket and a date in sibling fields, read joined
    "ref 5425 23310 2024/03/09 closed",
    "job 4556 73 1102.17.11.2025",
])
def test_digits_that_run_into_a_date_are_no_card(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1111 2025-11-17",  # a card, then the day it was used
    "17.11.2025 4111 1111 1111 1111",
    "card 4437 24981 2025-11-17",  # card words name it: masked as before
])
def test_a_card_beside_a_date_is_still_a_card(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["visa"]
