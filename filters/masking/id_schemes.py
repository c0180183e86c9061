"""Identity numbers named by their scheme: "PESEL 44051401359", "CPF: 123.456.789-09", "mi DNI es 12345678Z".

A scheme's own name or acronym (DNI, CPF, BSN, PESEL, Aadhaar, NIR, codice fiscale...) says which check digits the
number after it must have; a number that has them is masked as a `national_id`. Neither alone is enough: an acronym
stands before order numbers and typos too, and a check digit passes one random number in ten or eleven. The
checks are python-stdnum's validators of the schemes' published rules (`_checksums`; a few it lacks are written
here), not the numbers seen anywhere.

Acronyms that are words of some language ("sin" in Spanish, "nie" in German and Polish, "run", "fin", "inn") are
read in capitals only; the others in any case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

from filters._patterns import byte_cased, each_spans, text_pattern
from filters._patterns import found as occurs
from filters.masking import _ids_europe as eu
from filters.masking import _ids_world as w
from filters.masking._checksums import Check
from filters.masking._model import Detection
from filters.masking._quota import charge

_PERSONNUMMER = (eu.se_personnummer, eu.no_fodselsnummer, eu.dk_cpr)
# Each scheme's names (lower case, no dots or spaces, as `_key` writes them) -> the checks a number after it may pass.
_SCHEMES: Mapping[str, tuple[Check, ...]] = {
    # Europe
    "dni": (eu.es_dni,), "nie": (eu.es_dni,), "nif": (eu.es_dni, eu.pt_nif), "dnie": (eu.es_dni,),
    "contribuinte": (eu.pt_nif,), "númerodecontribuinte": (eu.pt_nif,), "numerodecontribuinte": (eu.pt_nif,),
    "bsn": (eu.nl_bsn,), "burgerservicenummer": (eu.nl_bsn,), "sofinummer": (eu.nl_bsn,), "sofi-nummer": (eu.nl_bsn,),
    "rijksregisternummer": (eu.be_nn,), "insz": (eu.be_nn,), "niss": (eu.be_nn,), "numéronational": (eu.be_nn,),
    "nir": (eu.fr_nir,), "insee": (eu.fr_nir,), "numérodesécuritésociale": (eu.fr_nir,), "sécu": (eu.fr_nir,),
    "codicefiscale": (eu.it_codice_fiscale,), "codfisc": (eu.it_codice_fiscale,), "cf": (eu.it_codice_fiscale,),
    "pesel": (eu.pl_pesel,), "nip": (eu.pl_nip,), "rodnéčíslo": (eu.cz_rodne_cislo,), "rodnecislo": (eu.cz_rodne_cislo,),
    "rč": (eu.cz_rodne_cislo,), "cnp": (eu.ro_cnp,), "egn": (eu.bg_egn,), "егн": (eu.bg_egn,),
    "isikukood": (eu.ee_isikukood,), "asmenskodas": (eu.ee_isikukood,), "jmbg": (eu.jmbg,), "јмбг": (eu.jmbg,),
    "ембг": (eu.jmbg,), "emšo": (eu.jmbg,), "emso": (eu.jmbg,), "oib": (eu.hr_oib,),
    "steuer-id": (eu.de_idnr,), "steuerid": (eu.de_idnr,), "steueridentifikationsnummer": (eu.de_idnr,), "idnr": (eu.de_idnr,),
    "svnr": (eu.at_svnr,), "sozialversicherungsnummer": (eu.at_svnr, eu.ch_ahv), "ahv": (eu.ch_ahv,), "avs": (eu.ch_ahv,),
    "ahv-nummer": (eu.ch_ahv,), "numéroavs": (eu.ch_ahv,), "hetu": (eu.fi_hetu,), "henkilötunnus": (eu.fi_hetu,),
    "henkilotunnus": (eu.fi_hetu,), "personbeteckning": (eu.fi_hetu,), "personnummer": _PERSONNUMMER,
    "personnr": _PERSONNUMMER, "samordningsnummer": (eu.se_personnummer,), "fødselsnummer": (eu.no_fodselsnummer,),
    "fodselsnummer": (eu.no_fodselsnummer,), "cpr": (eu.dk_cpr,), "cpr-nummer": (eu.dk_cpr,), "cpr-nr": (eu.dk_cpr,),
    "kennitala": (eu.is_kennitala,), "amka": (eu.gr_amka,), "αμκα": (eu.gr_amka,), "pps": (eu.ie_pps,),
    "ppsn": (eu.ie_pps,), "nhs": (eu.gb_nhs,), "nhsnumber": (eu.gb_nhs,), "taj": (eu.hu_taj,), "tajszám": (eu.hu_taj,),
    "snils": (eu.ru_snils,), "снилс": (eu.ru_snils,), "inn": (eu.ru_inn,), "инн": (eu.ru_inn,),
    "tc": (eu.tr_kimlik,), "tckn": (eu.tr_kimlik,), "tckimlik": (eu.tr_kimlik,), "kimlikno": (eu.tr_kimlik,),
    # the Americas
    "cpf": (w.br_cpf,), "cnpj": (w.br_cnpj,), "cuit": (w.ar_cuit,), "cuil": (w.ar_cuit,), "rut": (w.cl_rut,),
    "run": (w.cl_rut,), "curp": (w.mx_curp,), "sin": (w.ca_sin,), "nas": (w.ca_sin,),
    # Asia, Africa
    "aadhaar": (w.in_aadhaar,), "aadhar": (w.in_aadhaar,), "आधार": (w.in_aadhaar,), "uidai": (w.in_aadhaar,),
    "身份证": (w.cn_ric,), "身份證": (w.cn_ric,), "居民身份证": (w.cn_ric,), "ric": (w.cn_ric,),
    "rrn": (w.kr_rrn,), "주민등록번호": (w.kr_rrn,), "マイナンバー": (w.jp_my_number,), "個人番号": (w.jp_my_number,),
    "mynumber": (w.jp_my_number,), "nric": (w.sg_nric, w.my_nric), "fin": (w.sg_nric,), "hkid": (w.hk_hkid,),
    "mykad": (w.my_nric,), "เลขประจำตัวประชาชน": (w.th_pin,), "บัตรประชาชน": (w.th_pin,),
    "teudatzehut": (w.il_idnr,), "תעודתזהות": (w.il_idnr,), "ת״ז": (w.il_idnr,), "ת\"ז": (w.il_idnr,),
    "nik": (w.id_nik,),
}
# Names that are words of some language, read in capitals only.
_CAPITALS = frozenset({"sin", "nie", "nip", "nir", "cf", "run", "fin", "inn", "tc", "nas", "ric", "rut", "pps",
                       "nik", "taj", "avs"})
# How a name may be written: spaces, dots or hyphens between its parts ("T.C. kimlik", "codice fiscale",
# "Steuer-ID", "NHS number").
_WRITTEN = {"tckimlik": r"t\.? ?c\.? ?kimlik", "kimlikno": r"kimlik no", "codfisc": r"cod\. ?fisc",
            "nhsnumber": r"nhs number", "numéronational": r"num[ée]ro national", "numéroavs": r"num[ée]ro avs",
            "numérodesécuritésociale": r"num[ée]ro de s[ée]curit[ée] sociale", "codicefiscale": r"codice fiscale",
            "rodnéčíslo": r"rodn[ée] [čc][íi]slo", "asmenskodas": r"asmens kodas", "teudatzehut": r"teudat zehut",
            "תעודתזהות": r"תעודת זהות", "mynumber": r"my number", "númerodecontribuinte": r"n[úu]mero de contribuinte"}


def _key(word: str) -> str:
    """A name as `_BY_KEY` keys it: lower case, no accents, dots or spaces ("T.C. Kimlik" -> "tckimlik")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in " .")


