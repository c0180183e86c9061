"""Gateway credentials never reach the backend: strip them from headers, query and subprotocols.

Only what carried the gateway's own credential is removed. A backend's own token (a Matrix
`?access_token=`, a bearer token on a delegated route) is the backend's business and passes
through byte for byte, as does every other query parameter, cookie and subprotocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from multidict import CIMultiDict

SUBPROTOCOL_PREFIX = "chatguard.bearer."


@dataclass(frozen=True)
class Carriage:
    """The gateway credentials a request carried: tokens, and the session cookie's name."""

    tokens: frozenset[str] = frozenset()
    cookie_name: str = ""


def strip_headers(headers: CIMultiDict[str], carriage: Carriage) -> None:
    """Drop `Authorization: Bearer <gateway token>` and the session cookie from `headers`."""
    kept = [v for v in headers.getall("Authorization", []) if not _is_gateway_bearer(v, carriage.tokens)]
    headers.popall("Authorization", None)
    for value in kept:
        headers.add("Authorization", value)
    if not carriage.cookie_name:
        return
    cookies = headers.popall("Cookie", [])
    for value in cookies:
        rest = "; ".join(p.strip() for p in value.split(";")
                         if p.strip() and p.split("=", 1)[0].strip() != carriage.cookie_name)
        if rest:
            headers.add("Cookie", rest)


def _is_gateway_bearer(value: str, tokens: frozenset[str]) -> bool:
    scheme, _, token = value.strip().partition(" ")
    return scheme.lower() == "bearer" and token.strip() in tokens


def strip_query(raw_path: str, carriage: Carriage) -> str:
    """`raw_path` without `access_token=<gateway token>`; everything else stays byte-exact."""
    path, sep, query = raw_path.partition("?")
    if not sep or not carriage.tokens:
        return raw_path
    kept = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if unquote_plus(name) == "access_token" and unquote_plus(value) in carriage.tokens:
            continue
        kept.append(part)
    return f"{path}?{'&'.join(kept)}" if kept else path


def forwarded_protocols(offered: Iterable[str]) -> tuple[str, ...]:
    """The client's subprotocol offer minus the `chatguard.bearer.<token>` entries."""
    return tuple(p for p in offered if not p.startswith(SUBPROTOCOL_PREFIX))
