"""National identity numbers of Europe: each scheme's published rule (length, layout, birth date, check digits).

Each function takes the number compacted (separators out, letters in capitals); see `_checksums`.
"""

from __future__ import annotations

from collections.abc import Sequence

from filters._patterns import text_pattern, whole
from filters.masking._checksums import date_ok, digits_of, iso7064_11_10, luhn, weighted

# --- Europe -------------------------------------------------------------------------------------------------------

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_dni(number: str) -> bool:
    """Spain's DNI (8 digits and a letter, the number mod 23) and NIE (X, Y or Z for 0, 1, 2, then the same)."""
    if len(number) != 9 or not number[-1].isalpha():
        return False
    body = number[:8]
    if body[0] in "XYZ":
        body = str("XYZ".index(body[0])) + body[1:]
    return digits_of(body, 8) and _DNI_LETTERS[int(body) % 23] == number[-1]


def pt_nif(number: str) -> bool:
    """Portugal's NIF: 9 digits, not beginning with 0, mod 11 with weights 9..2."""
    if not digits_of(number, 9) or number[0] == "0":
        return False
    check = 11 - weighted(number, range(9, 1, -1)) % 11
    return (0 if check >= 10 else check) == int(number[8])


def nl_bsn(number: str) -> bool:
    """The Netherlands' BSN: 9 digits (8 with a leading zero left out), the "eleven test" with -1 for the last."""
    number = number.zfill(9) if digits_of(number, 8) else number
    if not digits_of(number, 9) or number == "000000000":
        return False
    return (weighted(number[:8], range(9, 1, -1)) - int(number[8])) % 11 == 0


def be_nn(number: str) -> bool:
    """Belgium's national register number: 11 digits, 97 minus the first 9 mod 97 (with a 2 before them for the
    born since 2000)."""
    if not digits_of(number, 11):
        return False
    body, check = number[:9], int(number[9:])
    return check in (97 - int(body) % 97, 97 - int("2" + body) % 97)


_NIR = text_pattern(r"[12378]\d{4}(?:\d{2}|2A|2B)\d{8}")


