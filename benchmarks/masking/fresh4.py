"""A fourth set of fresh forms, written from documented formats no other set uses: each class has families in a
tuning half and other families in a validation half, and look-alikes go through the same families.

    .venv/bin/python benchmarks/masking/fresh4.py [--count 3000] [--seed 17] [--part tuning|validation|both]

Classes: national identity numbers with their check digits (Spain's DNI letter, Brazil's CPF, Sweden's
personnummer, the Netherlands' BSN; Poland's PESEL, Finland's henkilötunnus, India's Aadhaar, China's resident
identity number, Turkey's T.C. kimlik), after the words people write before them; keys of providers no set lists
(their documented prefixes and lengths); phone numbers in layouts no set writes (the country code in brackets,
dotted, slashed, hyphenated after 00); e-mail addresses in scripts and under top-level domains no set uses.

Fixes are made from the tuning half; `--part validation` is read once, at the end.
"""

from __future__ import annotations

import random
import string
import sys
import uuid
import zlib
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import values as v  # noqa: E402
from corpus import Line  # noqa: E402
from values import T, V, luhn_digit  # noqa: E402

from benchmarks.masking import fresh  # noqa: E402  (by its package: benchmarks/threat has a fresh.py too)
from benchmarks.masking.fresh import ALNUM, HEX, Family, Spans, _at, _pick  # noqa: E402
from benchmarks.masking.fresh2 import REGIONS, _valid_phone  # noqa: E402

UPPER_HEX = "0123456789ABCDEF"
URLSAFE = ALNUM + "-_"


# --- national identity numbers and their check digits ----------------------------------------------------------

def _dni(r: random.Random) -> str:
    number = r.randint(10_000_000, 99_999_999)
    return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def _cpf(r: random.Random) -> str:
    body = [r.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(body, range(size + 1, 1, -1), strict=True))
        body.append(0 if total % 11 < 2 else 11 - total % 11)
    d = "".join(map(str, body))
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


def _birth(r: random.Random) -> tuple[int, int, int]:
    return r.randint(1950, 2005), r.randint(1, 12), r.randint(1, 28)


def _personnummer(r: random.Random) -> str:
    year, month, day = _birth(r)
    body = f"{year % 100:02d}{month:02d}{day:02d}{r.randint(0, 999):03d}"
    return f"{body[:6]}-{body[6:]}{luhn_digit(body)}"


def _bsn(r: random.Random) -> str:
    while True:
        d = [r.randint(1, 9)] + [r.randint(0, 9) for _ in range(7)]
        rest = sum(x * w for x, w in zip(d, range(9, 1, -1), strict=True)) % 11
        if rest < 10:
            return "".join(map(str, d)) + str(rest)


def _pesel(r: random.Random) -> str:
    year, month, day = _birth(r)
    month += 20 if year >= 2000 else 0
    body = f"{year % 100:02d}{month:02d}{day:02d}{r.randint(0, 9999):04d}"
    total = sum(int(c) * w for c, w in zip(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True))
    return body + str((10 - total % 10) % 10)


def _hetu(r: random.Random) -> str:
    year, month, day = _birth(r)
    serial = r.randint(2, 899)
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(f"{day:02d}{month:02d}{year % 100:02d}{serial:03d}") % 31]
    return f"{day:02d}{month:02d}{year % 100:02d}{'-' if year < 2000 else 'A'}{serial:03d}{check}"


