"""Value generators for the masking corpus, each family tagged with the part it belongs to.

Every family is either `T` (tuning) or `V` (validation): the detectors are tuned on the
tuning families only, and the validation figures come from families they never saw
(other card networks and layouts, other countries' phone numbers and IBANs, other
providers' key formats, other e-mail scripts). Facts used: card IIN ranges and lengths,
the IBAN registry's country formats, libphonenumber's example numbers (the `phonenumbers`
package), providers' documented token formats.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

import phonenumbers

T, V = "tuning", "validation"
Maker = Callable[[random.Random], str]


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + d)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return d
    raise AssertionError


def digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


# --- cards: (network, prefix choices, length) by part -------------------------------------------

CARD_NETWORKS: dict[str, tuple[str, tuple[str, ...], tuple[int, ...]]] = {
    "visa": (T, ("4",), (16, 16, 13)),
    "mastercard": (T, ("51", "52", "53", "54", "55", "2221", "2500", "2720"), (16,)),
    "amex": (T, ("34", "37"), (15,)),
    "discover": (T, ("6011", "644", "65"), (16,)),
    "jcb": (T, ("3528", "3540", "3589"), (16,)),
    "unionpay": (T, ("62",), (16, 19)),
    "mir": (T, ("2200", "2202", "2204"), (16,)),
    "elo": (T, ("636368", "509042", "650487"), (16,)),
    "diners": (V, ("36", "300", "305", "38"), (14,)),
    "maestro": (V, ("6759", "5018", "6304", "5893"), (16, 18, 19)),
    "rupay": (V, ("60", "508", "82"), (16,)),
    "troy": (V, ("9792",), (16,)),
    "dankort": (V, ("5019",), (16,)),
    "bancontact": (V, ("6703",), (16, 17)),
    "hipercard": (V, ("606282",), (16,)),
    "verve": (V, ("506100", "650010"), (16, 19)),
}


def raw_card(r: random.Random, part: str) -> str:
    names = [name for name, (p, _, _) in CARD_NETWORKS.items() if p == part]
    _, prefixes, lengths = CARD_NETWORKS[r.choice(names)]
    prefix, length = r.choice(prefixes), r.choice(lengths)
    body = prefix + digits(r, length - len(prefix) - 1)
    return body + luhn_digit(body)


def _grouped(number: str, sep: str, size: int = 4) -> str:
    return sep.join(number[i:i + size] for i in range(0, len(number), size))


CARD_LAYOUTS: dict[str, tuple[str, Callable[[str, random.Random], str]]] = {
    "plain": (T, lambda n, r: n),
    "spaces": (T, lambda n, r: _grouped(n, " ")),
    "hyphens": (T, lambda n, r: _grouped(n, "-")),
    "full-width": (T, lambda n, r: "".join(chr(0xFF10 + int(c)) for c in n)),
    "zero-width": (T, lambda n, r: _grouped(n, "\u200b")),
    "tabs": (T, lambda n, r: _grouped(n, "\t")),
    "line-break": (T, lambda n, r: _grouped(n[:8], " ") + "\n" + _grouped(n[8:], " ")),
    "cjk-glued": (T, lambda n, r: n),  # the template glues it to CJK text
    "dots": (V, lambda n, r: _grouped(n, ".")),
    "mixed": (V, lambda n, r: "".join(n[i:i + 4] + (r.choice(" -.") if i + 4 < len(n) else "")
                                     for i in range(0, len(n), 4))),
    "no-break-spaces": (V, lambda n, r: _grouped(n, "\u00a0")),
    "en-dashes": (V, lambda n, r: _grouped(n, "\u2013")),
    "em-dashes": (V, lambda n, r: _grouped(n, "\u2014")),
    "minus-signs": (V, lambda n, r: _grouped(n, "\u2212")),
    "slashes": (V, lambda n, r: _grouped(n, "/")),
    "digit-spaced": (V, lambda n, r: " ".join(n)),
    "soft-hyphens": (V, lambda n, r: _grouped(n, "\u00ad")),
}

# --- SSNs ------------------------------------------------------------------------------------------


def raw_ssn(r: random.Random) -> str:
    area = r.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}{r.randint(1, 99):02d}{r.randint(1, 9999):04d}"


SSN_LAYOUTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "dashed": (T, lambda s: f"{s[:3]}-{s[3:5]}-{s[5:]}"),
    "spaced": (T, lambda s: f"{s[:3]} {s[3:5]} {s[5:]}"),
    "bare": (T, lambda s: s),  # templates put SSN words in front
    "digit-spaced": (V, lambda s: " ".join(s)),
    "en-dashed": (V, lambda s: f"{s[:3]}\u2013{s[3:5]}\u2013{s[5:]}"),
    "dotted": (V, lambda s: f"{s[:3]}.{s[3:5]}.{s[5:]}"),
}

# --- IBANs: the registry's BBAN formats (n digits, a upper-case letters, c alphanumerics) ------------

BBAN: dict[str, str] = {
    "DE": "8n10n", "FR": "5n5n11c2n", "GB": "4a6n8n", "ES": "4n4n1n1n10n", "NL": "4a10n", "BE": "3n7n2n",
    "CH": "5n12c", "IT": "1a5n5n12c", "PL": "8n16n", "SE": "3n16n1n", "AT": "5n11n", "IE": "4a6n8n",
    "PT": "4n4n11n2n", "DK": "4n9n1n", "NO": "4n6n1n", "FI": "3n11n", "CZ": "4n6n10n", "HU": "3n4n1n15n1n",
    "RO": "4a16c", "GR": "3n4n16c", "LU": "3n13c", "LI": "5n12c", "MT": "4a5n18c", "CY": "3n5n16c",
    "BG": "4a4n2n8c", "HR": "7n10n", "SI": "5n8n2n", "SK": "4n6n10n", "EE": "2n2n11n1n", "LV": "4a13c",
    "LT": "5n11n", "IS": "4n2n6n10n", "TR": "5n1n16c", "SA": "2n18c", "AE": "3n16n", "QA": "4a21c",
    "KW": "4a22c", "BH": "4a14c", "JO": "4a4n18c", "IL": "3n3n13n", "BR": "8n5n10n1a1c", "MU": "4a2n2n12n3n3a",
    "UA": "6n19c", "GE": "2a16n", "AZ": "4a20c", "KZ": "3n13c", "PK": "4a16c", "RS": "3n13n2n", "ME": "3n13n2n",
}
IBAN_PARTS: dict[str, str] = {country: (T if i % 2 == 0 else V) for i, country in enumerate(BBAN)}
for _country in ("GB", "CH"):  # the examples of letters in the BBAN go to validation
    IBAN_PARTS[_country] = V
for _country in ("DE", "FR", "NL"):
    IBAN_PARTS[_country] = T


def raw_iban(r: random.Random, part: str) -> str:
    country = r.choice([c for c, p in IBAN_PARTS.items() if p == part])
    bban = ""
    spec = BBAN[country]
    for count, kind in ((int(m[:-1]), m[-1]) for m in _split_spec(spec)):
        alphabet = {"n": string.digits, "a": string.ascii_uppercase, "c": string.ascii_uppercase + string.digits}
        bban += "".join(r.choice(alphabet[kind]) for _ in range(count))
    number = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(number) % 97:02d}{bban}"


def _split_spec(spec: str) -> list[str]:
    out, current = [], ""
    for char in spec:
        current += char
        if char.isalpha():
            out.append(current)
            current = ""
    return out


IBAN_LAYOUTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "compact": (T, lambda s: s),
    "groups": (T, lambda s: _grouped(s, " ")),
    "lower-groups": (V, lambda s: _grouped(s.lower(), " ")),
    "hyphen-groups": (V, lambda s: _grouped(s, "-")),
}

# --- e-mail ------------------------------------------------------------------------------------------

EMAIL_FAMILIES: dict[str, tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "ascii": (T, (("john.doe", "maria", "k.tanaka", "support+tag", "li_wei", "a.b.c", "ops-team"),
                  ("example.com", "mail.example.org", "corp.co.uk", "gmail.com", "web.de"))),
    "latin-accents": (T, (("jörg.müller", "françois", "josé.garcía", "søren"),
                          ("gmx.de", "example.fr", "correo.es", "mail.dk"))),
    "idn-domain": (V, (("info", "kontakt", "hello"), ("bücher.de", "müller-bau.at", "exämple.ch", "xn--mller-kva.de"))),
    "cyrillic": (V, (("иван", "ольга.петрова"), ("почта.рф", "пример.рф", "mail.ru"))),
    "cjk": (V, (("用户", "たなか"), ("例子.中国", "例え.jp", "example.cn"))),
    "greek-polish": (V, (("γιάννης", "łukasz.żak"), ("παράδειγμα.gr", "poczta.pl"))),
}


def email(r: random.Random, part: str) -> str:
    family = r.choice([f for f, (p, _) in EMAIL_FAMILIES.items() if p == part])
    names, domains = EMAIL_FAMILIES[family][1]
    return f"{r.choice(names)}{r.choice(['', str(r.randint(1, 99))])}@{r.choice(domains)}"


# --- phones: libphonenumber example numbers, re-randomised, in each region's own formats ------------

PHONE_REGIONS: dict[str, str] = {
    "US": T, "DE": T, "GB": T, "IN": T, "JP": T, "AU": T, "ES": T, "MX": T, "ZA": T, "SE": T,
    "FR": V, "CA": V, "IT": V, "NL": V, "BR": V, "PL": V, "CH": V, "TR": V, "KR": V, "RU": V,
}
PHONE_FORMATS: dict[str, tuple[str, str]] = {
    "international": (T, "INTERNATIONAL"), "national": (T, "NATIONAL"), "e164": (V, "E164"),
    "hyphenated-international": (V, "HYPHEN"), "dotted": (V, "DOTTED"),
}


def phone(r: random.Random, part: str) -> str:
    region = r.choice([c for c, p in PHONE_REGIONS.items() if p == part])
    kind = r.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    national = str(example.national_number)
    for _ in range(20):  # keep the region's leading digits, randomise the rest, keep it valid
        keep = max(2, len(national) // 3)
        candidate = national[:keep] + digits(r, len(national) - keep)
        parsed = phonenumbers.parse("+" + str(example.country_code) + candidate)
        if phonenumbers.is_valid_number(parsed):
            example = parsed
            break
    layout = PHONE_FORMATS[r.choice([f for f, (p, _) in PHONE_FORMATS.items() if p == part])][1]
    if layout in ("INTERNATIONAL", "NATIONAL", "E164"):
        return phonenumbers.format_number(example, getattr(phonenumbers.PhoneNumberFormat, layout))
    shown = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if layout == "HYPHEN":
        return shown.replace(" ", "-").replace("+-", "+")
    national_shown = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    if region == "FR":  # French numbers in dotted pairs: 06.12.34.56.78
        return national_shown.replace(" ", ".")
    return shown.replace(" ", ".").replace("+.", "+")


# --- IPs -----------------------------------------------------------------------------------------------

IP_FAMILIES: dict[str, tuple[str, Maker]] = {
    "ipv4": (T, lambda r: f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"),
    "ipv6-compressed": (T, lambda r: f"2001:db8:{r.randint(1, 65535):x}::{r.randint(1, 65535):x}"),
    "ipv6-full": (V, lambda r: ":".join(f"{r.randint(0, 65535):x}" for _ in range(8))),
    "ipv4-private": (V, lambda r: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"),
}

# --- secrets: providers' documented formats ---------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits


def _pick(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


_JWT_HEADER = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
SECRET_FAMILIES: dict[str, tuple[str, Maker]] = {
    "aws": (T, lambda r: "AKIA" + _pick(r, 16, string.ascii_uppercase + "234567")),
    "github": (T, lambda r: "ghp_" + _pick(r, 36)),
    "gitlab": (T, lambda r: "glpat-" + _pick(r, 20)),
    "slack": (T, lambda r: "xoxb-" + digits(r, 12) + "-" + _pick(r, 24)),
    "stripe": (T, lambda r: "sk_live_" + _pick(r, 24)),
    "google": (T, lambda r: "AIza" + _pick(r, 35)),
    "jwt": (T, lambda r: f"{_JWT_HEADER}.{_pick(r, 40)}.{_pick(r, 43)}"),
    "openai": (T, lambda r: "sk-proj-" + _pick(r, 48)),
    "huggingface": (T, lambda r: "hf_" + _pick(r, 34)),
    "anthropic": (V, lambda r: "sk-ant-api03-" + _pick(r, 93, ALNUM + "-_") + "AA"),
    "sendgrid": (V, lambda r: "SG." + _pick(r, 22, ALNUM + "-_") + "." + _pick(r, 43, ALNUM + "-_")),
    "npm": (V, lambda r: "npm_" + _pick(r, 36)),
    "pypi": (V, lambda r: "pypi-AgEIcHlwaS5vcmc" + _pick(r, 60, ALNUM + "-_")),
    "telegram": (V, lambda r: digits(r, 10) + ":AA" + _pick(r, 33, ALNUM + "-_")),
    "digitalocean": (V, lambda r: "dop_v1_" + _pick(r, 64, "0123456789abcdef")),
    "shopify": (V, lambda r: "shpat_" + _pick(r, 32, "0123456789abcdef")),
    "hex-key": (V, lambda r: _pick(r, 32, "0123456789abcdef")),  # templates put "key" in front
}


def password(r: random.Random) -> str:
    chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%&*"
    return "".join(r.choice(chars) for _ in range(r.randint(10, 20)))


def chosen_password(r: random.Random) -> str:
    """What people pick: a word, a number, maybe a sign."""
    word = r.choice(["summer", "Hunter", "dragon", "Bella", "monkey", "Kaffee", "soleil", "tigre"])
    return word + str(r.randint(1, 2025)) + r.choice(["", "!", "#", "?"])
