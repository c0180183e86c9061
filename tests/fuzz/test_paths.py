"""Path canonicalisation: refused, or segments no backend reads as another path."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz import targets
from tests.fuzz.profiles import FUZZ

SEGMENT_PIECES = st.sampled_from([
    "a", "admin", ".", "..", "%2e", "%2E%2e", "%2f", "%5c", "%3b", "%25", "%252e", "%c0%ae", "%e2%80%ae",
    "%ef%bc%8e", "%u002e", "%", "%g0", "~", "%7e", "%00", "%0a", "%20", " ", "\t", "é", "e%cc%81", "%c3%a9",
    "%ef%bd%81", "%e2%80%8b", "%ed%a0%80", "%f0%9f%98%80", ";x=1", "?", "#", "\\", "", "_matrix", "api"])


@FUZZ
@given(st.lists(st.lists(SEGMENT_PIECES, max_size=3).map("".join), max_size=6).map(lambda s: "/" + "/".join(s)))
@example("/%2e%2e/admin")
@example("/a/%ef%bc%8e%ef%bc%8e/b")
@example("/admin%c0%af")
def test_path_built_from_tricky_pieces(raw: str) -> None:
    targets.path(raw)


@FUZZ
@given(st.text(max_size=60).map(lambda s: "/" + s))
def test_path_from_any_text(raw: str) -> None:
    targets.path(raw)


@FUZZ
@given(st.binary(max_size=60).map(lambda b: "/" + b.decode("latin-1")))
def test_path_from_raw_bytes(raw: str) -> None:
    targets.path(raw)
