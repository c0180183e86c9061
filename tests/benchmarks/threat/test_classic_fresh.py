"""The fresh classic-injection generator: parts that share no technique, evasion or layer; lines fixed by a seed."""

from __future__ import annotations

import pytest

from benchmarks.threat import classic_fresh2
from benchmarks.threat.classic_fresh import FAMILIES, OUTER, PARTS, Family, lines, split

SETS = pytest.mark.parametrize("families", [FAMILIES, classic_fresh2.FAMILIES], ids=["first", "second"])


@SETS
def test_parts_share_no_technique_evasion_or_layer(families: tuple[Family, ...]) -> None:
    for family in families:
        dealt = split(family)
        for index in range(3):
            tuning, validation = dealt[PARTS[0]][index], dealt[PARTS[1]][index]
            assert not set(tuning) & set(validation), family.name
        assert dealt[PARTS[0]][0] and dealt[PARTS[1]][0], family.name
        assert set(dealt[PARTS[0]][0]) | set(dealt[PARTS[1]][0]) == set(family.techniques)


@SETS
def test_each_line_is_made_only_of_its_parts_pieces(families: tuple[Family, ...]) -> None:
    for family in families:
        for part in PARTS:
            techniques, inner, outer = split(family)[part]
            made = lines(family, part, 30, 5)
            assert made, (family.name, part)
            for line in made:
                assert line.technique in techniques and line.inner in inner
                assert not line.outer or (line.outer in outer and line.outer in OUTER)


@SETS
def test_the_same_seed_gives_the_same_lines(families: tuple[Family, ...]) -> None:
    for family in families:
        assert lines(family, PARTS[1], 20, 3) == lines(family, PARTS[1], 20, 3)