_VERHOEFF_D = [[(i + j) % 5 + 5 * ((i // 5 + j // 5) % 2) if i < 5 and j < 5 else 0 for j in range(10)]
               for i in range(10)]
_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
      [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _k in range(2, 8):
    _P.append([_P[1][_P[_k - 1][j]] for j in range(10)])
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def _verhoeff_digit(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def _aadhaar(r: random.Random) -> str:
    body = str(r.randint(2, 9)) + v.digits(r, 10)
    d = body + _verhoeff_digit(body)
    return f"{d[:4]} {d[4:8]} {d[8:]}"


def _resident_id(r: random.Random) -> str:
    year, month, day = _birth(r)
    body = f"{r.choice(['110101', '310104', '440106', '510107'])}{year}{month:02d}{day:02d}{r.randint(0, 999):03d}"
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    return body + "10X98765432"[total % 11]


def _kimlik(r: random.Random) -> str:
    d = [r.randint(1, 9)] + [r.randint(0, 9) for _ in range(8)]
    d.append(((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


# (half, maker, words before it)
IDS = {
    "es-dni": (T, _dni, ("mi DNI es", "número de DNI:", "documento de identidad")),
    "br-cpf": (T, _cpf, ("meu CPF é", "CPF:", "número do CPF")),
    "se-personnummer": (T, _personnummer, ("mitt personnummer är", "personnummer:")),
    "nl-bsn": (T, _bsn, ("mijn BSN is", "burgerservicenummer:", "BSN")),
    "pl-pesel": (V, _pesel, ("mój PESEL to", "numer PESEL:", "PESEL")),
    "fi-hetu": (V, _hetu, ("henkilötunnukseni on", "hetu:", "henkilötunnus")),
    "in-aadhaar": (V, _aadhaar, ("my Aadhaar number is", "Aadhaar:", "आधार संख्या")),
    "cn-resident": (V, _resident_id, ("我的身份证号是", "身份证号码:", "ID card no.")),
    "tr-kimlik": (V, _kimlik, ("TC kimlik numaram", "T.C. kimlik no:", "kimlik numarası")),
}


def _ids(part: str) -> Family:
    names = [name for name, (half, _, _) in IDS.items() if half == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        _, make, words = IDS[r.choice(names)]
        value = make(r)
        if look:  # the same shape with a digit changed, after a word for an order or a ticket
            digits = [i for i, c in enumerate(value) if c.isdigit()]
            at = r.choice(digits[1:])
            value = value[:at] + str((int(value[at]) + 1) % 10) + value[at + 1:]
            return f"{r.choice(['order', 'ticket', 'ref', 'invoice no.'])} {value}", ()
        return _at(r.choice(words) + " ", value, r.choice(["", ".", " thanks"]), "national_id")
    return family


# --- keys of providers no set lists ---------------------------------------------------------------------------

def _mapbox(r: random.Random) -> str:
    import base64
    payload = base64.urlsafe_b64encode(f'{{"u":"{_pick(r, 8).lower()}","a":"{_pick(r, 25)}"}}'.encode())
    return "sk." + payload.decode().rstrip("=") + "." + _pick(r, 22, URLSAFE)


PROVIDERS = {
    # tuning
    "posthog": (T, lambda r: "phx_" + _pick(r, 43)),
    "buildkite": (T, lambda r: "bkua_" + _pick(r, 40, HEX)),
    "deno": (T, lambda r: "ddp_" + _pick(r, 36)),
    "netlify": (T, lambda r: "nfp_" + _pick(r, 36)),
    "jfrog": (T, lambda r: "AKCp" + _pick(r, 69)),
    "dropbox": (T, lambda r: "sl." + _pick(r, 135, URLSAFE)),
    # validation
    "crates-io": (V, lambda r: "cio" + _pick(r, 32)),
    "scaleway": (V, lambda r: "SCW" + _pick(r, 17, string.ascii_uppercase + string.digits)),
    "telnyx": (V, lambda r: "KEY0" + _pick(r, 32, UPPER_HEX) + "_" + _pick(r, 22)),
    "together": (V, lambda r: "tgp_v1_" + _pick(r, 43, URLSAFE)),
    "plaid": (V, lambda r: "access-production-" + str(uuid.UUID(int=r.getrandbits(128), version=4))),
    "mapbox": (V, _mapbox),
}


def _keys(part: str, lead: list[str]) -> Family:
    return fresh._keys(part, lead, PROVIDERS, ("id", "build", "see", "slug"), ("", " thanks", "\n", " (revoked)"))


# --- phone numbers in layouts no set writes ----------------------------------------------------------------------

def _region_half(region: str) -> str:
    return T if zlib.crc32(("fresh4" + region).encode()) % 2 == 0 else V


def _bracketed(n: phonenumbers.PhoneNumber, r: random.Random) -> str:
    code, rest = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL).split(" ", 1)
    return r.choice([f"({code}) {rest}", f"{code}.{rest.replace(' ', '.').replace('-', '.')}"])


def _slashed(n: phonenumbers.PhoneNumber, r: random.Random) -> str:
    code, rest = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL).split(" ", 1)
    grouped = rest.replace("-", " ").split(" ")
    return r.choice([f"{code}/{' '.join(grouped)}", "00" + code[1:] + "-" + "-".join(grouped),
                     f"[{code}] {' '.join(grouped)}"])


def _phones(part: str, words: list[str]) -> Family:
    regions = [region for region in REGIONS if _region_half(region) == part]
    write = _bracketed if part == T else _slashed

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:  # numbers of the same layouts that are no phone: a build, a version, a date and a count
            return r.choice([f"build ({r.randint(1, 99)}) {v.digits(r, 4)}", f"v{r.randint(1, 9)}.{r.randint(0, 30)}."
                             f"{r.randint(0, 999)}", f"{r.randint(1, 28)}/{r.randint(1, 12)}/{r.randint(2019, 2026)}",
                             f"order [{r.randint(10, 99)}] {v.digits(r, 6)}"]), ()
        number = None
        while number is None:
            number = _valid_phone(r, r.choice(regions))
        return _at(r.choice(words) + " ", write(number, r), r.choice(["", " thanks", "."]), "phone")
    return family


# --- e-mail addresses in scripts no set uses ---------------------------------------------------------------------

SCRIPTS = {
    # tuning: Cyrillic under .рф, Chinese under .中国, Greek under .ελ
    "cyrillic": (T, ("иван", "мария.петрова"), ("пример.рф", "почта.рф")),
    "chinese": (T, ("王伟", "李娜"), ("例子.中国", "公司.中国")),
    "greek": (T, ("γιάννης", "μαρία.π"), ("παράδειγμα.ελ", "example.gr")),
    # validation: Ethiopic, Khmer, Myanmar, Mongolian under .мон, Urdu under .پاکستان
    "ethiopic": (V, ("አበበ", "ሰላም"), ("example.et", "ምሳሌ.com")),
    "khmer": (V, ("សុខា", "ដារា"), ("example.kh", "ឧទាហរណ៍.com")),
    "myanmar": (V, ("မောင်", "အောင်"), ("example.mm", "ဥပမာ.com")),
    "mongolian": (V, ("бат", "сараа"), ("жишээ.мон", "example.mn")),
    "urdu": (V, ("علی", "فاطمہ"), ("مثال.پاکستان", "example.pk")),
}


def _scripts(part: str, words: list[str]) -> Family:
    names = [name for name, (half, _, _) in SCRIPTS.items() if half == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        _, locals_, domains = SCRIPTS[r.choice(names)]
        if look:
            return r.choice([f"{r.choice(locals_)} @ {r.choice(['9am', 'lunch', 'the office'])}",
                             f"pip install pkg@{r.randint(1, 9)}.{r.randint(0, 9)}",
                             f"logo@{r.choice(['2x', '3x'])}.webp", f"cc @{r.choice(locals_)}"]), ()
        address = f"{r.choice(locals_)}{r.choice(['', str(r.randint(1, 99))])}@{r.choice(domains)}"
        return _at(r.choice(words) + " ", address, r.choice(["", " thanks", "."]), "email")
    return family


FAMILIES: tuple[tuple[str, str, Family], ...] = (
    (T, "id:es-br-se-nl", _ids(T)), (V, "id:pl-fi-in-cn-tr", _ids(V)),
    (T, "keys:providers-g", _keys(T, ["", "token ", "key: ", "export TOKEN="])),
    (V, "keys:providers-h", _keys(V, ["", "creds ", "secret: ", "API_KEY="])),
    (T, "phone:bracketed-dotted", _phones(T, ["call", "phone", "my number"])),
    (V, "phone:slashed-hyphenated", _phones(V, ["ring", "Tel.", "WhatsApp"])),
    (T, "email:cyrillic-chinese-greek", _scripts(T, ["mail", "write to", "contact:"])),
    (V, "email:ethiopic-khmer-myanmar-mongolian-urdu", _scripts(V, ["e-mail", "send it to", "address:"])),
)


def generate(count: int, seed: int, part: str, lookalike: float = 0.3) -> list[Line]:
    """`fresh.generate` over these families (look-alikes through every family)."""
    return fresh.generate(count, seed, part, lookalike, families=FAMILIES, salt="fresh4")


if __name__ == "__main__":
    fresh.main(generate, seed=17)