_BY_KEY = {_key(name): checks for name, checks in _SCHEMES.items()}


def _alternation(names: list[str]) -> str:
    return "|".join(_WRITTEN.get(name) or re.escape(name) for name in sorted(names, key=len, reverse=True))


def _spaceless(name: str) -> bool:
    """Written in a script without spaces between words (Thai, kana, hangul, Han): no boundary after it."""
    return any(ord(ch) >= 0x0E00 for ch in name)


_ANY_CASE = [name for name in _SCHEMES if name not in _CAPITALS]
_SOURCE = (r"(?:^|[^\pL\pN])((?i:" + _alternation([n for n in _ANY_CASE if not _spaceless(n)]) + r")|"
           + _alternation([n.upper() for n in _CAPITALS]) + r")(?:[^\pL\pN]|$)|("
           + _alternation([n for n in _ANY_CASE if _spaceless(n)]) + ")")
_NAMES = text_pattern(_SOURCE)
# The same without groups: a search with groups costs some thousands of instructions to set up however short the
# text, and most texts the engine's gate lets through name no scheme ("national", a number of nine digits).
_ANY_NAME = text_pattern(_SOURCE.replace("((?i:", "(?:(?i:").replace(")|(", ")|(?:"))
# The engine's gate for these names, on the folded text's UTF-8 bytes read as Latin-1 (`byte_pattern`), never
# stricter than `_NAMES`: ASCII names after anything but an ASCII letter or digit, in any case (capitals for
# `_CAPITALS`); the others as written in lower case, capitalised or in capitals; names written with a class of
# accented letters by an ASCII part of them (a byte class cannot hold a letter of two bytes).
_GATE_PARTS = {"numéronational": "national", "numéroavs": "ro avs", "numérodesécuritésociale": "sociale",
               "rodnéčíslo": "rodn", "númerodecontribuinte": "contribuinte", "תעודתזהות": "זהות"}
