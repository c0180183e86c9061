"""A third set of fresh forms, written from documented formats only, in classes no other set varies: each class
has families in a tuning half and other families in a validation half, and look-alikes go through the same
families.

    .venv/bin/python benchmarks/masking/fresh3.py [--count 3000] [--seed 13] [--part tuning|validation|both]

Classes: phone numbers as dialled from another country (libphonenumber's out-of-country formats, with each
region's own international prefix: 011, 00, 0011, 010, 810...) and as `tel:` URIs (RFC 3966); IBANs of the
registry's countries no other set draws (their BBAN formats); card numbers in their networks' own layouts
(American Express 4-6-5, Diners 4-6-4, 19 digits in 4-4-4-4-3 or 6-13, Maestro of 12 and 13 digits); sixteen
digits that pass the Luhn check under a card prefix, after words that say what they are (a card, or an order,
a ticket, a parcel) in several languages; e-mail addresses in scripts no other set uses (IDN, RFC 6531); and
keys of providers no set lists (their documented formats).

Fixes are made from the tuning half; `--part validation` is read once, at the end.
"""

from __future__ import annotations

import random
import string
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import values as v  # noqa: E402
from corpus import Line  # noqa: E402
from values import T, V, _split_spec, luhn_digit  # noqa: E402

from benchmarks.masking import fresh  # noqa: E402  (by its package: benchmarks/threat has a fresh.py too)
from benchmarks.masking.fresh import ALNUM, HEX, Family, Spans, _at, _pick  # noqa: E402
from benchmarks.masking.fresh2 import REGIONS, _valid_phone  # noqa: E402

UPPER_DIGITS = string.ascii_uppercase + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
URLSAFE = ALNUM + "-_"


def _ordinary_number(r: random.Random) -> str:
    return r.choice([f"order {v.digits(r, 9)}", f"ticket #{r.randint(1000, 99999)}", f"room {r.randint(100, 999)}",
                     f"at {r.randint(1, 12)}:{r.randint(10, 59)}", f"build {v.digits(r, 7)}"])


# --- phones as dialled from another country, and as tel: URIs ------------------------------------------------

def _region_half(region: str) -> str:
    return T if zlib.crc32(("fresh3" + region).encode()) % 2 == 0 else V


def _dialled(part: str, callers: list[str], words: list[str], uri: bool) -> Family:
    regions = [region for region in REGIONS if _region_half(region) == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:  # numbers that are no phone, after words that name no phone
            return f"{r.choice(['see', 're:', 'about'])} {_ordinary_number(r)}", ()
        number = None
        while number is None:
            number = _valid_phone(r, r.choice(regions))
        if uri and r.random() < 0.5:
            written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)
        else:
            caller = r.choice([c for c in callers if c != phonenumbers.region_code_for_number(number)])
            written = phonenumbers.format_out_of_country_calling_number(number, caller)
        return _at(r.choice(words) + " ", written, r.choice(["", " thanks", " (office)"]), "phone")
    return family


# --- IBANs of the registry's countries no other set draws ----------------------------------------------------

# The IBAN registry's BBAN formats (n digits, a upper-case letters, c letters and digits) of the countries that
# `values.BBAN` leaves out; each goes to one half by a hash of its code.
REGISTRY: dict[str, str] = {
    "AD": "4n4n12c", "AL": "8n16c", "BA": "3n3n8n2n", "BI": "5n5n11n2n", "BY": "4c4n16c", "CR": "4n14n",
    "DJ": "5n5n11n2n", "DO": "4c20n", "EG": "4n4n17n", "FK": "2a12n", "FO": "4n9n1n", "GI": "4a15c",
    "GL": "4n9n1n", "GT": "4c20c", "HN": "4a20n", "IQ": "4a3n12n", "LB": "4n20c", "LC": "4a24c", "LY": "3n3n15n",
    "MC": "5n5n11c2n", "MD": "2c18c", "MK": "3n10c2n", "MN": "4n12n", "MR": "5n5n11n2n", "NI": "4a20n",
    "OM": "3n16c", "PS": "4a21c", "RU": "9n5n15c", "SC": "4a2n2n16n3a", "SD": "2n12n", "SM": "1a5n5n12c",
    "SO": "4n3n12n", "ST": "4n4n11n2n", "SV": "4a20n", "TL": "3n14n2n", "TN": "2n3n13n2n", "VA": "3n15n",
    "VG": "4a16n", "XK": "4n10n2n", "YE": "4a4n18c",
}

# The registry's IBAN lengths: the head (country and check digits) and the BBAN.
REGISTRY_LENGTHS = {country: 4 + sum(int(m[:-1]) for m in _split_spec(spec)) for country, spec in REGISTRY.items()}


def _registry_iban(r: random.Random, country: str) -> str:
    alphabet = {"n": string.digits, "a": string.ascii_uppercase, "c": UPPER_DIGITS}
    bban = "".join("".join(r.choice(alphabet[m[-1]]) for _ in range(int(m[:-1]))) for m in _split_spec(REGISTRY[country]))
    number = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(number) % 97:02d}{bban}"


