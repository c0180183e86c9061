"""National identity numbers of the Americas, Asia and Africa: python-stdnum's validator for each scheme it knows,
a hand-written one for each it lacks.

Hand-written, as python-stdnum 2.2 has no module for them: Singapore's NRIC / FIN and Hong Kong's identity card
number. Each check takes the number compacted (separators out, letters in capitals); see `_checksums`.
"""

from __future__ import annotations

from filters._patterns import text_pattern, whole
from filters.masking._checksums import digits_of, stdnum, weighted

# --- the Americas ---------------------------------------------------------------------------------------------------

br_cpf = stdnum("br.cpf")
br_cnpj = stdnum("br.cnpj")
ar_cuit = stdnum("ar.cuit")
cl_rut = stdnum("cl.rut")
mx_curp = stdnum("mx.curp")
ca_sin = stdnum("ca.sin")

# --- Asia, Africa, Oceania ------------------------------------------------------------------------------------------

in_aadhaar = stdnum("in_.aadhaar")
cn_ric = stdnum("cn.ric")
kr_rrn = stdnum("kr.rrn")
jp_my_number = stdnum("jp.in_")

_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def sg_nric(number: str) -> bool:
    """Singapore's NRIC and FIN: S, T, F or G, 7 digits, a check letter (weights 2 7 6 5 4 3 2 mod 11)
    (hand-written: no stdnum module)."""
    if len(number) != 9 or number[0] not in _NRIC_LETTERS or not digits_of(number[1:8], 7):
        return False
    total = weighted(number[1:8], (2, 7, 6, 5, 4, 3, 2)) + {"T": 4, "G": 4}.get(number[0], 0)
    return _NRIC_LETTERS[number[0]][total % 11] == number[8]


_HKID = text_pattern(r"[A-Z]{1,2}\d{6}[0-9A]")


def hk_hkid(number: str) -> bool:
    """Hong Kong's identity card number: 1 or 2 letters, 6 digits, a check digit or A (mod 11) (hand-written: no
    stdnum module)."""
    if not whole(_HKID, number):
        return False
    letters, digits, check = number[:-7], number[-7:-1], number[-1]
    values = [36] * (2 - len(letters)) + [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    rest = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True)) % 11
    return "0123456789A"[(11 - rest) % 11] == check


th_pin = stdnum("th.pin")
# Israel's identity number: stdnum pads any shorter number with zeros; fewer than 5 digits is no one's.
il_idnr = stdnum("il.idnr", accept=lambda number: 5 <= len(number) <= 9)
za_idnr = stdnum("za.idnr")
id_nik = stdnum("id.nik")
my_nric = stdnum("my.nric")
