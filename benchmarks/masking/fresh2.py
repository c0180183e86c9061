"""A second set of fresh forms, in classes neither the corpus, `hostile.py` nor `fresh.py` varies: each class
has families in a tuning half and other families in a validation half, and look-alikes go through the same
families, beside ordinary chat full of numbers (orders, dates, times, versions, prices, tracking ids).

    .venv/bin/python benchmarks/masking/fresh2.py [--count 3000] [--seed 9] [--part tuning|validation|both]

Classes: marks between a number's groups that no set uses (`;`, `|`, `+`; `'`, `·`, `•`, `~`, `*`), IBANs in
groups of two and three and in their national layout, provider keys whose generated part is lower case and
digits or whose head no pattern lists, a generated value after a one-word head (`token`, `clave`, ...), phone
numbers whose digits after the area stand in one group of five or six, a value over two fields of a pasted JSON
text with generic names (`prefix`/`number`), and chat holding numbers that are no value.

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
from hostile import _groups_of  # noqa: E402
from values import BBAN, T, V, _split_spec  # noqa: E402

from benchmarks.masking import fresh  # noqa: E402  (by its package: benchmarks/threat has a fresh.py too)
from benchmarks.masking.fresh import ALNUM, HEX, Family, Spans, _at, _lookalike_number, _pick  # noqa: E402

LOWER_DIGITS = string.ascii_lowercase + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
_NAMES = {"card": "card", "ssn": "SSN", "iban": "IBAN"}


def _ordinary(r: random.Random, mark: str = "") -> str:
    """Chat holding numbers that are no value: an order, a date, a time, a version, a price, a tracking id;
    `mark` (when given) stands between the groups where a group could take one."""
    sep = mark or r.choice(["-", "/", ".", " "])
    choice = r.randrange(10)
    if choice == 0:
        return f"order {sep.join([v.digits(r, 3), v.digits(r, 7), v.digits(r, 7)])} shipped"
    if choice == 1:
        return f"on {r.randint(2019, 2026)}{sep}{r.randint(1, 12):02d}{sep}{r.randint(1, 28):02d} at " \
               f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    if choice == 2:
        return f"upgrade from {r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)} to " \
               f"{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}{sep}build {v.digits(r, 6)}"
    if choice == 3:
        return f"it cost ${r.randint(1, 9)},{r.randint(100, 999)}.{r.randint(0, 99):02d} and " \
               f"€{r.randint(10, 999)},{r.randint(0, 99):02d}"
    if choice == 4:
        return f"tracking {r.choice(['1Z', 'JJD', 'LX'])}{v.digits(r, 16)}{r.choice(['', 'DE', 'CN'])}"
    if choice == 5:
        return f"USPS {sep.join(v.digits(r, 4) for _ in range(5))} {v.digits(r, 2)}"
    if choice == 6:
        return f"ticket {v.digits(r, 4)}{sep}{v.digits(r, 4)}{sep}{v.digits(r, 4)}{sep}{v.digits(r, 4)} closed"
    if choice == 7:
        return f"call at {r.randint(1, 12)}{sep}{r.randint(10, 59)} or after {r.randint(13, 23)}:{r.randint(10, 59)}"
    if choice == 8:
        return f"room {r.randint(100, 999)}, floor {r.randint(1, 40)}, {r.randint(10, 99)} people, " \
               f"budget {r.randint(1000, 99000)}{sep}{r.randint(100, 999)}"
    return f"invoice INV{sep}{r.randint(2020, 2026)}{sep}{v.digits(r, 6)} due {r.randint(1, 28)}/{r.randint(1, 12)}"


# --- marks between a number's groups no set uses ------------------------------------------------------------

def _marks(marks: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        mark = r.choice(marks)
        if look:
            if r.random() < 0.5:
                return _ordinary(r, mark), ()
            number = _lookalike_number(r)
            return "ref " + mark.join(number[i:i + 4] for i in range(0, len(number), 4)) + " ok", ()
        kind, groups = _groups_of(r.choice(["card", "ssn", "iban"]), r, T)
        spaced = r.random() < 0.2 and mark not in "'"
        joined = (f" {mark} " if spaced else mark).join(groups)
        return _at(f"{r.choice(['my', 'the', 'new'])} {_NAMES[kind]} ", joined, r.choice([" ok", ".", ""]), kind)
    return family


# --- IBANs in other groupings --------------------------------------------------------------------------------

def _national(number: str, r: random.Random) -> str:
    """The IBAN's head, then its BBAN in the registry's own fields: "DE89 37040044 0532013000"."""
    out, at = [number[:4]], 4
    for field in _split_spec(BBAN[number[:2]]):
        size = int(field[:-1])
        out.append(number[at:at + size])
        at += size
    merged: list[str] = []
    for piece in out:  # fields of one or two characters stay with the one before
        if merged and len(piece) <= 2:
            merged[-1] += piece
        else:
            merged.append(piece)
    return " ".join(merged)


def _in_groups(size: int, sep: str = " ", lower: bool = False) -> Callable[[str, random.Random], str]:
    def layout(number: str, r: random.Random) -> str:
        text = number.lower() if lower else number
        return sep.join(text[i:i + size] for i in range(0, len(text), size))
    return layout


def _iban_groups(layouts: list[Callable[[str, random.Random], str]]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        part = r.choice([T, V])  # countries of both halves: the class is the grouping
        number = v.raw_iban(r, part)
        if look:
            number = number[:2] + f"{(int(number[2:4]) + 1) % 100:02d}" + number[4:]
        written = r.choice(layouts)(number, r)
        if look:
            return f"{r.choice(['reference', 'see', 'wire ref'])} {written}", ()
        return _at(r.choice(["IBAN ", "my account ", "pay to ", "Kontonummer: "]), written, r.choice(["", " thanks"]),
                   "iban")
    return family


# --- provider keys no pattern lists --------------------------------------------------------------------------

PROVIDERS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    # tuning: documented formats whose generated part is lower case and digits, or hex, or mixed
    "readme": (T, lambda r: "rdme_" + _pick(r, 70, LOWER_DIGITS)),
    "sourcegraph": (T, lambda r: "sgp_" + _pick(r, 16, HEX) + "_" + _pick(r, 40, HEX)),
    "shippo": (T, lambda r: "shippo_live_" + _pick(r, 40, HEX)),
    "clojars": (T, lambda r: "CLOJARS_" + _pick(r, 60, LOWER_DIGITS)),
    "adafruit": (T, lambda r: "aio_" + _pick(r, 28)),
    "prefect": (T, lambda r: "pnu_" + _pick(r, 36)),
    "render": (T, lambda r: "rnd_" + _pick(r, 32)),
    "lob": (T, lambda r: "live_" + _pick(r, 35, LOWER_DIGITS)),
    # validation: others
    "octopus": (V, lambda r: "API-" + _pick(r, 26, UPPER_DIGITS)),
    "bitbucket": (V, lambda r: "ATBB" + _pick(r, 32)),
    "easypost": (V, lambda r: "EZAK" + _pick(r, 54, LOWER_DIGITS)),
    "duffel": (V, lambda r: "duffel_test_" + _pick(r, 43, ALNUM + "-_")),
    "infracost": (V, lambda r: "ico-" + _pick(r, 32)),
    "frameio": (V, lambda r: "fio-u-" + _pick(r, 64, ALNUM + "-_")),
    "scalingo": (V, lambda r: "tk-us-" + _pick(r, 48, ALNUM + "-_")),
    "mailgun-new": (V, lambda r: _pick(r, 32, HEX) + "-" + _pick(r, 8, HEX) + "-" + _pick(r, 8, HEX)),
}


def _keys(part: str, lead: list[str]) -> Family:
    return fresh._keys(part, lead, PROVIDERS, ("id", "see", "branch", "file"), ("", " thanks", "\n", " - rotate it"))


# --- a generated value after a one-word head ---------------------------------------------------------------

def _generated(r: random.Random) -> str:
    choice = r.randrange(4)
    if choice == 0:
        return _pick(r, r.choice([32, 40]), HEX)
    if choice == 1:
        return _pick(r, r.choice([24, 32, 40]), LOWER_DIGITS)
    if choice == 2:
        return _pick(r, r.choice([32, 40]), HEX).upper()
    return _pick(r, r.choice([20, 32, 40]))


_DIGEST_WORDS = ["commit", "sha1", "checksum", "md5", "hash", "build", "etag", "digest", "request id", "trace"]


def _headed(heads: list[str]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:
            word = r.choice(_DIGEST_WORDS)
            value = f"{r.getrandbits(160):040x}" if r.random() < 0.6 else f"{r.getrandbits(128):032x}"
            return f"{word} {value}{r.choice(['', ' is green', ' matches'])}", ()
        return _at(r.choice(heads), _generated(r), r.choice(["", " thanks", " (prod)"]), "secret")
    return family


# --- phones whose digits after the area stand in one group ------------------------------------------------

def _region_half(region: str) -> str:
    return T if zlib.crc32(("fresh2" + region).encode()) % 2 == 0 else V


REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def _valid_phone(r: random.Random, region: str) -> phonenumbers.PhoneNumber | None:
    kind = r.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    if example is None:
        return None
    national = phonenumbers.national_significant_number(example)
    for _ in range(20):
        keep = max(2, len(national) // 3)
        candidate = phonenumbers.parse("+" + str(example.country_code) + national[:keep]
                                       + v.digits(r, len(national) - keep))
        if phonenumbers.is_valid_number(candidate):
            return candidate
    return example


def _long_groups(part: str, words: list[str], international: bool) -> Family:
    regions = [region for region in REGIONS if _region_half(region) == part]

    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        if look:
            return r.choice([f"order {v.digits(r, 3)} {v.digits(r, 6)}", f"ticket {v.digits(r, 4)} {v.digits(r, 5)}",
                             f"{r.choice(words)} me after {r.randint(1, 12)}:{r.randint(10, 59)}",
                             f"tracking {v.digits(r, 5)} {v.digits(r, 6)}"]), ()
        for _ in range(10):
            region = r.choice(regions)
            number = _valid_phone(r, region)
            if number is not None and len(phonenumbers.national_significant_number(number)) >= 8:
                break
        else:
            number = phonenumbers.parse("+4915112345678")
        national = phonenumbers.national_significant_number(number)
        cut = r.choice([2, 3, 4]) if len(national) - 3 <= 6 else len(national) - r.choice([5, 6])
        cut = min(max(cut, 1), len(national) - 1)
        head, rest = national[:cut], national[cut:]
        if international:
            written = f"+{number.country_code} {head} {rest}"
        else:
            prefix = phonenumbers.ndd_prefix_for_region(phonenumbers.region_code_for_number(number), True) or ""
            area = f"{prefix}{head}"
            written = f"({area}) {rest}" if r.random() < 0.3 else f"{area} {rest}"
        return _at(r.choice(words) + " ", written, r.choice(["", " thanks", " after 6pm"]), "phone")
    return family


# --- a value over two fields of a pasted JSON text, the fields' names generic -----------------------------

def _generic_fields(names: list[tuple[str, str]], kinds: list[str]) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        first_name, second_name = r.choice(names)
        if look:
            number = _lookalike_number(r)
            half = len(number) // 2
            first, second = number[:half], number[half:]
            kind = "lookalike"
        else:
            kind, groups = _groups_of(r.choice(kinds), r, T)
            cut = r.choice([1, len(groups) // 2]) if len(groups) > 2 else 1
            first, second = " ".join(groups[:cut]), " ".join(groups[cut:])
        head = '{"' + first_name + '": "'
        middle = '", "' + second_name + '": "'
        text = head + first + middle + second + '"}'
        if look:
            return text, ()
        a = len(head)
        b = a + len(first) + len(middle)
        return text, ((kind, a, a + len(first)), (kind, b, b + len(second)))
    return family


# --- ordinary chat with numbers: look-alikes only ----------------------------------------------------------

def _chat(marks: str) -> Family:
    def family(r: random.Random, look: bool) -> tuple[str, Spans]:
        return _ordinary(r, r.choice(marks) if marks and r.random() < 0.5 else ""), ()
    return family


FAMILIES: tuple[tuple[str, str, Family], ...] = (
    (T, "marks:semicolon-pipe-plus", _marks(";|+")),
    (V, "marks:apostrophe-dot-bullet-tilde-star", _marks("'·•~*")),
    (T, "iban:threes-twos", _iban_groups([_in_groups(3), _in_groups(2), _in_groups(3, lower=True)])),
    (V, "iban:national-dotted", _iban_groups([_national, _in_groups(4, "."), _in_groups(3, "-")])),
    (T, "keys:providers-c", _keys(T, ["", "token ", "use: ", "KEY="])),
    (V, "keys:providers-d", _keys(V, ["", "new one: ", "cred ", "SECRET="])),
    (T, "head:english", _headed(["token ", "apikey ", "api_key: ", "access token ", "auth token: ", "TOKEN="])),
    (V, "head:other-languages", _headed(["clave ", "Schlüssel: ", "clé API ", "chave ", "sleutel: ", "ключ "])),
    # Added after the first reading, as a tuning family of its own (languages the validation family does not use).
    (T, "head:more-languages", _headed(["chiave ", "klucz: ", "nyckel ", "anahtar: ", "klíč ", "κλειδί: "])),
    (T, "phone:one-group-international", _long_groups(T, ["call me on", "phone", "mobile:", "cell"], True)),
    (V, "phone:one-group-national", _long_groups(V, ["reach me at", "tel", "WhatsApp", "Handy"], False)),
    (T, "fields:generic-card", _generic_fields([("prefix", "number"), ("first", "rest"), ("a", "b")], ["card"])),
    (V, "fields:generic-other", _generic_fields([("head", "tail"), ("part1", "part2"), ("x", "y")],
                                                ["ssn", "iban"])),
    (T, "chat:ordinary-a", _chat(";|+")), (V, "chat:ordinary-b", _chat("'·•~*")),
)


def generate(count: int, seed: int, part: str, lookalike: float = 0.3) -> list[Line]:
    """`fresh.generate` over these families; ordinary chat (`chat:`) writes only look-alikes."""
    return fresh.generate(count, seed, part, lookalike, families=FAMILIES, salt="fresh2",
                          ordinary=lambda name: name.startswith("chat:"))


if __name__ == "__main__":
    fresh.main(generate, seed=9)
