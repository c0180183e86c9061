import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize("address", ["राज@उदाहरण.भारत", "प्रिया.शर्मा@example.भारत", "kumar@உதாரணம்.இந்தியா",
                                     "nimal@උදාහරණ.ලංකා", "ravi@ఉదాహరణ.భారత్"])
def test_an_address_under_an_indic_top_level_domain(address: str) -> None:
    """Vowel signs and viramas are combining marks: a top-level domain of an Indic script holds them."""
    assert emails(f"mail {address} thanks") == [address]


def test_a_top_level_domain_starting_with_a_mark_is_none() -> None:
    assert emails("mail a@example.\u093eभ now") == []


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


@pytest.mark.parametrize(("text", "expected"), [
    ("call 011 44 20 7946 0958", "011 44 20 7946 0958"),        # from North America
    ("call 0011 49 30 12345678 thanks", "0011 49 30 12345678"),  # from Australia
    ("TEL 010 33 1 23 45 67 89", "010 33 1 23 45 67 89"),        # from Japan
    ("ring 8 10 49 30 1234567", "8 10 49 30 1234567"),           # from Russia ("8~10": a tone between)
    ("my number 00 290 8913", "00 290 8913"),                    # a plan of four digits, after a phone word
    ("8~10 44 20 7946 0958 thanks", "8~10 44 20 7946 0958"),     # from Russia, the wait for the tone written
    ("ring 0~0 49 30 1234567", "0~0 49 30 1234567"),             # from Ukraine, as libphonenumber writes it
    ("call 0021 44 20 7946 0958", "0021 44 20 7946 0958"),       # from Brazil, a carrier's code in the prefix
    ("call 005 44 20 7946 0958", "005 44 20 7946 0958"),         # from South Korea, another carrier's
    ("phone 0 44 20 7946 0958", "0 44 20 7946 0958"),            # from Cape Verde or Samoa, after a phone word
    ("my number +290 8913", "+290 8913"),                        # a plan of four digits after "+" and a word
])
def test_a_number_dialled_from_another_country(text: str, expected: str) -> None:
    assert phones(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("call tel:+44-20-7946-0958 thanks", "tel:+44-20-7946-0958"),
    ("<a href='tel:+1-415-555-2671'>", "tel:+1-415-555-2671"),
    ("TEL:+49-30-1234567", "TEL:+49-30-1234567"),
])
def test_a_tel_uri_is_masked_whole(text: str, expected: str) -> None:
    """A `tel:` URI (RFC 3966) names the number: its scheme goes with it, as an address goes with its domain."""
    assert phones(text) == [expected]


@pytest.mark.parametrize("text", [
    "version 00 290 8913",          # a short plan without a phone word
    "order 011 2345 6789",          # an order word
    "ref 010 123 4567 8901",        # no plan: 1 234... is no possible North American length
    "build 0112345678901",          # the prefix not a group of its own
    "0 44 20 7946 0958",            # a prefix of one digit without a phone word
    "see 99 66 29 68 95 37 8",      # "99" (North Korea's other prefix, Finland's carriers') leads too much else
    "ratio 1~2 3456 7890",          # a tone mark with no prefix before it
])
def test_what_follows_a_dialling_prefix_must_be_a_number_of_a_plan(text: str) -> None:
    assert phones(text) == []


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


@settings(max_examples=300, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=6), seed=st.integers(0, 10**17))
def test_date_like_reads_the_groups_as_their_sums_would(sizes: list[int], seed: int) -> None:
    """`_date_like` slices the first three groups at once: the same answer as reading each group from the sums
    of the sizes before it, for any layout and digits (dates, near-dates, zeros)."""
    from filters.masking.phone import _date_like

    digits = str(seed).zfill(sum(sizes))[:sum(sizes)]
    expected = False
    if len(sizes) >= 3 and sizes[:3] in ([2, 2, 4], [1, 2, 4], [2, 1, 4], [2, 2, 2], [4, 2, 2], [1, 1, 4]):
        a, b, c = (int(digits[sum(sizes[:k]):sum(sizes[:k + 1])]) for k in range(3))
        expected = (1 <= b <= 12 and 1 <= c <= 31) if sizes[0] == 4 else (
            (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31))
    assert _date_like(sizes, digits) == expected


