"""Which transfer codings the gateway frames a request body by (the raw-socket cases are in tests/bypass)."""

from __future__ import annotations

import pytest
from aiohttp import HttpVersion, HttpVersion10, HttpVersion11, web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from gateway.edge.framing import OLD_VERSION, UNKNOWN_CODING, coding_refusal


def _request(*codings: str, version: HttpVersion = HttpVersion11) -> web.Request:
    headers = CIMultiDict(("Transfer-Encoding", coding) for coding in codings)
    return make_mocked_request("POST", "/", headers=headers, version=version)


def test_no_coding_and_a_lone_chunked_are_framed() -> None:
    assert coding_refusal(_request()) is None
    assert coding_refusal(_request("Chunked ")) is None


@pytest.mark.parametrize("codings", [("gzip, chunked",), ("chunked, chunked",), ("identity",), ("gzip", "chunked"),
                                     ("chunked,",), ("",)])
def test_any_other_list_of_codings_is_not_implemented(codings: tuple[str, ...]) -> None:
    assert coding_refusal(_request(*codings)) == (501, UNKNOWN_CODING)


def test_a_coding_in_an_http_1_0_request_is_faulty_framing() -> None:
    assert coding_refusal(_request("chunked", version=HttpVersion10)) == (400, OLD_VERSION)