def _new_countries(part: str) -> Family:
    countries = [c for c in REGISTRY if zlib.crc32(("fresh3" + c).encode()) % 2 == (0 if part == T else 1)]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        number = _registry_iban(r, r.choice(countries))
        if look:
            number = number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]
        written = number if r.random() < 0.4 else " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        if look:
            return f"{r.choice(['reference', 'see', 'doc'])} {written}", ()
        return _at(r.choice(["IBAN ", "account: ", "wire to "]), written, r.choice(["", " thanks"]), "iban")
    return family


# --- card numbers in their networks' own layouts -------------------------------------------------------------

def _card(r: random.Random, prefix: str, length: int) -> str:
    body = prefix + v.digits(r, length - len(prefix) - 1)
    return body + luhn_digit(body)


def _laid(number: str, sizes: tuple[int, ...], sep: str) -> str:
    out, at = [], 0
    for size in sizes:
        out.append(number[at:at + size])
        at += size
    return sep.join(out)


# (prefixes, length, group sizes) by half: the networks' printed layouts.
LAYOUTS: dict[str, list[tuple[tuple[str, ...], int, tuple[int, ...]]]] = {
    T: [(("34", "37"), 15, (4, 6, 5)), (("36", "300", "305"), 14, (4, 6, 4))],
    V: [(("4", "62", "65", "2200"), 19, (4, 4, 4, 4, 3)), (("62", "6759"), 19, (6, 13)),
        (("6759", "6304", "5018"), 12, (4, 4, 4)), (("6759", "5893"), 13, (4, 4, 5))],
}


def _layouts(part: str, seps: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        prefixes, length, sizes = r.choice(LAYOUTS[part])
        number = _card(r, r.choice(prefixes), length)
        if look:
            number = number[:-1] + str((int(number[-1]) + 5) % 10)
        written = _laid(number, sizes, r.choice(seps))
        if look:
            return f"{r.choice(['ref', 'case', 'ID'])} {written}", ()
        return _at(r.choice(["card ", "my card: ", "pay with "]), written, r.choice(["", " exp 09/28"]), "card")
    return family


# --- sixteen digits under a card prefix: a card or an order, by the words around them ------------------------

# (words before a card, words before an order/ticket/parcel number) per language.
CONTEXT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # tuning: English, German, Spanish
    "en": (("my card number is", "charge my Visa", "credit card:", "debit card"),
           ("order number", "ticket", "tracking no.", "your parcel", "booking reference")),
    "de": (("meine Kreditkarte", "Kartennummer:", "bitte die Karte"),
           ("Bestellnummer", "Sendungsnummer:", "Ticket", "Auftragsnummer")),
    "es": (("mi tarjeta", "número de tarjeta:", "tarjeta de crédito"),
           ("número de pedido", "seguimiento:", "mi ticket", "localizador")),
    # validation: French, Italian, Dutch, Portuguese, Polish, Turkish
    "fr": (("ma carte bancaire", "numéro de carte :", "carte de crédit"), ("numéro de commande", "suivi colis :",
                                                                           "ticket n°", "référence de commande")),
    "it": (("la mia carta", "numero carta:", "carta di credito"), ("numero ordine", "spedizione n.", "il ticket")),
    "nl": (("mijn creditcard", "kaartnummer:", "pinpas"), ("bestelnummer", "trackingcode:", "ticketnummer")),
    "pt": (("meu cartão", "número do cartão:", "cartão de crédito"), ("número do pedido", "rastreio:", "chamado")),
    "pl": (("moja karta", "numer karty:", "karta kredytowa"), ("numer zamówienia", "przesyłka nr", "zgłoszenie")),
    "tr": (("kartım", "kart numaram:", "kredi kartı"), ("sipariş numarası", "kargo takip:", "talep no")),
}
_CONTEXT_HALF = {"en": T, "de": T, "es": T, "fr": V, "it": V, "nl": V, "pt": V, "pl": V, "tr": V}


