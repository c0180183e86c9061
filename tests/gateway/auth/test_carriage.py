"""Stripping the gateway's credentials before forwarding, and only those."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from gateway.auth.carriage import Carriage, forwarded_protocols, strip_headers, strip_query

OURS = Carriage(frozenset({"gw.tok.en"}), "chatguard_session")


@pytest.mark.parametrize(("raw", "expected"), [
    ("/ws?access_token=gw.tok.en", "/ws"),
    ("/ws?a=1&access_token=gw.tok.en&b=%2F", "/ws?a=1&b=%2F"),
    ("/ws?access%5Ftoken=gw%2Etok%2Een", "/ws"),             # encoded name and value: still ours
    ("/sync?access_token=syt_backend&since=s1", "/sync?access_token=syt_backend&since=s1"),  # Matrix's own
    ("/ws?access_token=gw.tok.en&access_token=syt_x", "/ws?access_token=syt_x"),
    ("/plain", "/plain"),
])
def test_strip_query(raw: str, expected: str) -> None:
    assert strip_query(raw, OURS) == expected


def test_strip_query_without_credentials_is_identity() -> None:
    assert strip_query("/x?access_token=gw.tok.en", Carriage()) == "/x?access_token=gw.tok.en"


@pytest.mark.parametrize(("authorization", "kept"), [
    (["Bearer gw.tok.en"], []),
    (["bearer   gw.tok.en "], []),
    (["Bearer syt_backend"], ["Bearer syt_backend"]),        # the backend's own token on a delegated route
    (["Basic YWxpY2U6eA=="], ["Basic YWxpY2U6eA=="]),
])
def test_strip_authorization(authorization: list[str], kept: list[str]) -> None:
    headers: CIMultiDict[str] = CIMultiDict([("Authorization", v) for v in authorization])
    strip_headers(headers, OURS)
    assert headers.getall("Authorization", []) == kept


@pytest.mark.parametrize(("cookie", "kept"), [
    ("chatguard_session=gw.tok.en", []),
    ("a=1; chatguard_session=gw.tok.en; b=2", ["a=1; b=2"]),
    ("chatguard_session_x=1;chatguard_session=gw", ["chatguard_session_x=1"]),
    ("theme=dark", ["theme=dark"]),
])
def test_strip_session_cookie(cookie: str, kept: list[str]) -> None:
    headers: CIMultiDict[str] = CIMultiDict(Cookie=cookie)
    strip_headers(headers, OURS)
    assert headers.getall("Cookie", []) == kept


def test_cookie_kept_when_it_did_not_carry_the_credential() -> None:
    headers: CIMultiDict[str] = CIMultiDict(Cookie="chatguard_session=x")
    strip_headers(headers, Carriage(frozenset({"t"})))
    assert headers["Cookie"] == "chatguard_session=x"


def test_bearer_subprotocols_are_removed_others_kept_in_order() -> None:
    offered = ("chatguard.bearer.gw.tok.en", "xmpp", "chatguard.bearer.", "v2.chat")
    assert forwarded_protocols(offered) == ("xmpp", "v2.chat")
