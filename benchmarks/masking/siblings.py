"""Numbers in sibling fields of a JSON object, read joined as the codec reads them (`gateway.codec.siblings`):
how many runs of ordinary numbers the gateway refuses, and how many values split over fields it masks or refuses.

    .venv/bin/python benchmarks/masking/siblings.py [--count 4000] [--seed 1] [--misses 0]

Each run is two to five string members of one object. A run's outcome follows the gateway: every member is
inspected alone (the masking filter, default options, no field name), then the joined reading; the payload is
refused when that reading changes what the members' own changes do not (`check_siblings`). Ordinary runs (counts,
ids, epoch seconds and milliseconds, ISO dates, postcodes, years, times, sizes) should pass unchanged; split
values (a card in two to four parts, a phone's country code and number, an SSN's three parts, an IBAN's halves)
should be masked or refused. Families come in a tuning and a validation half, as in the other sets.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Callable
from pathlib import Path

import phonenumbers

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import values as v  # noqa: E402
from values import T, V  # noqa: E402

from gateway.codec import CodecError  # noqa: E402
from gateway.codec.siblings import check_siblings, sibling_runs  # noqa: E402

Maker = Callable[[random.Random], list[str]]


def _epoch(r: random.Random) -> str:
    return str(r.randint(1_500_000_000, 1_800_000_000))


def _epoch_ms(r: random.Random) -> str:
    return str(r.randint(1_500_000_000_000, 1_800_000_000_000))


def _date(r: random.Random) -> str:
    return f"{r.randint(2015, 2027)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


ORDINARY: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "count": (T, lambda r: str(r.randint(0, 500))),
    "id": (T, lambda r: str(r.randint(10_000, 99_999_999))),
    "epoch": (T, _epoch),
    "date": (T, _date),
    "year": (T, lambda r: str(r.randint(1990, 2030))),
    "size": (V, lambda r: str(r.choice([320, 640, 720, 768, 800, 1024, 1080, 1280, 1440, 1920, 2160, 3840]))),
    "epoch-ms": (V, _epoch_ms),
    "postcode": (V, lambda r: f"{r.randint(1000, 99999)}"),
    "time": (V, lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"),
    "long-id": (V, lambda r: str(r.randint(100_000_000, 9_999_999_999))),
}


def _ordinary(part: str) -> Maker:
    kinds = [kind for kind, (half, _) in ORDINARY.items() if half == part]

    def make(r: random.Random) -> list[str]:
        return [ORDINARY[r.choice(kinds)][1](r) for _ in range(r.randint(2, 5))]
    return make


def _cut(number: str, sizes: list[int]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        out.append(number[at:at + size])
        at += size
    return out


def _card(part: str) -> Maker:
    cuts = {T: ([4, 12], [4, 4, 4, 4]), V: ([6, 10], [8, 8], [4, 4, 8])}[part]

    def make(r: random.Random) -> list[str]:
        number = v.raw_card(r, part)
        while len(number) != 16:
            number = v.raw_card(r, part)
        return _cut(number, list(r.choice(cuts)))
    return make


def _phone(part: str) -> Maker:
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)[::2] if part == T else sorted(phonenumbers.SUPPORTED_REGIONS)[1::2]

    def make(r: random.Random) -> list[str]:
        number = None
        while number is None:
            number = phonenumbers.example_number_for_type(r.choice(regions), phonenumbers.PhoneNumberType.MOBILE)
        national = phonenumbers.national_significant_number(number)
        return ["+" + str(number.country_code), national] if part == T else [f"+{number.country_code}", national[:3],
                                                                              national[3:]]
    return make


def _ssn(part: str) -> Maker:
    def make(r: random.Random) -> list[str]:
        ssn = v.raw_ssn(r)
        return _cut(ssn, [3, 2, 4]) if part == T else [ssn[:3], ssn[3:]]
    return make


def _iban(part: str) -> Maker:
    def make(r: random.Random) -> list[str]:
        iban = v.raw_iban(r, part)
        digits = iban[4:]
        if not digits.isdigit():
            return [digits[:len(digits) // 2], digits[len(digits) // 2:]]
        return [digits[:len(digits) // 2], digits[len(digits) // 2:]]
    return make


# (half, family, maker, ordinary?): split values come as families of what is split and how.
FAMILIES: tuple[tuple[str, str, Maker, bool], ...] = (
    (T, "ordinary", _ordinary(T), True), (V, "ordinary", _ordinary(V), True),
    (T, "card:4-12,4x4", _card(T), False), (V, "card:6-10,8-8,4-4-8", _card(V), False),
    (T, "phone:code-number", _phone(T), False), (V, "phone:code-area-line", _phone(V), False),
    (T, "ssn:3-2-4", _ssn(T), False), (V, "ssn:3-6", _ssn(V), False),
)


async def _outcome(parts: list[str]) -> str:
    """"pass" (nothing changed), "masked" (changed in the members, as the joined reading agrees) or "refused"."""
    from filters import Action, Message
    from filters.masking import MaskingFilter
    masker = MaskingFilter()
    changes: dict[int, str] = {}
    for index, text in enumerate(parts):
        verdict = await masker.inspect(Message(text))
        if verdict.action is Action.MODIFY and verdict.text is not None:
            changes[index] = verdict.text
    joined_at = len(parts)
    outcome = "masked" if changes else "pass"
    for k, run in enumerate(sibling_runs(list(enumerate(parts)))):
        verdict = await masker.inspect(Message(run[0]))
        if verdict.action is Action.MODIFY and verdict.text is not None:
            changes[joined_at + k] = verdict.text
            try:
                check_siblings(run, verdict.text, changes)
            except CodecError:
                return "refused"
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--misses", type=int, default=0, help="examples shown per family")
    args = parser.parse_args()
    r = random.Random(args.seed)
    for half in (T, V):
        for family_half, family, make, ordinary in FAMILIES:
            if family_half != half:
                continue
            count = args.count if ordinary else args.count // 8
            outcomes: dict[str, int] = {"pass": 0, "masked": 0, "refused": 0}
            shown = []
            for _ in range(count):
                parts = make(r)
                outcome = asyncio.run(_outcome(parts))
                outcomes[outcome] += 1
                bad = outcome != "pass" if ordinary else outcome == "pass"
                if bad and len(shown) < args.misses:
                    shown.append(f"{outcome} {parts}")
            figure = (outcomes["refused"] + outcomes["masked"]) / count
            what = "changed or refused" if ordinary else "masked or refused"
            print(f"{half:10} {family:22} {what} {figure:6.2%}  ({outcomes['refused']} refused,"
                  f" {outcomes['masked']} masked, of {count})")
            for line in shown:
                print("      " + line)


if __name__ == "__main__":
    main()
