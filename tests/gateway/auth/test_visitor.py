"""`POST /auth/visitor`: off by default, a fresh subject each time, short-lived, rate limited."""

from __future__ import annotations

from collections.abc import Callable

import jwt

from gateway.auth.config import AuthSettings, RateLimitSettings, VisitorSettings
from gateway.auth.identify import Identifier
from gateway.auth.service import AuthService
from gateway.auth.state import MemoryAuthState
from tests.gateway.auth.conftest import serve


async def _service(make_settings: Callable[..., AuthSettings], **visitors: object) -> AuthService:
    auth = AuthService.from_settings(make_settings(visitors=VisitorSettings(**visitors)),  # type: ignore[arg-type]
                                     MemoryAuthState())
    await auth.start()
    return auth


async def test_visitors_are_off_by_default(make_settings: Callable[..., AuthSettings]) -> None:
    auth = await _service(make_settings)
    http = await serve(auth)
    try:
        assert (await http.post("/auth/visitor")).status == 404
    finally:
        await http.close()
        await auth.aclose()


async def test_each_visitor_gets_a_fresh_short_lived_visitor_token(make_settings: Callable[..., AuthSettings]) -> None:
    auth = await _service(make_settings, enabled=True, ttl=120)
    http = await serve(auth)
    try:
        answers = [await (await http.post("/auth/visitor")).json() for _ in range(2)]
        subjects = {a["subject"] for a in answers}
        assert len(subjects) == 2 and all(s.startswith("visitor:") for s in subjects)
        claims = jwt.decode(answers[0]["access_token"], options={"verify_signature": False})
        assert claims["roles"] == ["visitor"] and claims["exp"] - claims["iat"] == 120
        assert "refresh_token" not in answers[0]
        identity = await Identifier(auth).verify(answers[0]["access_token"])
        assert identity.principal.roles == frozenset({"visitor"}) and not identity.principal.mfa
        await auth.logout(str(identity.session_id), identity.principal.subject)  # a ban ends it at once
        assert (await http.get("/auth/visitor")).status == 405
        assert await auth.is_revoked(str(identity.session_id))
    finally:
        await http.close()
        await auth.aclose()


async def test_visitor_tokens_are_rate_limited_per_address(make_settings: Callable[..., AuthSettings]) -> None:
    auth = await _service(make_settings, enabled=True, rate_limit=RateLimitSettings(requests=2, window=60))
    http = await serve(auth)
    try:
        statuses = [(await http.post("/auth/visitor")).status for _ in range(4)]
        assert statuses == [200, 200, 429, 429]
    finally:
        await http.close()
        await auth.aclose()
