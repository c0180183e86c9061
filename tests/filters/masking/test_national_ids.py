
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from filters._patterns import encodable
from filters._patterns import found as occurs
from filters._text import fold
from filters.masking import Masker
from filters.masking._context import before
from filters.masking._numbers import Run, runs
from filters.masking.national_ids import (
    _COUNTING,
    _ID_WORDS,
    _SEPARATORS,
    _SSN_WORDS,
    _WINDOW,
    SSNDetector,
    valid_ssn,
)
from tests.filters.masking._cases import spellings

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


@pytest.mark.parametrize("text", ["SS no. 536225987", "social: 536225987", "my social is 536225987",
                                  "número de seguro social 536225987"])
def test_context_words_for_bare_digits(text: str) -> None:
    assert found(text) == ["536225987"]


@pytest.mark.parametrize("value", ["5 3 6 2 2 5 9 8 7", "5-3-6-2-2-5-9-8-7", "536\u201322\u20135987"])
def test_digits_spaced_one_by_one_and_other_dashes(value: str) -> None:
    assert found(f"it is {value} ok") == [value]


@pytest.mark.parametrize("text", ["count 1 2 3 4 5 6 7 8 9", "12-536-22-5987", "536-22-5987-11",
                                  "5 3 6 2 2 5 9 8 7 1"])
def test_not_part_of_a_longer_sequence(text: str) -> None:
    assert found(text) == []


def test_line_break_ends_the_number() -> None:
    assert found("SSN 536-22-5987\n2 forms") == ["536-22-5987"]


def test_sample_numbers_are_an_option() -> None:
    assert found("sample 078-05-1120") == []
    masked = SSNDetector(mask_samples=True)
    assert [d.value for d in masked.detect("sample 078-05-1120")] == ["078051120"]


def test_inside_url_is_not_an_ssn() -> None:
    assert found("see https://example.com/items/123-45-6789") == []


@pytest.mark.parametrize(("digits", "ok"), [("123456789", True), ("12345678", False), ("12345678x", False)])
def test_valid_ssn(digits: str, ok: bool) -> None:
    assert valid_ssn(digits) is ok


def _at_by_sets(text: str, run: Run, i: int) -> tuple[int, float] | None:
    """`SSNDetector._at` as it read the separators: the set of those inside, then the ones either side."""
    sizes = run.sizes
    if sizes[i] == 3 and i + 2 < len(sizes) and sizes[i + 1] == 2 and sizes[i + 2] == 4:
        last, score = i + 2, 0.9
    elif sizes[i] == 1:
        last = i + 8
        if last >= len(sizes) or any(size != 1 for size in sizes[i:last + 1]):
            return None
        if run.digits_of(i, last) in _COUNTING and not occurs(_SSN_WORDS, before(text, run.starts[i], _WINDOW)):
            return None
        score = 0.9
    elif sizes[i] == 9 and occurs(_SSN_WORDS, before(text, run.starts[i], _WINDOW)):
        return i, 0.8
    else:
        return None
    inner = {run.separator(text, k) for k in range(i, last)}
    if len(inner) != 1:
        return None
    separator = inner.pop()
    if separator not in _SEPARATORS or (i > 0 and run.separator(text, i - 1) == separator):
        return None
    if last + 1 < len(sizes) and run.separator(text, last) == separator:
        return None
    return last, score


@settings(max_examples=400, deadline=None)
@given(groups=st.lists(st.tuples(st.sampled_from(["1", "123", "45", "6789", "123456789"]),
                                  st.sampled_from(["-", " ", "--"])), max_size=24),
       head=st.sampled_from(["", "ssn ", "x"]))
@example(groups=[("1", "-"), ("123", "-"), ("45", "-"), ("6789", "")], head="")  # the same separator before it
@example(groups=[("123", " "), ("45", " "), ("6789", " "), ("1", "")], head="ssn ")  # and after it
@example(groups=[("123", "-"), ("45", " "), ("6789", "")], head="")  # two separators inside
def test_separators_are_read_as_the_set_of_them_was(groups: list[tuple[str, str]], head: str) -> None:
    """`_at` reads the separators one by one: the same answer as the set of those inside a layout."""
    parts = [head, *(group + separator for group, separator in groups)]
    text = "".join(parts)
    for run in runs(text, 9):
        for i in range(len(run.sizes)):
            assert SSNDetector._at(text, run, i) == _at_by_sets(text, run, i)


@pytest.mark.parametrize("mark", ["|", ";", "/", "+", "\u00b7", "~"])
def test_another_mark_throughout_counts_after_an_ssn_word(mark: str) -> None:
    written = mark.join(["123", "45", "6789"])
    assert found(f"my SSN {written} ok") == [written]
    assert found(f"ref {written} ok") == []  # a list or a code, without the word


@pytest.mark.parametrize("written", ["123|45;6789", "123||45||6789", "123a45a6789"])
def test_mixed_or_doubled_marks_are_no_layout(written: str) -> None:
    assert found(f"SSN {written}") == []


def test_groups_that_run_into_a_date_are_no_ssn_unless_an_ssn_word_names_them() -> None:
    assert found("314 46 2016-01-07 78768006") == []  # a count, an id, a date side by side (sibling fields)
    assert found("SSN 314 46 2016-01-07") == ["314 46 2016"]
    assert found("it is 314 46 2016 ok") == ["314 46 2016"]


@pytest.mark.parametrize(("text", "value"), [
    ("my ID number is 12345678 OK", "12345678"),
    ("documento de identidad 53174042C gracias", "53174042C"),
    ("personnummer: 970423-9434 tack", "970423-9434"),
    ("身份证号码: 11010119900307123X", "11010119900307123X"),
])
def test_an_identity_number_after_a_word_that_names_one(text: str, value: str) -> None:
    detections = list(DETECTOR.detect(text))
    assert [(d.type, text[d.start:d.end]) for d in detections] == [("national_id", value)]


@pytest.mark.parametrize("text", [
    "user id 12345678",                       # an id of a record, not a person's identity number
    "order 12345678",
    "my ID number is pending",                # no number
    "identity card issued 2019, valid 10 years",  # too few digits
    "personnummer saknas, se ärende 12345",
])
def test_no_identity_number_without_its_word_or_its_digits(text: str) -> None:
    assert [d for d in DETECTOR.detect(text) if d.type == "national_id"] == []


def test_an_ssn_after_an_identity_word_is_reported_as_an_ssn() -> None:
    assert [(d.type, d.detector) for d in DETECTOR.detect("national ID: 123-45-6789")] == [("ssn", "us_ssn")]


def test_every_identity_word_in_every_case_passes_the_gate_the_detector_reads_it_after() -> None:
    # The engine's gate for this detector (`engine._GATE_SOURCES["ssn"]`, from `national_ids.ID_GATE`) and the
    # detector's own first look (`_ID_STEMS`) are lists of their own: neither may be stricter than `_ID_WORDS`.
    words = spellings(_ID_WORDS)
    assert len(words) > 60 and "numéro d'identité" in words
    masker = Masker(("ssn",))
    for word in words:
        for form in (word.lower(), word.upper(), word.title()):
            text = f"my {form}: 12345678"
            alone = [(d.type, d.start) for d in DETECTOR.detect(encodable(fold(text).text))]
            assert [(d.type, d.start) for d in masker.scan(text)] == alone, text
            assert form != word.lower() or alone == [("national_id", len(text) - 8)], text
