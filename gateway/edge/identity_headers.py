"""Who is calling, told to the backend: `X-Chatguard-Subject`, `-Roles` and a signed `-Assertion`.

Incoming `X-Chatguard-*` headers are dropped in `forwarding.end_to_end`, so these are the
only copies a backend sees. Subject and roles are for convenience; a backend that must
not trust its network verifies the assertion (a JWT for its upstream name as `aud`)
against the gateway's JWKS. Anonymous callers get no identity headers at all.
"""

from __future__ import annotations

from urllib.parse import quote

from filters import Principal
from gateway.auth.tokens import TokenIssuer

SUBJECT = "X-Chatguard-Subject"
ROLES = "X-Chatguard-Roles"
ASSERTION = "X-Chatguard-Assertion"
# Printable ASCII except the list separator and the escape itself: header values stay unambiguous.
_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in ",%")


def header_value(text: str) -> str:
    """Percent-encode anything outside printable ASCII (no CR/LF, no header splitting)."""
    return quote(text, safe=_SAFE)


def identity_headers(principal: Principal, upstream: str, signer: TokenIssuer | None = None,
                     ttl: float = 60) -> dict[str, str]:
    """The headers to add for `principal` on a request to `upstream` (none for anonymous callers)."""
    if principal.anonymous:
        return {}
    headers = {SUBJECT: header_value(principal.subject),
               ROLES: ",".join(header_value(r) for r in sorted(principal.roles))}
    if signer is not None:
        headers[ASSERTION] = signer.assertion(principal, upstream, ttl)
    return headers
