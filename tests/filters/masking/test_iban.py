import pytest

from filters.masking.iban import LENGTHS, IBANDetector, valid_iban

DETECTOR = IBANDetector()


def found(text: str) -> list[str]:
    return [text[d.start:d.end] for d in DETECTOR.detect(text)]


def make_iban(country: str, bban: str) -> str:
    """An IBAN with correct check digits for `bban`."""
    number = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(number) % 97:02d}{bban}"


VALID = [
    "DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606",
    "NL91ABNA0417164300", "NO9386011117947", "BE68539007547034", "CH9300762011623852957",
    "MT84MALT011000012345MTLCAST001S", make_iban("ES", "21000418450200051332"),
]


@pytest.mark.parametrize("iban", VALID)
def test_compact(iban: str) -> None:
    assert found(f"pay to {iban} please") == [iban]


@pytest.mark.parametrize("iban", VALID)
def test_grouped_in_fours(iban: str) -> None:
    grouped = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    assert found(f"IBAN: {grouped} thanks") == [grouped]


def test_lower_case_and_two_in_a_row() -> None:
    text = "de89 3704 0044 0532 0130 00 GB82 WEST 1234 5698 7654 32"
    assert found(text) == ["de89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32"]


@pytest.mark.parametrize("text", [
    "DE89370400440532013001",       # mod-97 fails
    "DE8937040044053201300",        # one short for DE
    "DE893704004405320130001",      # one too long (glued)
    "XX89370400440532013000",       # unknown country
    "AB12 CD34 build 2024",
])
def test_rejected(text: str) -> None:
    assert found(f"ref {text} end") == []


def test_length_table_and_check() -> None:
    assert LENGTHS["DE"] == 22 and LENGTHS["NO"] == 15 and LENGTHS["LC"] == 32
    assert valid_iban("GB82WEST12345698765432")
    assert not valid_iban("GB82WEST12345698765433")


def _grouped(iban: str, size: int, separator: str = " ") -> str:
    return separator.join(iban[i:i + size] for i in range(0, len(iban), size))


@pytest.mark.parametrize("iban", VALID)
@pytest.mark.parametrize(("size", "separator"), [(2, " "), (3, " "), (3, "-"), (4, ";"), (4, "|"), (5, " ")])
def test_groups_of_other_sizes_and_marks(iban: str, size: int, separator: str) -> None:
    written = _grouped(iban, size, separator)
    assert found(f"IBAN {written} thanks") == [written]
    assert found(f"pay to {written.lower()}") == [written.lower()]


def test_check_digits_parted_from_the_country_need_a_grouping() -> None:
    # A sentence whose words a checksum happens to pass is no IBAN: words vary in length, groups do not.
    for text in ("is 12 it ok to meet at the station", "at 10 am we meet at the old town hall ok"):
        assert found(text) == []
    iban = make_iban("IS", "0159260076545510730339")
    assert found("ok " + _grouped(iban, 2)) == [_grouped(iban, 2)]
    assert found("ok " + iban[:2] + " " + iban[2:4] + " was the start of " + iban[4:]) == []


@pytest.mark.parametrize("unit", ["DE 8 9 ", "be 07 ", "GB8 2WE ", "DE89;", "it5 3c1 "])
def test_parted_anchors_repeated_thousands_of_times(unit: str) -> None:
    text = unit * 10_000  # one anchored match per anchor; the work per size: tests/filters/test_linear_work.py
    assert len(found(text)) <= len(text) // 15