SCHEME_GATE = (r"(?:^|[^A-Za-z0-9])(?i:" + _alternation([n for n in _ANY_CASE if n.isascii()]) + ")|"
               r"(?:^|[^A-Za-z0-9])(?:" + _alternation([n.upper() for n in _CAPITALS]) + ")|"
               "(?i:" + "|".join(sorted(_GATE_PARTS.values())) + ")|"
               + "|".join(re.escape(form) for n in _ANY_CASE if not n.isascii() and n not in _GATE_PARTS
                          for form in byte_cased(n)))
# A group of a number or a word of Latin letters: ASCII letters and digits, with marks inside ("529.982.247-25",
# "131052-308T", "811218+9876"). Words of other scripts are no token: "身份证号11010519491231002X".
_TOKENS = text_pattern(r"[0-9A-Za-z](?:[0-9A-Za-z+]|[.\-/\x{2010}-\x{2015}\x{2212}][0-9A-Za-z])*")
_REACH = 64  # characters after the name in which its number stands
_FILLERS = 2  # words between the name and its number ("is", "no.", "number is", "é", "numaram")
_GROUPS = 8  # groups of one number ("123 456 789 09", France's "2 69 05 49 588 157 80")
_SEPARATORS = dict.fromkeys(map(ord, " .-/\u2010\u2011\u2012\u2013\u2014\u2015\u2212"))


def _compact(value: str) -> str:
    return value.translate(_SEPARATORS).upper()


def scheme_numbers(text: str) -> Iterator[Detection]:
    """Numbers with the check digits of the scheme named just before them."""
    if not occurs(_ANY_NAME, text):
        return
    done = 0
    for groups in each_spans(_NAMES, text):
        start, end = groups[1] if groups[1][0] >= 0 else groups[2]
        if end < done:
            continue  # a name inside the number just masked
        checks = _BY_KEY.get(_key(text[start:end]))
        if checks is None:
            continue
        charge(end)
        found = _after(text, end, checks)
        if found is not None and found[0] >= done:
            done = found[1]
            yield Detection("national_id", found[0], found[1], "identity_scheme", 0.95, text[found[0]:found[1]])


def _after(text: str, at: int, checks: tuple[Check, ...]) -> tuple[int, int] | None:
    """The span of the first number within `_REACH` after `at` that one of `checks` accepts, or None."""
    window = text[at:at + _REACH]
    tokens = [groups[0] for groups in each_spans(_TOKENS, window)]
    numeric = [any(ch.isdigit() for ch in window[a:b]) for a, b in tokens]
    first = next((i for i, has in enumerate(numeric) if has), None)
    if first is None or first > _FILLERS:
        return None
    last = first
    while last + 1 < len(tokens) and last + 1 - first < _GROUPS and numeric[last + 1]:
        last += 1
    for stop in range(last, first - 1, -1):
        value = _compact(window[tokens[first][0]:tokens[stop][1]])
        if any(check(value) for check in checks):
            return at + tokens[first][0], at + tokens[stop][1]
    return None
