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
