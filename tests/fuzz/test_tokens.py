"""Credentials in requests: JWTs, the session cookie, subprotocols, `access_token`: read or refused."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from hypothesis import example, given
from hypothesis import strategies as st
from multidict import CIMultiDict

from gateway.auth.carriage import Carriage, forwarded_protocols, strip_headers, strip_query
from gateway.auth.errors import AuthError
from gateway.auth.identify import offered_tokens
from gateway.auth.tokens import TokenInvalid, TokenIssuer, generate_pem, load_key
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import JSON_VALUES, TEXT, damaged, utf8

ISSUER = TokenIssuer([load_key(generate_pem())], "chatguard", "chatguard", 900)



def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: dict[str, Any], claims: Any, signature: bytes) -> str:
    return ".".join((_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature)))


HEADERS = st.fixed_dictionaries({"alg": st.sampled_from(["none", "None", "HS256", "EdDSA", "RS256", "ES256", ""])},
                                optional={"kid": st.sampled_from([ISSUER.current.kid, "", "../x"]) | TEXT,
                                          "typ": TEXT, "crit": st.lists(TEXT, max_size=2),
                                          "jku": st.just("http://attacker/jwks")})
CLAIMS = st.one_of(JSON_VALUES, st.fixed_dictionaries(
    {"sub": TEXT, "iss": st.sampled_from(["chatguard", "evil"]), "aud": st.sampled_from(["chatguard", ["x"]]),
     "exp": st.integers(-2**40, 2**40), "iat": st.integers(0, 2**33), "sid": TEXT,
     "roles": st.one_of(st.lists(TEXT, max_size=3), JSON_VALUES)}))
FORGED = st.builds(_token, HEADERS, CLAIMS, st.binary(max_size=70))


def _valid() -> str:
    from filters import Principal

    return ISSUER.issue(Principal(subject="ann", roles=frozenset({"agent"})), "s1")


@FUZZ
@given(st.one_of(FORGED, damaged(st.builds(lambda: utf8(_valid()))).map(lambda b: b.decode("latin-1")), TEXT))
@example("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
@example("\udcff.e30.x")  # a non-UTF-8 byte in the header, as aiohttp hands it over
@example("....")
@example("a" * 10000)
def test_token_verify_refuses_with_token_invalid(token: str) -> None:
    try:
        claims = ISSUER.verify(token)
    except TokenInvalid:
        return
    assert claims["iss"] == "chatguard" and claims["exp"] > time.time() - 120  # only a genuine token passes


COOKIE = st.one_of(TEXT, st.builds(lambda a, b: f"chatguard_session={a}; other={b}", TEXT, TEXT),
                   st.sampled_from(['chatguard_session="a;b"', "chatguard_session=a; chatguard_session=b", "=;=;"]))
PROTOCOLS = st.lists(st.one_of(TEXT, st.builds(lambda t: f"chatguard.bearer.{t}", TEXT)), max_size=4)
QUERY = st.lists(st.tuples(st.sampled_from(["access_token", "a", "access%5Ftoken"]) | TEXT, TEXT), max_size=4)


def _header_safe(value: str) -> str:
    return "".join(c for c in value if c.isprintable() and c not in "\r\n")


@FUZZ
@given(st.lists(st.builds(lambda t: f"Bearer {t}", TEXT) | TEXT, max_size=3), COOKIE, PROTOCOLS, QUERY,
       st.booleans(), st.booleans())
def test_offered_tokens(bearers: list[str], cookie: str, protocols: list[str], query: list[tuple[str, str]],
                        upgrade: bool, delegate: bool) -> None:
    from urllib.parse import quote

    headers = CIMultiDict[str]()
    for value in bearers:
        headers.add("Authorization", _header_safe(value))
    headers["Cookie"] = _header_safe(cookie)
    headers["Sec-WebSocket-Protocol"] = _header_safe(", ".join(protocols))
    if upgrade:
        headers.update({"Upgrade": "websocket", "Connection": "Upgrade"})
    qs = "&".join(f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" for k, v in query)
    request = make_mocked_request("GET", f"/chat?{qs}", headers=headers, app=web.Application())
    try:
        offered = offered_tokens(request, "chatguard_session", delegate=delegate)
    except AuthError:
        return
    assert all(token for token in offered.gateway | offered.backend)


@FUZZ
@given(st.text(max_size=40).map(lambda t: "/p?" + t), st.frozensets(TEXT, max_size=2))
@example("/p?access_token=a&access_token=a", frozenset({"a"}))
@example("/p?access%5Ftoken=a&&b", frozenset({"a"}))
def test_strip_query_keeps_everything_else_byte_exact(raw: str, tokens: frozenset[str]) -> None:
    stripped = strip_query(raw, Carriage(tokens=tokens))
    kept = stripped.partition("?")[2].split("&") if "?" in stripped else []
    original = raw.partition("?")[2].split("&")
    assert [part for part in original if part in kept] == kept  # only removals, order and bytes kept
    if not tokens:
        assert stripped == raw


@FUZZ
@given(st.lists(TEXT, max_size=3).map(lambda cs: "; ".join(cs)), TEXT)
def test_strip_headers_removes_only_the_session_cookie(cookie: str, other: str) -> None:
    headers = CIMultiDict[str]({"Cookie": cookie, "X-Other": other})
    strip_headers(headers, Carriage(cookie_name="chatguard_session"))
    assert headers["X-Other"] == other
    for value in headers.getall("Cookie", []):
        assert all(p.split("=", 1)[0].strip() != "chatguard_session" for p in value.split(";"))


@FUZZ
@given(PROTOCOLS)
def test_forwarded_protocols_never_carry_a_bearer(protocols: list[str]) -> None:
    assert not any(p.startswith("chatguard.bearer.") for p in forwarded_protocols(protocols))
