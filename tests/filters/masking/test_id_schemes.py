import pytest

from filters._patterns import each_spans
from filters.masking import _ids_europe as eu
from filters.masking import _ids_world as w
from filters.masking._checksums import Check
from filters.masking.engine import _GATES, BUILTIN, Masker
from filters.masking.id_schemes import _NAMES, _SCHEMES, _WRITTEN, scheme_numbers
from filters.masking.national_ids import SSNDetector


def found(text: str) -> list[str]:
    return [text[d.start:d.end] for d in scheme_numbers(text)]


@pytest.mark.parametrize(("text", "value"), [
    ("PESEL 44051401359", "44051401359"),
    ("mi DNI es 12345678Z.", "12345678Z"),
    ("NIE X1234567L", "X1234567L"),
    ("CPF: 529.982.247-25 thanks", "529.982.247-25"),
    ("BSN: 111 222 333", "111 222 333"),
    ("my Aadhaar is 2341 2341 2346", "2341 2341 2346"),
    ("身份证号11010519491231002X", "11010519491231002X"),
    ("T.C. kimlik no: 10000000146", "10000000146"),
    ("hetu 131052-308T", "131052-308T"),
    ("personnummer 811218-9876", "811218-9876"),
    ("samordningsnummer 811278-9873", "811278-9873"),  # day + 60: hand-written, stdnum refuses it
    ("身份证 460284199001016798", "460284199001016798"),  # stdnum 2.2's cn.ric fails on its region: masked
    ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S"),
    ("NIR 2 69 05 49 588 157 80", "2 69 05 49 588 157 80"),
    ("AHV 756.9217.0769.85", "756.9217.0769.85"),
    ("CNP 1800101221144", "1800101221144"),
    ("SIN 355 512 575", "355 512 575"),
    ("nric S1234567D", "S1234567D"),
])
def test_a_scheme_and_its_check_digits(text: str, value: str) -> None:
    assert found(text) == [value]


@pytest.mark.parametrize("text", [
    "PESEL 44051401358",            # a check digit off
    "CPF: 529.982.247-26",
    "order 44051401359",            # no scheme named
    "44051401359",
    "sin 355512575 problemas",      # "sin" is Spanish: the acronym is read in capitals
    "DNI is not 12345678 yet",      # no letter: not a DNI
    "BSN 111222333444",             # longer than any BSN
    "codice fiscale 00743110157",   # a company's: stdnum's module takes it, a person's name does not say it
    "Teudat Zehut 18",              # stdnum pads it to nine digits; no one's number
    "PESEL at the end of the line and then nothing",
    "the nhs waiting list, ticket 9434765919",  # a valid NHS number, three words after the name
])
def test_not_without_both(text: str) -> None:
    assert found(text) == []


def test_detector_reports_national_id_once() -> None:
    text = "mi DNI es 12345678Z y mi número de identidad también"
    detections = list(SSNDetector().detect(text))
    assert [(d.type, text[d.start:d.end]) for d in detections] == [("national_id", "12345678Z")]


def test_gate_never_stricter_than_names() -> None:
    gate = _GATES["ssn"]
    for name in [*_SCHEMES, *_WRITTEN.values()]:
        for form in {name, name.capitalize(), name.upper(), name.replace("\\", "").replace("[ée]", "é")}:
            text = f"x {form}: 1234567"
            if any(True for _ in each_spans(_NAMES, text)):
                assert gate.search(text.encode()) is not None, form


@pytest.mark.parametrize("check", [eu.pl_pesel, w.br_cpf, w.in_aadhaar, w.cn_ric, eu.tr_kimlik, eu.nl_bsn, eu.es_dni])
def test_checks_refuse_what_is_no_number(check: Check) -> None:
    for value in ("", "X", "٠١٢٣٤٥٦٧٨٩٠", "00000000000", "1" * 40):
        assert check(value) is False


def test_many_names_cost_a_bounded_window_each() -> None:
    text = "PESEL " * 20_000 + "44051401359"
    assert found(text) == ["44051401359"]
    assert found("CPF " + "1." * 50_000) == []


@pytest.mark.parametrize(("text", "value"), [
    ("PESEL \uff14\uff14\uff10\uff15\uff11\uff14\uff10\uff11\uff13\uff15\uff19", "\uff14\uff14\uff10\uff15\uff11\uff14\uff10\uff11\uff13\uff15\uff19"),
    ("\uff30\uff25\uff33\uff25\uff2c 44051401359", "44051401359"),       # the name in full-width letters
    ("PESEL 440514\u200b01359", "440514\u200b01359"),                    # an invisible character inside
    ("PESEL: **44051401359**", "44051401359"),
    ('{"pesel": "44051401359"}', "44051401359"),
    ("CPF 529\u2013982\u2013247\u201325", "529\u2013982\u2013247\u201325"),  # en dashes between the groups
])
def test_wrapped_and_disguised_through_the_masker(text: str, value: str) -> None:
    start = text.index(value)
    findings = Masker(tuple(BUILTIN)).scan(text)
    assert any(f.start <= start and f.end >= start + len(value) for f in findings), findings
