"""National identity numbers of the Americas, Asia and Africa: each scheme's published rule (length, layout, birth
date, check digits).

Each function takes the number compacted (separators out, letters in capitals); see `_checksums`.
"""

from __future__ import annotations

from filters._patterns import text_pattern, whole
from filters.masking._checksums import date_ok, digits_of, luhn, verhoeff, weighted

# --- the Americas ---------------------------------------------------------------------------------------------------

def _mod11_digit(body: str) -> int:
    check = weighted(body, range(len(body) + 1, 1, -1)) % 11
    return 0 if check < 2 else 11 - check


def br_cpf(number: str) -> bool:
    """Brazil's CPF: 9 digits, two mod 11 check digits; not one digit eleven times."""
    if not digits_of(number, 11) or len(set(number)) == 1:
        return False
    return _mod11_digit(number[:9]) == int(number[9]) and _mod11_digit(number[:10]) == int(number[10])


def br_cnpj(number: str) -> bool:
    """Brazil's CNPJ: 12 digits, two mod 11 check digits (weights 5..2, 9..2)."""
    if not digits_of(number, 14) or len(set(number)) == 1:
        return False

    def digit(body: str) -> int:
        weights = list(range(len(body) - 7, 1, -1)) + list(range(9, 1, -1))
        check = weighted(body, weights) % 11
        return 0 if check < 2 else 11 - check
    return digit(number[:12]) == int(number[12]) and digit(number[:13]) == int(number[13])


_CUIT_KINDS = ("20", "23", "24", "27", "30", "33", "34", "50", "51", "55")


def ar_cuit(number: str) -> bool:
    """Argentina's CUIT/CUIL: a kind (20-27 people, 30-34 companies, 50-55 international), 8 digits, a mod 11 check digit (weights
    5 4 3 2 7 6 5 4 3 2)."""
    if not digits_of(number, 11) or number[:2] not in _CUIT_KINDS:
        return False
    check = 11 - weighted(number, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
    return {11: 0, 10: 9}.get(check, check) == int(number[10])


def cl_rut(number: str) -> bool:
    """Chile's RUT/RUN: 7 or 8 digits and a check character (mod 11, K for 10)."""
    body, check = number[:-1], number[-1:]
    if not digits_of(body, 7, 8):
        return False
    total = sum(int(d) * w for d, w in zip(reversed(body), (2, 3, 4, 5, 6, 7) * 2, strict=False))
    return "0123456789K0"[11 - total % 11] == check


_CURP = text_pattern(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d")
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def mx_curp(number: str) -> bool:
    """Mexico's CURP: 18 characters in its layout (a date in it), the last a check digit (weights 18..2 mod 10)."""
    if not whole(_CURP, number) or not date_ok(2000 + int(number[4:6]), int(number[6:8]), int(number[8:10])):
        return False
    total = sum(_CURP_ALPHABET.index(c) * w for c, w in zip(number[:17], range(18, 1, -1), strict=True))
    return (10 - total % 10) % 10 == int(number[17])


def ca_sin(number: str) -> bool:
    """Canada's social insurance number: 9 digits, Luhn; none begins with 0 or 8."""
    return digits_of(number, 9) and number[0] not in "08" and luhn(number)


# --- Asia, Africa, Oceania ------------------------------------------------------------------------------------------

def in_aadhaar(number: str) -> bool:
    """India's Aadhaar: 12 digits, the first 2-9, Verhoeff; not a palindrome."""
    return digits_of(number, 12) and number[0] not in "01" and number != number[::-1] and verhoeff(number)


def cn_ric(number: str) -> bool:
    """China's resident identity number: a region, a birth date, a serial, an ISO 7064 MOD 11-2 check (X for 10)."""
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        return False
    if not date_ok(int(number[6:10]), int(number[10:12]), int(number[12:14])):
        return False
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(number[:17]))
    return "10X98765432"[total % 11] == number[17]


def kr_rrn(number: str) -> bool:
    """South Korea's resident registration number: a date, sex and century, 6 digits, a check digit (mod 11)."""
    if not digits_of(number, 13):
        return False
    century = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000,
               "9": 1800, "0": 1800}[number[6]]
    if not date_ok(century + int(number[:2]), int(number[2:4]), int(number[4:6])):
        return False
    return (11 - weighted(number, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10 == int(number[12])


def jp_my_number(number: str) -> bool:
    """Japan's individual number (My Number): 11 digits and a check digit (weights 6..2, 7..2, mod 11)."""
    if not digits_of(number, 12):
        return False
    check = 11 - weighted(number[10::-1], (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6)) % 11
    return (0 if check > 9 else check) == int(number[11])


_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def sg_nric(number: str) -> bool:
    """Singapore's NRIC and FIN: S, T, F or G, 7 digits, a check letter (weights 2 7 6 5 4 3 2 mod 11)."""
    if len(number) != 9 or number[0] not in _NRIC_LETTERS or not digits_of(number[1:8], 7):
        return False
    total = weighted(number[1:8], (2, 7, 6, 5, 4, 3, 2)) + {"T": 4, "G": 4}.get(number[0], 0)
    return _NRIC_LETTERS[number[0]][total % 11] == number[8]


_HKID = text_pattern(r"[A-Z]{1,2}\d{6}[0-9A]")


def hk_hkid(number: str) -> bool:
    """Hong Kong's identity card number: 1 or 2 letters, 6 digits, a check digit or A (mod 11)."""
    if not whole(_HKID, number):
        return False
    letters, digits, check = number[:-7], number[-7:-1], number[-1]
    values = [36] * (2 - len(letters)) + [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    rest = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True)) % 11
    return "0123456789A"[(11 - rest) % 11] == check


def th_pin(number: str) -> bool:
    """Thailand's personal identification number: 13 digits, the first 1-8, mod 11 (weights 13..2)."""
    if not digits_of(number, 13) or number[0] in "09":
        return False
    return (11 - weighted(number, range(13, 1, -1)) % 11) % 10 == int(number[12])


def il_idnr(number: str) -> bool:
    """Israel's identity number (Teudat Zehut): up to 9 digits, Luhn."""
    return number.isdigit() and number.isascii() and 5 <= len(number) <= 9 and luhn(number.zfill(9))


def za_idnr(number: str) -> bool:
    """South Africa's identity number: a date, a serial, citizenship 0-2, Luhn."""
    return (digits_of(number, 13) and date_ok(2000 + int(number[:2]), int(number[2:4]), int(number[4:6]))
            and number[10] in "012" and luhn(number))


def id_nik(number: str) -> bool:
    """Indonesia's NIK: a region of 6, a birth date (women's day + 40), a serial of 4 (no check digit)."""
    return (digits_of(number, 16) and number[:2] != "00"
            and date_ok(2000 + int(number[10:12]), int(number[8:10]), int(number[6:8]) % 40 or 99))


def my_nric(number: str) -> bool:
    """Malaysia's MyKad number: a birth date, a place of birth, a serial (no check digit)."""
    return digits_of(number, 12) and date_ok(2000 + int(number[:2]), int(number[2:4]), int(number[4:6])) and (
        number[6:8] not in ("00", "17", "18", "19", "20", "69", "70", "73", "80", "81", "94", "95", "96", "97"))