def fr_nir(number: str) -> bool:
    """France's NIR (social security number): 13 characters (Corsica's 2A and 2B in them), then 97 minus the
    number mod 97."""
    if not whole(_NIR, number):
        return False
    body = number[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(number[13:])


_CF = text_pattern(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]")
_CF_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def it_codice_fiscale(number: str) -> bool:
    """Italy's codice fiscale: 15 letters and digits in its layout, then a check letter (odd places from a table,
    even places by value)."""
    if not whole(_CF, number):
        return False
    total = 0
    for i, c in enumerate(number[:15]):
        value = int(c) if c.isdigit() else ord(c) - 65
        total += _CF_ODD[value] if i % 2 == 0 else value
    return chr(65 + total % 26) == number[15]


def pl_pesel(number: str) -> bool:
    """Poland's PESEL: a birth date (the century in the month), 4 more digits, a check digit (weights 1 3 7 9)."""
    if not digits_of(number, 11):
        return False
    year, month, day = int(number[:2]), int(number[2:4]), int(number[4:6])
    century = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}.get(month // 20)
    if century is None or not date_ok(century + year, month % 20, day):
        return False
    return (10 - weighted(number[:10], (1, 3, 7, 9) * 3) % 10) % 10 == int(number[10])


def pl_nip(number: str) -> bool:
    """Poland's NIP (tax number): 10 digits, mod 11 with weights 6 5 7 2 3 4 5 6 7."""
    return digits_of(number, 10) and weighted(number, (6, 5, 7, 2, 3, 4, 5, 6, 7)) % 11 == int(number[9])


def cz_rodne_cislo(number: str) -> bool:
    """Czechia's and Slovakia's birth number: 10 digits divisible by 11 (or whose first 9 leave 10 and end in 0),
    a date in the first 6 (women's month + 50, later + 20); 9 digits for the born before 1954."""
    if not digits_of(number, 9, 10):
        return False
    year, month, day = int(number[:2]), int(number[2:4]) % 50, int(number[4:6])
    month = month - 20 if month > 20 else month
    if len(number) == 9:  # before 1954: no check digit
        return year < 54 and date_ok(1900 + year, month, day)
    if not date_ok((1900 if year >= 54 else 2000) + year, month, day):
        return False
    return int(number) % 11 == 0 or (int(number[:9]) % 11 == 10 and number[9] == "0")


def ro_cnp(number: str) -> bool:
    """Romania's CNP: sex and century, a date, a county, a serial, a check digit (weights 279146358279 mod 11)."""
    if not digits_of(number, 13) or number[0] == "0":
        return False
    century = {"1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000}.get(number[0], 1900)
    if not date_ok(century + int(number[1:3]), int(number[3:5]), int(number[5:7])):
        return False
    check = weighted(number, (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
    return (1 if check == 10 else check) == int(number[12])


def bg_egn(number: str) -> bool:
    """Bulgaria's EGN: a date (month + 20 for 1800s, + 40 for 2000s), a serial, a check digit (mod 11)."""
    if not digits_of(number, 10):
        return False
    year, month, day = int(number[:2]), int(number[2:4]), int(number[4:6])
    century = 1900 + 100 * (month // 40) - 100 * (month // 20 % 2)
    if not date_ok(century + year, month % 20, day):
        return False
    return weighted(number, (2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11 % 10 == int(number[9])


def ee_isikukood(number: str) -> bool:
    """Estonia's isikukood and Lithuania's asmens kodas: sex and century, a date, a serial, a two-pass mod 11."""
    if not digits_of(number, 11) or number[0] not in "123456":
        return False
    if not date_ok(1800 + 100 * ((int(number[0]) - 1) // 2) + int(number[1:3]), int(number[3:5]), int(number[5:7])):
        return False
    check = weighted(number, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)) % 11
    if check == 10:
        check = weighted(number, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)) % 11 % 10
    return check == int(number[10])


def jmbg(number: str) -> bool:
    """The former Yugoslav JMBG and Slovenia's EMŠO: a date (3 digits of year), region, serial, mod 11."""
    if not digits_of(number, 13):
        return False
    year = int(number[4:7])
    if not date_ok(year + (2000 if year < 800 else 1000), int(number[2:4]), int(number[:2])):
        return False
    check = 11 - weighted(number, (7, 6, 5, 4, 3, 2) * 2) % 11
    return (0 if check > 9 else check) == int(number[12])


def hr_oib(number: str) -> bool:
    """Croatia's OIB: 11 digits, ISO 7064 MOD 11,10."""
    return digits_of(number, 11) and iso7064_11_10(number)


def de_idnr(number: str) -> bool:
    """Germany's tax identification number: 11 digits, no leading 0, one digit twice or thrice in the first ten,
    ISO 7064 MOD 11,10."""
    if not digits_of(number, 11) or number[0] == "0":
        return False
    counts = sorted((number[:10].count(d) for d in set(number[:10])), reverse=True)
    return counts[0] in (2, 3) and counts[1] == 1 and iso7064_11_10(number)


def at_svnr(number: str) -> bool:
    """Austria's social insurance number: a serial, a check digit (weights 3 7 9 . 5 8 4 2 1 6 mod 11), a birth
    date (not always a valid one, so not checked)."""
    if not digits_of(number, 10) or number[0] == "0":
        return False
    return weighted(number[:3] + number[4:], (3, 7, 9, 5, 8, 4, 2, 1, 6)) % 11 == int(number[3])


def ch_ahv(number: str) -> bool:
    """Switzerland's AHV/AVS number: 756, 9 digits, an EAN-13 check digit."""
    if not digits_of(number, 13) or not number.startswith("756"):
        return False
    return (10 - weighted(number[:12], (1, 3) * 6) % 10) % 10 == int(number[12])


def fi_hetu(number: str) -> bool:
    """Finland's henkilötunnus: a date, its century sign, a serial, a check character (mod 31). Compacted, the
    sign "-" (the 1900s) may have gone with the separators."""
    if len(number) == 10 and number[:9].isdigit():
        number = number[:6] + "-" + number[6:]
    if len(number) != 11 or not (number[:6] + number[7:10]).isdigit() or not number[:6].isascii():
        return False
    century = {"+": 1800, "-": 1900, "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}.get(
        number[6], 1900 if number[6] in "UVWXY" else None)
    if century is None or not date_ok(century + int(number[4:6]), int(number[2:4]), int(number[:2])):
        return False
    if not 2 <= int(number[7:10]) <= 899:  # 900-999 are temporary numbers
        return False
    return "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(number[:6] + number[7:10]) % 31] == number[10]


def se_personnummer(number: str) -> bool:
    """Sweden's personnummer (and samordningsnummer, day + 60): 10 digits (12 with the century), Luhn over 10."""
    if number[-5:-4] in ("-", "+"):
        number = number[:-5] + number[-4:]
    if not digits_of(number, 10, 12):
        return False
    number = number[-10:]
    month, day = int(number[2:4]), int(number[4:6])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) and luhn(number)


def no_fodselsnummer(number: str) -> bool:
    """Norway's fødselsnummer: a date (D-numbers day + 40), a serial, two check digits (mod 11)."""
    if not digits_of(number, 11):
        return False
    day, month = int(number[:2]) % 40, int(number[2:4]) % 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    first = 11 - weighted(number, (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11
    second = 11 - weighted(number, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
    return first % 11 == int(number[9]) and second % 11 == int(number[10])


def dk_cpr(number: str) -> bool:
    """Denmark's CPR number: a date and 4 digits (no check digit since 2007)."""
    return digits_of(number, 10) and date_ok(2000 + int(number[4:6]), int(number[2:4]), int(number[:2]))


def is_kennitala(number: str) -> bool:
    """Iceland's kennitala: a date (companies: day + 40), 2 digits, a check digit (mod 11), the century."""
    if not digits_of(number, 10) or number[9] not in "089":
        return False
    if not date_ok(2000, int(number[2:4]), int(number[:2]) % 40 or 99):
        return False
    return (11 - weighted(number, (3, 2, 7, 6, 5, 4, 3, 2)) % 11) % 11 == int(number[8])


def gr_amka(number: str) -> bool:
    """Greece's AMKA: a date, 5 digits, Luhn."""
    return digits_of(number, 11) and date_ok(2000 + int(number[4:6]), int(number[2:4]), int(number[:2])) and luhn(number)


_PPS = text_pattern(r"\d{7}[A-W][ABHWTX]?")


def ie_pps(number: str) -> bool:
    """Ireland's PPS number: 7 digits, a check letter (weights 8..2 mod 23; since 2013 a second letter A, B or H
    counts with weight 9, an older one not at all)."""
    if not whole(_PPS, number):
        return False
    second = number[8:] if number[8:] in ("A", "B", "H") else ""
    total = weighted(number[:7], range(8, 1, -1)) + (9 * (ord(second) - 64) if second else 0)
    return "WABCDEFGHIJKLMNOPQRSTUV"[total % 23] == number[7]


def gb_nhs(number: str) -> bool:
    """The NHS number of England, Wales and the Isle of Man: 10 digits, mod 11 with weights 10..2."""
    if not digits_of(number, 10):
        return False
    check = 11 - weighted(number, range(10, 1, -1)) % 11
    return check != 10 and check % 11 == int(number[9])


def hu_taj(number: str) -> bool:
    """Hungary's TAJ number: 9 digits, weights 3 and 7 mod 10."""
    return digits_of(number, 9) and weighted(number, (3, 7) * 4) % 10 == int(number[8])


def ru_snils(number: str) -> bool:
    """Russia's SNILS: 9 digits, a check number of 2 (weights 9..1, mod 101, 100 as 00)."""
    if not digits_of(number, 11):
        return False
    return weighted(number[:9], range(9, 0, -1)) % 101 % 100 == int(number[9:])


def ru_inn(number: str) -> bool:
    """Russia's INN: 10 digits (an organisation) or 12 (a person), mod 11 check digits."""
    if not digits_of(number, 10, 12):
        return False

    def digit(body: str, weights: Sequence[int]) -> int:
        return weighted(body, weights) % 11 % 10
    if len(number) == 10:
        return digit(number, (2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(number[9])
    return (digit(number, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(number[10])
            and digit(number, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(number[11]))


def tr_kimlik(number: str) -> bool:
    """Turkey's T.C. kimlik numarası: 11 digits, no leading 0, two check digits."""
    if not digits_of(number, 11) or number[0] == "0":
        return False
    d = [int(c) for c in number]
    return (sum(d[0:9:2]) * 7 - sum(d[1:8:2])) % 10 == d[9] and sum(d[:10]) % 10 == d[10]
