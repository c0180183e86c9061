"""The letter-triple table's builder: how words are folded and how the table is written and read back."""

from __future__ import annotations

import ast

from benchmarks.threat.letters import fold, render, triples_of
from filters.threat import letterdata


def test_words_are_folded_as_host_names_spell_them() -> None:
    assert [fold(word) for word in ("Straße", "łódź", "Ørsted", "crème", "Çay")] == \
        ["strasse", "lodz", "orsted", "creme", "cay"]


def test_a_words_triples_hold_its_edges() -> None:
    assert triples_of("cat") == {"^ca", "cat", "at$"}


def test_the_table_reads_back_as_the_triples_written() -> None:
    kept = {"^ab", "abc", "bc$", "xyz", "^a$"}
    module = ast.parse(render(kept))
    assigned = module.body[-1]
    assert isinstance(assigned, ast.Assign) and isinstance(assigned.value, ast.Constant)
    rows = str(assigned.value.value).split()
    assert {head + tail for row in rows for head, tails in [row.split(":")] for tail in tails} == kept


def test_the_shipped_table_is_in_the_builders_form() -> None:
    rows = letterdata.TRIPLES.split()
    assert all(len(row.split(":")[0]) == 2 for row in rows)
    assert len({row.split(":")[0] for row in rows}) == len(rows)