def _every_window(text: str, offsets: list[int], sizes: list[int], index: int, plus: bool,
                  words: bool) -> tuple[int, str, float] | None:
    """Every window of 7-17 digits from group `index` judged in turn by `_layout`, the last phone kept."""
    from filters.masking.phone import _layout

    if index and text[offsets[index] - 1:offsets[index]] == ".":
        return None
    best = None
    total = 0
    digits = ""  # the window's digits: its groups (all digits) one after another
    for last in range(index, min(len(sizes), index + 8)):
        total += sizes[last]
        digits += text[offsets[last]:offsets[last] + sizes[last]]
        if total > 17:
            break
        if total >= 7:
            name = _layout(digits, sizes[index:last + 1], plus, words,
                           text[offsets[index]:offsets[last] + sizes[last]])
            if name is not None:
                best = (last, name, 0.95 if words or name == "phone_international" else 0.8)
    return best


_PHONE_PARTS = st.sampled_from(
    ["0", "1", "06", "12", "34", "555", "0100", "2025550123", "44", "7946", "020", "+", "+1 ", "00", "8", "(0)", "(",
     ")", " ", "  ", "-", ".", "/", "\t", "\u2013", "call ", "order ", "my number is ", "tel: ", "x", "://", "a1"])


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PHONE_PARTS, max_size=50))
@example(parts=["call 0612345678-0698765432 or 06 12 34 56 78 06 98 76 54 32"])  # windows after windows
@example(parts=["call 0612345678.0698765432"])  # a dot before a window ends the run
@example(parts=["tel: +44 (0)20 7946 0958, 2025550123 2025550123 01 01 01 01 01 01 01 01"])
def test_the_longest_window_judged_first_finds_what_every_window_judged_does(parts: list[str]) -> None:
    """`_window` reads the text of its groups alone (`_longest`, kept per text), judges the windows longest
    first and stops at a phone (`_layout_of`, kept per written window): the same detections as judging every
    window of the run with `_layout` and keeping the last phone."""
    text = "".join(parts)
    fast = [(d.start, d.end, d.detector, d.score, d.value) for d in PhoneDetector().detect(text)]
    every = PhoneDetector()
    every._window = _every_window  # type: ignore[method-assign]
    assert fast == [(d.start, d.end, d.detector, d.score, d.value) for d in every.detect(text)]


@settings(max_examples=400, deadline=None)
@given(domain=st.text(alphabet="ab-.\u3002\uff611", max_size=14))
def test_a_bad_label_is_found_as_reading_each_label_finds_it(domain: str) -> None:
    """The e-mail detector's test for an empty label or one ending in "-" (one search of the dotted domain)
    answers what asking each label does, and an address with such a label is never masked."""
    dotted = domain.replace("\u3002", ".").replace("\uff61", ".")
    labels = dotted.split(".")
    each = any(not label or label.endswith("-") for label in labels)
    assert ("" in labels or "-." in dotted + ".") == each
    if each:
        assert all(d.value != f"x@{dotted}".lower() for d in EmailDetector().detect(f"mail x@{domain} now"))


