"""`benchmarks/masking/fresh4.py` and `siblings.py`: lines are what they claim (check digits hold, labels cover
values), and the halves share no family."""

from __future__ import annotations

from benchmarks.masking import fresh4, siblings

TUNING, VALIDATION = "tuning", "validation"  # the halves, as `values.T` and `values.V` name them


def test_the_halves_share_no_family_and_lines_repeat_per_seed() -> None:
    tuning = {line.family for line in fresh4.generate(400, 1, TUNING)}
    validation = {line.family for line in fresh4.generate(400, 1, VALIDATION)}
    assert tuning and validation and not tuning & validation
    assert fresh4.generate(50, 2, VALIDATION) == fresh4.generate(50, 2, VALIDATION)


def test_labels_cover_values_and_look_alikes_carry_none() -> None:
    for part in (TUNING, VALIDATION):
        for line in fresh4.generate(600, 3, part):
            if line.kind == "lookalike":
                assert line.values == ()
            for _, start, end in line.values:
                value = line.text[start:end]
                assert value and value == value.strip(), line


def test_identity_numbers_pass_their_checks() -> None:
    import random
    r = random.Random(5)
    for _ in range(200):
        dni = fresh4._dni(r)
        assert "TRWAGMYFPDXBNJZSQVHLCKE"[int(dni[:8]) % 23] == dni[8]
        pesel = fresh4._pesel(r)
        weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1)
        assert sum(int(c) * w for c, w in zip(pesel, weights, strict=True)) % 10 == 0
        bsn = fresh4._bsn(r)
        assert (sum(int(c) * w for c, w in zip(bsn[:8], range(9, 1, -1), strict=True)) - int(bsn[8])) % 11 == 0
        aadhaar = fresh4._aadhaar(r).replace(" ", "")
        check = 0  # Verhoeff: the whole number checks to 0
        for i, ch in enumerate(reversed(aadhaar)):
            check = fresh4._D[check][fresh4._P[i % 8][int(ch)]]
        assert check == 0
        resident = fresh4._resident_id(r)
        total = sum((10 if c == "X" else int(c)) * (2 ** (17 - i) % 11) for i, c in enumerate(resident))
        assert total % 11 == 1


def test_the_sibling_probe_reads_a_split_card_as_refused_and_ordinary_numbers_as_passed() -> None:
    import asyncio
    assert asyncio.run(siblings._outcome(["4111", "1111 1111 1111"])) == "refused"
    assert asyncio.run(siblings._outcome(["1920", "1080"])) == "pass"
