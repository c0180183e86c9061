"""Identity headers for the backend: none for anonymous callers, no header injection, a scoped assertion."""

from __future__ import annotations

import jwt
import pytest

from filters import ANONYMOUS, Principal
from gateway.auth.tokens import TokenInvalid, TokenIssuer, generate_pem, load_key
from gateway.edge.identity_headers import ASSERTION, ROLES, SUBJECT, identity_headers


def test_anonymous_gets_nothing() -> None:
    assert identity_headers(ANONYMOUS, "chat") == {}


@pytest.mark.parametrize(("subject", "sent"), [
    ("@ann:example.org", "@ann:example.org"),
    ("eve\r\nX-Chatguard-Roles: admin", "eve%0D%0AX-Chatguard-Roles:%20admin"),
    ("zoë,admin", "zo%C3%AB%2Cadmin"),
])
def test_values_cannot_split_headers_or_lists(subject: str, sent: str) -> None:
    headers = identity_headers(Principal(subject=subject, roles=frozenset({"b", "a,c"})), "chat")
    assert headers == {SUBJECT: sent, ROLES: "a%2Cc,b"}


def test_assertion_is_for_one_upstream_and_is_not_an_access_token() -> None:
    issuer = TokenIssuer([load_key(generate_pem("ES256"))], "chatguard", "chatguard", 900)
    headers = identity_headers(Principal(subject="ann", roles=frozenset({"agent"}), mfa=True), "chat", issuer, 30)
    key = issuer.current
    claims = jwt.decode(headers[ASSERTION], key.public, algorithms=[key.algorithm], audience="chat")
    assert (claims["sub"], claims["roles"], claims["amr"]) == ("ann", ["agent"], ["otp"])
    assert claims["exp"] - claims["iat"] == 30
    with pytest.raises(TokenInvalid):
        issuer.verify(headers[ASSERTION])