def _in_context(part: str) -> Family:
    languages = [lang for lang, half in _CONTEXT_HALF.items() if half == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        card_words, order_words = CONTEXT[r.choice(languages)]
        number = _card(r, r.choice(["4", "51", "55", "6011", "3528"]), 16)
        written = r.choice([number, " ".join(number[i:i + 4] for i in range(0, 16, 4))])
        if look:  # a number of sixteen digits that passes the check, said to be an order's
            return f"{r.choice(order_words)} {written}{r.choice(['', ' ?', ' - status?'])}", ()
        return _at(r.choice(card_words) + " ", written, r.choice(["", ".", " thanks"]), "card")
    return family


# --- e-mail addresses in other scripts -----------------------------------------------------------------------

SCRIPTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # tuning: Arabic, Hebrew, punycode domains
    "arabic": (T, ("محمد", "سارة.علي"), ("مثال.مصر", "example.sa")),
    "hebrew": (T, ("דוד", "מיכל.כהן"), ("דוגמה.ישראל", "example.co.il")),
    "punycode": (T, ("info", "office", "anna.k"), ("xn--bcher-kva.example", "xn--80ak6aa92e.com")),
    # validation: Devanagari, Thai, Georgian, Korean, Armenian
    "devanagari": (V, ("राज", "प्रिया.शर्मा"), ("उदाहरण.भारत", "example.in")),
    "thai": (V, ("สมชาย", "นภา"), ("ตัวอย่าง.ไทย", "example.co.th")),
    "georgian": (V, ("გიორგი", "ნინო"), ("მაგალითი.გე", "example.ge")),
    "korean": (V, ("민수", "지영.김"), ("예시.한국", "example.kr")),
    "armenian": (V, ("արամ", "անի"), ("օրինակ.հայ", "example.am")),
}


def _scripts(part: str, words: list[str]) -> Family:
    names = [name for name, (half, _, _) in SCRIPTS.items() if half == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        _, locals_, domains = SCRIPTS[r.choice(names)]
        if look:
            return r.choice([f"{r.choice(locals_)} @ {r.choice(['5pm', 'noon', 'the desk'])}",
                             f"npm i left-pad@{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
                             f"icon@{r.choice(['2x', '3x'])}.png", f"ping @{r.choice(locals_)} please"]), ()
        address = f"{r.choice(locals_)}{r.choice(['', str(r.randint(1, 99))])}@{r.choice(domains)}"
        return _at(r.choice(words) + " ", address, r.choice(["", " thanks", "."]), "email")
    return family


# --- keys of providers no set lists ---------------------------------------------------------------------------

PROVIDERS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    # tuning
    "dynatrace": (T, lambda r: "dt0c01." + _pick(r, 24, UPPER_DIGITS) + "." + _pick(r, 64, UPPER_DIGITS)),
    "airtable": (T, lambda r: "pat" + _pick(r, 14) + "." + _pick(r, 64, HEX)),
    "terraform": (T, lambda r: _pick(r, 14) + ".atlasv1." + _pick(r, 67, URLSAFE)),
    "alibaba": (T, lambda r: "LTAI" + _pick(r, 20)),
    "razorpay": (T, lambda r: "rzp_live_" + _pick(r, 14)),
    "notion": (T, lambda r: "ntn_" + _pick(r, 46)),
    # validation
    "tencent": (V, lambda r: "AKID" + _pick(r, 32)),
    "azure-ad": (V, lambda r: _pick(r, 3) + "8Q~" + _pick(r, 34, ALNUM + "_~.-")),
    "braintree": (V, lambda r: "access_token$production$" + _pick(r, 16, LOWER_DIGITS) + "$" + _pick(r, 32, HEX)),
    "flyio": (V, lambda r: "fo1_" + _pick(r, 43, URLSAFE)),
    "cloudflare-ca": (V, lambda r: "v1.0-" + _pick(r, 24, HEX) + "-" + _pick(r, 146, HEX)),
    "heroku": (V, lambda r: "HRKU-AA" + _pick(r, 58, URLSAFE)),
}


def _keys(part: str, lead: list[str]) -> Family:
    return fresh._keys(part, lead, PROVIDERS, ("id", "digest", "see", "slug"), ("", " thanks", "\n", " (rotated)"))


FAMILIES: tuple[tuple[str, str, Family], ...] = (
    (T, "phone:dialled-from-us-gb", _dialled(T, ["US", "GB"], ["call", "phone", "my number"], False)),
    (V, "phone:dialled-from-others-tel-uri", _dialled(V, ["AU", "JP", "RU", "BR", "KR"], ["ring", "Tel.", "WhatsApp"],
                                                      True)),
    (T, "iban:registry-a", _new_countries(T)), (V, "iban:registry-b", _new_countries(V)),
    (T, "card:layouts-15-14", _layouts(T, " -")), (V, "card:layouts-19-12-13", _layouts(V, " -")),
    (T, "card:context-en-de-es", _in_context(T)), (V, "card:context-fr-it-nl-pt-pl-tr", _in_context(V)),
    (T, "email:arabic-hebrew-punycode", _scripts(T, ["mail", "write to", "contact:"])),
    (V, "email:indic-thai-georgian-korean-armenian", _scripts(V, ["e-mail", "send it to", "address:"])),
    (T, "keys:providers-e", _keys(T, ["", "token ", "key: ", "export KEY="])),
    (V, "keys:providers-f", _keys(V, ["", "creds ", "secret: ", "SECRET="])),
)


def generate(count: int, seed: int, part: str, lookalike: float = 0.3) -> list[Line]:
    """`fresh.generate` over these families (look-alikes through every family)."""
    return fresh.generate(count, seed, part, lookalike, families=FAMILIES, salt="fresh3")


if __name__ == "__main__":
    fresh.main(generate, seed=13)
