"""The ordinary-chat generator: families dealt whole to a part, every language in both, lines fixed by a seed."""

from __future__ import annotations

from benchmarks.threat.ordinary import _SLOT, FAMILIES, SET_STARTS, SLOTS, TUNING, VALIDATION, lines, set_of


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


def test_sets_follow_the_order_they_were_written_in() -> None:
    names = [family.name for family in FAMILIES]
    starts = [names.index(name) for name in SET_STARTS]
    assert starts == sorted(starts) and starts[0] == 0
    assert [set_of(FAMILIES[at]) for at in starts] == list(range(1, len(SET_STARTS) + 1))
    assert set_of(FAMILIES[-1]) == len(SET_STARTS) and set_of(FAMILIES[starts[1] - 1]) == 1