@settings(max_examples=400, deadline=None)
@given(context=st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Lu", "Ll")), max_size=24))
def test_no_phone_word_is_in_ascii_text_without_letters(context: str) -> None:
    """The phone detector skips its word searches on ASCII text without letters: no word of either list can
    be found there, but "#" (against a phone)."""
    from filters._patterns import found
    from filters.masking.phone import _NOT_PHONE_WORDS, _PHONE_WORDS

    assert not found(_PHONE_WORDS, context)
    assert found(_NOT_PHONE_WORDS, context) == ("#" in context)


@pytest.mark.parametrize(("text", "expected"), [
    ("492 477 2020-10-11", []),                                   # a count, an id and a date side by side
    ("ids 492 477 2020/10/11", []),
    ("call 492 477 2020", ["492 477 2020"]),                      # no date: a North American number
    ("call 492 477 2020-10-11", ["492 477 2020-10"]),             # a phone word names it
])
def test_a_number_that_runs_into_a_date_is_no_phone(text: str, expected: list[str]) -> None:
    assert phones(text) == expected


@pytest.mark.parametrize("text", [
    "numero ordine 4111 1111 1111 1111", "sipariş numarası 0532 123 45 67", "numéro de commande 06 12 34 56 78",
    "номер заказа 8 912 345 67 89",
])
def test_a_word_for_number_beside_an_order_word_names_no_phone(text: str) -> None:
    """"numero", "numara", "номер" say "number" in general: in an order's, a ticket's or a parcel's label just
    before the number they name that number."""
    assert phones(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("mon numéro 06 12 34 56 78", "06 12 34 56 78"),                             # no other label: a phone
    ("numaram 0532 123 45 67", "0532 123 45 67"),
    ("numéro de téléphone pour la commande 06 12 34 56 78", "06 12 34 56 78"),  # a word that names a phone
    ("telefon, sipariş için: 0532 123 45 67", "0532 123 45 67"),
])
def test_a_word_for_number_alone_or_a_phone_word_beside_an_order_word_is_a_phone(text: str, expected: str) -> None:
    assert phones(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("phone number 4498 9048 thanks", ["4498 9048"]), ("call me on 674-4563", ["674-4563"]),
    ("mobile 21 23 33 42", ["21 23 33 42"]), ("my phone: 055 81 55", ["055 81 55"]),
])
def test_seven_or_eight_digits_in_groups_after_a_phone_word(text: str, expected: list[str]) -> None:
    assert phones(text) == expected


@pytest.mark.parametrize("text", [
    "order 4498 9048", "room 674-4563", "scores 21 23 33 42", "phone: meeting on 12 03 2024",
    "call me on 4498", "phone 1234567",        # no groups: a count, an extension
])
def test_short_numbers_without_a_phone_word_or_groups_stay(text: str) -> None:
    assert phones(text) == []


@pytest.mark.parametrize("text", [
    "USPS 0726-5495-6117-0900-6398 34", "USPS 0748 6982 3585 0364 6689 67", "ref 0206/7290/3003/3864/1872",
])
def test_the_start_of_a_longer_number_is_no_phone(text: str) -> None:
    assert phones(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("call 020 7946 0958 24/7", ["020 7946 0958"]),  # a short group after it: a time, not more of it
    ("call 0726-5495-6117-0900", ["0726-5495-6117"]),  # a phone word names it
    ("06 12 34 56 78 / 06 98 76 54 32 ok", ["06 12 34 56 78", "06 98 76 54 32"]),
])
def test_a_phone_before_other_digits(text: str, expected: list[str]) -> None:
    assert phones(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("call [+44] 20 7946 0958", "[+44] 20 7946 0958"),
    ("WhatsApp [+49] 30 1234567 thanks", "[+49] 30 1234567"),
    ("[+1] 555 010 0123", "[+1] 555 010 0123"),
    ("ring [+ 33] 1 42 68 53 00.", "[+ 33] 1 42 68 53 00"),
])
def test_a_country_code_in_square_brackets(text: str, expected: str) -> None:
    assert [text[d.start:d.end] for d in PHONE.detect(text)] == [expected]


@pytest.mark.parametrize("text", [
    "see [1] 2345 6789",           # a reference mark, not a country code
    "refs [12] 345 678 90",
    "array [+12] 3456789",          # no plan of +12
    "[+44]" * 20_000,               # brackets without a number: nothing, in one pass
    "[+44] " + "9" * 40,            # a code before one long run is no phone
])
def test_square_brackets_around_anything_else(text: str) -> None:
    assert list(PHONE.detect(text)) == []
