"""`benchmarks/masking/fresh3.py`: its lines are what they claim (checksums hold, labels cover values), and its
halves share no family."""

from __future__ import annotations

from benchmarks.masking import fresh3

TUNING, VALIDATION = "tuning", "validation"  # the halves, as `values.T` and `values.V` name them


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _mod97(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def test_the_halves_share_no_family_and_lines_repeat_per_seed() -> None:
    tuning = {line.family for line in fresh3.generate(400, 1, TUNING)}
    validation = {line.family for line in fresh3.generate(400, 1, VALIDATION)}
    assert tuning and validation and not tuning & validation
    assert fresh3.generate(50, 2, VALIDATION) == fresh3.generate(50, 2, VALIDATION)


def test_labelled_cards_and_ibans_pass_their_checks_and_look_alikes_of_layouts_fail() -> None:
    for part in (TUNING, VALIDATION):
        for line in fresh3.generate(600, 3, part):
            for kind, start, end in line.values:
                value = "".join(c for c in line.text[start:end] if c.isalnum())
                assert value, line
                if kind == "card":
                    assert _luhn(value), line
                if kind == "iban":
                    assert len(value) == fresh3.REGISTRY_LENGTHS[value[:2]] and _mod97(value), line
            if line.kind == "lookalike" and line.family.startswith("card:layouts"):
                assert not _luhn("".join(c for c in line.text if c.isdigit())), line


def test_order_numbers_of_the_context_class_pass_the_card_check_all_the_same() -> None:
    looks = [line for line in fresh3.generate(300, 4, TUNING)
             if line.kind == "lookalike" and line.family.startswith("card:context")]
    assert looks
    for line in looks:
        assert _luhn("".join(c for c in line.text if c.isdigit())), line
