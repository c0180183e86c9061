"""Replay the kept inputs (tests/fuzz/corpus/<target>/): each once broke a parser or nearly did.

Add a file here for every input a long `make fuzz` run finds (the failure prints it), named for
what it does; the fix lands with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fuzz import targets
from tests.fuzz.test_config import load

CORPUS = Path(__file__).parent / "corpus"
TARGETS: dict[str, Callable[[bytes], None]] = {
    "multipart": lambda data: targets.round_trip(targets.http(targets.FORM, "multipart/form-data; boundary=XyZ"),
                                                 data),
    "json": lambda data: targets.round_trip(targets.http(targets.JSON, "application/json"), data),
    "config": lambda data: load(data.decode("utf-8", "replace")),
    "path": lambda data: targets.path(data.decode("latin-1")),
}
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file())


def test_every_corpus_directory_has_a_target() -> None:
    assert {p.parent.name for p in FILES} <= set(TARGETS)


@pytest.mark.parametrize("file", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_input(file: Path) -> None:
    TARGETS[file.parent.name](file.read_bytes())
