"""The ordinary-chat generator: families dealt whole to a part, every language in both, lines fixed by a seed."""

from __future__ import annotations

from benchmarks.threat.ordinary import _SLOT, FAMILIES, SLOTS, TUNING, VALIDATION, lines


def test_both_parts_hold_every_language() -> None:
    languages = {part: {family.name.split("-")[0] for family in FAMILIES if family.part == part}
                 for part in (TUNING, VALIDATION)}
    assert languages[TUNING] == languages[VALIDATION]


def test_every_slot_is_filled_and_lines_are_the_same_for_a_seed() -> None:
    for family in FAMILIES:
        assert all(slot in SLOTS for template in family.templates for slot in _SLOT.findall(template)), family.name
        first = lines(family, 30, 3)
        assert first == lines(family, 30, 3) and not any("{" in line for line in first), family.name


def test_no_template_is_in_both_parts() -> None:
    tuning = {t for f in FAMILIES if f.part == TUNING for t in f.templates}
    assert not tuning & {t for f in FAMILIES if f.part == VALIDATION for t in f.templates}
