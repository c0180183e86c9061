"""Fresh forms of values, in classes the corpus and the hostile set do not vary: each class has families in a
tuning half and other families in a validation half, and look-alikes go through the same families.

    .venv/bin/python benchmarks/masking/fresh.py [--count 3000] [--seed 5] [--part tuning|validation|both]

Classes: a value split over two JSON fields (card halves; a phone's prefix and number, an IBAN's halves), a
password on the line after its word, markdown around a value, other marks between a number's groups, one
letter glued to a value, phone numbers of every region libphonenumber knows (regions split in two halves by
name), IBANs in lower case and odd groupings, addresses spelt out in words of several languages, and API
keys of providers the corpus does not list (their documented formats, one set of providers per half).

Fixes are made from the tuning half; `--part validation` is read to tell whether they hold.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import values as v  # noqa: E402
from corpus import Line  # noqa: E402
from hostile import _groups_of, report  # noqa: E402
from values import T, V  # noqa: E402

Spans = tuple[tuple[str, int, int], ...]
# A family: (rng, is a look-alike) -> (text, labelled spans).
Family = Callable[[random.Random, bool], tuple[str, Spans]]
HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def _at(before: str, value: str, after: str, kind: str) -> tuple[str, Spans]:
    return before + value + after, ((kind, len(before), len(before) + len(value)),)


def _fours(number: str, separator: str) -> str:
    return separator.join(number[i:i + 4] for i in range(0, len(number), 4))


def _lookalike_number(r: random.Random) -> str:
    """Something numeric that is no value: an order number, a tracking number, a timestamp, a version."""
    choice = r.randrange(6)
    if choice == 0:
        return v.digits(r, r.choice([10, 12, 16]))  # an order or tracking number (mostly no Luhn or prefix)
    if choice == 1:
        card = v.raw_card(r, T)
        return card[:-1] + str((int(card[-1]) + 3) % 10)
    if choice == 2:
        return str(r.randint(1_600_000_000, 1_800_000_000))
    if choice == 3:
        return f"{r.randint(2019, 2026)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 235959):06d}"
    if choice == 4:
        return f"1Z{v.digits(r, 16)}"
    return f"{r.randint(1, 20)}.{r.randint(0, 30)}.{r.randint(0, 300)}"


def _lookalike_token(r: random.Random) -> str:
    choice = r.randrange(6)
    if choice == 4:  # a digest after a word that names it
        return r.choice(["release-", "sha256-", "commit_", "build-"]) + f"{r.getrandbits(160):040x}"
    if choice == 5:  # a long word, a slug
        return r.choice(["re-internationalization", "how-to-configure-the-gateway-proxy", "v2.14.3-rc1",
                         "user_preferences_migration_2024"])
    if choice == 0:
        return str(uuid.UUID(int=r.getrandbits(128), version=4))
    if choice == 1:
        return f"{r.getrandbits(160):040x}"
    if choice == 2:
        return r.choice(["build", "release", "feature", "fix"]) + "_" + "_".join(
            r.choice(["cache", "user", "login", "token", "parser", "v2", "old"]) for _ in range(3))
    return f"sha256:{r.getrandbits(256):064x}"


# --- split over two JSON fields ----------------------------------------------------------------------------

def _two_fields(names: tuple[str, str], kind: str, make: Callable[[random.Random], tuple[str, str]]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        fields = names
        if look:  # two parts of something that is no value, in fields named for what they are
            number = _lookalike_number(r)
            half = len(number) // 2
            first, second = number[:half], number[half:]
            fields = (r.choice(["order", "ref", "ts"]) + "1", r.choice(["order", "ref", "ts"]) + "2")
        else:
            first, second = make(r)
        head = '{"' + fields[0] + '": "'
        middle = '", "' + fields[1] + '": "'
        text = head + first + middle + second + '"}'
        a = len(head)
        b = a + len(first) + len(middle)
        return text, ((kind, a, a + len(first)), (kind, b, b + len(second)))
    return family


def _card_halves(r: random.Random) -> tuple[str, str]:
    number = _fours(v.raw_card(r, T), " ")
    cut = r.choice([9, 10])
    return number[:cut].rstrip(), number[cut:].lstrip()


def _phone_parts(r: random.Random) -> tuple[str, str]:
    region = r.choice(["FR", "DE", "IT", "ES", "NL", "GB", "PL", "BR"])
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    shown = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    prefix, _, rest = shown.partition(" ")
    return prefix, rest


def _iban_halves(r: random.Random) -> tuple[str, str]:
    number = _fours(v.raw_iban(r, V), " ")
    cut = (len(number) // 10) * 5
    return number[:cut].rstrip(), number[cut:].lstrip()


# --- a password on the next line -------------------------------------------------------------------------

def _next_line(words: list[str], breaks: list[str]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        word, brk = r.choice(words), r.choice(breaks)
        if look:
            return f"{word}{brk}{r.choice(['Username: bob', 'required for login', 'see the wiki', 'not working'])}", ()
        value = v.password(r) if r.random() < 0.5 else v.chosen_password(r)
        return _at(f"{word}{brk}", value, r.choice(["", brk + "thanks"]), "secret")
    return family


# --- markdown around a value, other marks between groups, one glued letter ---------------------------------

def _numeric_value(r: random.Random) -> tuple[str, list[str]]:
    return _groups_of(r.choice(["card", "ssn", "iban"]), r, T)


_NAMES = {"card": "card", "ssn": "SSN", "iban": "IBAN"}


def _marked(open_mark: str, close_mark: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:
            return f"ref {open_mark}{r.choice([_lookalike_number(r), _lookalike_token(r)])}{close_mark} ok", ()
        kind, groups = _numeric_value(r)
        return _at(f"my {_NAMES[kind]} {open_mark}", r.choice([" ", "-", ""]).join(groups), f"{close_mark} ok", kind)
    return family


def _separated(marks: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        mark = r.choice(marks)
        if look:
            number = _lookalike_number(r)
            return "ref " + mark.join(number[i:i + 4] for i in range(0, len(number), 4)) + " ok", ()
        kind, groups = _numeric_value(r)
        return _at(f"my {_NAMES[kind]} ", mark.join(groups), " ok", kind)
    return family


def _glued(side: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        letter = r.choice(string.ascii_letters)
        if look:
            return f"see {letter if side == 'before' else ''}{_lookalike_number(r)}{letter if side == 'after' else ''}", ()
        kind = r.choice(["card", "ssn"])
        value = v.raw_card(r, T) if kind == "card" else v.raw_ssn(r)
        if kind == "ssn" and r.random() < 0.5:
            value = f"{value[:3]}-{value[3:5]}-{value[5:]}"
        before = f"my {_NAMES[kind]} " + (letter if side == "before" else "")
        return _at(before, value, (letter if side == "after" else "") + " ok", kind)
    return family


# --- phones of every region ----------------------------------------------------------------------------

def _region_half(region: str) -> str:
    return T if zlib.crc32(region.encode()) % 2 == 0 else V


REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def _phones(part: str, words: list[str]) -> Family:
    regions = [region for region in REGIONS if _region_half(region) == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:
            return f"{r.choice(['order', 'tracking', 'invoice', 'ticket'])} {_lookalike_number(r)}", ()
        region = r.choice(regions)
        kind = r.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
        example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
        if example is None:
            example = phonenumbers.example_number_for_type("US", kind)
        national = str(example.national_number)
        for _ in range(20):
            keep = max(2, len(national) // 3)
            candidate = phonenumbers.parse("+" + str(example.country_code) + national[:keep]
                                           + v.digits(r, len(national) - keep))
            if phonenumbers.is_valid_number(candidate):
                example = candidate
                break
        layout = r.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL,
                           phonenumbers.PhoneNumberFormat.E164])
        return _at(r.choice(words) + " ", phonenumbers.format_number(example, layout), r.choice(["", " thanks"]),
                   "phone")
    return family


# --- IBANs in lower case and odd groupings --------------------------------------------------------------

def _ibans(part: str, layouts: list[Callable[[str, random.Random], str]]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        number = v.raw_iban(r, part)
        if look:
            number = number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]
        written = r.choice(layouts)(number, r)
        if look:
            return f"reference {written}", ()
        return _at("IBAN ", written, r.choice(["", ", thanks"]), "iban")
    return family


def _groups(size: int, sep: str = " ", lower: bool = False) -> Callable[[str, random.Random], str]:
    def layout(number: str, r: random.Random) -> str:
        text = number.lower() if lower else number
        return sep.join(text[i:i + size] for i in range(0, len(text), size))
    return layout


def _mixed_case(number: str, r: random.Random) -> str:
    return "".join(c.lower() if r.random() < 0.5 else c for c in number)


# --- addresses spelt out in words ----------------------------------------------------------------------

def _spelt(at_words: list[str], dot_words: list[str], lead: list[str]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        at, dot = r.choice(at_words), r.choice(dot_words)
        if look:
            return r.choice([f"I'll be {at} home, then {dot}", f"meet {at} the station {dot} 5",
                             f"look {at} the report {dot} docx"]), ()
        name = r.choice(["john.doe", "maria", "k.tanaka", "ops", "li.wei", "sam"]) + r.choice(["", str(r.randint(1, 99))])
        domain = r.choice(["example", "mail", "firma", "corp-mail", "gmx"])
        tld = r.choice(["com", "de", "fr", "es", "org", "net", "co.uk"])
        written = f"{name.replace('.', f' {dot} ')} {at} {domain} {dot} {tld.replace('.', f' {dot} ')}"
        return _at(r.choice(lead) + " ", written, r.choice(["", " thanks"]), "email")
    return family


# --- API keys of more providers ------------------------------------------------------------------------

def _pick(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


PROVIDERS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    # tuning: providers' documented token formats
    "docker": (T, lambda r: "dckr_pat_" + _pick(r, 27, ALNUM + "-_")),
    "pulumi": (T, lambda r: "pul-" + _pick(r, 40, HEX)),
    "openrouter": (T, lambda r: "sk-or-v1-" + _pick(r, 64, HEX)),
    "rubygems": (T, lambda r: "rubygems_" + _pick(r, 48, HEX)),
    "planetscale": (T, lambda r: "pscale_tkn_" + _pick(r, 43, ALNUM + "_")),
    "tailscale": (T, lambda r: "tskey-api-" + _pick(r, 16) + "-" + _pick(r, 32)),
    "langsmith": (T, lambda r: "lsv2_pt_" + _pick(r, 32, HEX) + "_" + _pick(r, 10, HEX)),
    "sendinblue": (T, lambda r: "xkeysib-" + _pick(r, 64, HEX) + "-" + _pick(r, 16)),
    # validation: others
    "pinecone": (V, lambda r: "pcsk_" + _pick(r, 6) + "_" + _pick(r, 60)),
    "resend": (V, lambda r: "re_" + _pick(r, 8) + "_" + _pick(r, 24)),
    "neon": (V, lambda r: "napi_" + _pick(r, 64, "abcdefghijklmnopqrstuvwxyz0123456789")),
    "doppler": (V, lambda r: "dp.pt." + _pick(r, 43)),
    "flutterwave": (V, lambda r: "FLWSECK-" + _pick(r, 32, HEX) + "-X"),
    "contentful": (V, lambda r: "CFPAT-" + _pick(r, 43, ALNUM + "-_")),
    "perplexity": (V, lambda r: "pplx-" + _pick(r, 48)),
    "sonarqube": (V, lambda r: "squ_" + _pick(r, 40, HEX)),
}


def _keys(part: str, lead: list[str], providers: dict[str, tuple[str, Callable[[random.Random], str]]] = PROVIDERS,
          looks: tuple[str, ...] = ("id", "ref", "see"), tails: tuple[str, ...] = ("", " thanks", "\n")) -> Family:
    """Keys of `part`'s `providers` after a `lead`; look-alikes are tokens after one of `looks`."""
    names = [name for name, (p, _) in providers.items() if p == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:
            return f"{r.choice(looks)} {_lookalike_token(r)}", ()
        value = providers[r.choice(names)][1](r)
        return _at(r.choice(lead), value, r.choice(tails), "secret")
    return family


FAMILIES: tuple[tuple[str, str, Family], ...] = (
    (T, "split:card-halves", _two_fields(("card1", "card2"), "card", _card_halves)),
    (V, "split:phone-prefix", _two_fields(("prefix", "number"), "phone", _phone_parts)),
    (V, "split:iban-halves", _two_fields(("iban_a", "iban_b"), "iban", _iban_halves)),
    (T, "next-line:english", _next_line(["my password is", "password:", "pw:"], ["\n", "\n\n"])),
    (V, "next-line:other-languages", _next_line(["contraseña:", "Passwort ist", "mot de passe :", "wachtwoord:"],
                                                ["\r\n", "\u2028", "\r\n\r\n"])),
    (T, "markdown:bold-code", _marked("**", "**")), (T, "markdown:code", _marked("`", "`")),
    (V, "markdown:strike", _marked("~~", "~~")), (V, "markdown:underscore", _marked("_", "_")),
    (V, "markdown:bold-italic", _marked("***", "***")),
    (T, "separator:colon-underscore", _separated(":_")), (V, "separator:other-marks", _separated(";|·'")),
    (T, "glued:letter-before", _glued("before")), (V, "glued:letter-after", _glued("after")),
    (T, "phone:regions-a", _phones(T, ["call me on", "my phone:", "phone number", "mobile"])),
    (V, "phone:regions-b", _phones(V, ["reach me at", "tel.", "WhatsApp", "ring me on"])),
    (T, "iban:lower-compact", _ibans(T, [_groups(34, lower=True), _mixed_case])),
    (V, "iban:odd-groups", _ibans(V, [_groups(3), _groups(5, lower=True), _groups(6, "-")])),
    (T, "email:english-words", _spelt(["at", "AT"], ["dot", "DOT"], ["mail me:", "email", "write to"])),
    (V, "email:other-languages", _spelt(["arroba", "arobase", "chez", "собака"], ["punto", "point", "Punkt", "точка"],
                                        ["correo", "écrivez à", "Mail an", "почта"])),
    (T, "keys:providers-a", _keys(T, ["", "use ", "key: ", "export TOKEN="])),
    (V, "keys:providers-b", _keys(V, ["", "here: ", "secret ", "API_KEY="])),
)


def generate(count: int, seed: int, part: str, lookalike: float = 0.3, *,
             families: tuple[tuple[str, str, Family], ...] = FAMILIES, salt: str = "fresh",
             ordinary: Callable[[str], bool] = lambda name: False) -> list[Line]:
    """`count` lines of `part`'s families, drawn from `seed` (`salt` names the generator); a family that
    `ordinary` names writes only look-alikes."""
    r = random.Random(f"{salt}:{seed}:{part}")
    chosen = [(name, make) for p, name, make in families if p == part]
    lines: list[Line] = []
    while len(lines) < count:
        name, make = r.choice(chosen)
        look = r.random() < lookalike or ordinary(name)
        text, spans = make(r, look)
        lines.append(Line(text, "lookalike" if look else "sensitive", () if look else spans, name))
    return lines


def main(write: Callable[[int, int, str], list[Line]] = generate, seed: int = 5) -> None:
    """Report recall and look-alikes altered per family of the parts asked for, lines written by `write`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--part", choices=["tuning", "validation", "both"], default="tuning")
    parser.add_argument("--misses", type=int, default=3, help="misses shown per family")
    args = parser.parse_args()
    parts = (T, V) if args.part == "both" else (args.part,)
    for part in parts:
        report(part, write(args.count, args.seed, part), args.misses)

if __name__ == "__main__":
    main()
