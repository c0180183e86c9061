"""Request ids: passed on when well formed, replaced otherwise (they end up in logs)."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.request_id import request_id_from


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


@pytest.mark.parametrize(("given", "kept"), [
    ("abc-123", True), ("a" * 128, True), ("a" * 129, False), ("x\r\nSet-Cookie: a", False),
    ("{\"json\":1}", False), ("", False),
])
def test_request_id_passed_on_only_when_well_formed(given: str, kept: bool) -> None:
    result = request_id_from(headers(("X-Request-Id", given)))
    assert (result == given) is kept
    assert 1 <= len(result) <= 128
