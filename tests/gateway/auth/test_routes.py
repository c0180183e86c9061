"""Every `/auth/*` flow over real HTTP on loopback, and the hostile inputs each must refuse."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gateway.auth.service import AuthService
from gateway.auth.state import MemoryAuthState
from tests.gateway.auth.conftest import add_user, code_at, secret_of, serve

Client = TestClient[Any, Any]


async def post(client: Client, path: str, body: Any = None, token: str | None = None,
               status: int = 200) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(path, json=body, headers=headers)
    data: dict[str, Any] = await response.json()
    assert response.status == status, data
    return data


async def login(client: Client, name: str = "alice", password: str = "correct horse") -> dict[str, Any]:  # noqa: S107
    return await post(client, "/auth/login", {"username": name, "password": password})


async def enrol(client: Client, token: str) -> tuple[str, list[str]]:
    enrolment = await post(client, "/auth/totp/enrol", {}, token=token)
    assert enrolment["qr_svg"].startswith("data:image/svg+xml")
    secret = secret_of(enrolment["otpauth_uri"])
    confirmed = await post(client, "/auth/totp/confirm", {"code": code_at(secret)}, token=token)
    assert len(confirmed["recovery_codes"]) == 10
    return secret, confirmed["recovery_codes"]


async def test_password_login_refresh_and_logout(client: Client, service: AuthService) -> None:
    await add_user(service)
    tokens = await login(client)
    assert tokens["expires_in"] == 900 and tokens["token_type"] == "Bearer"
    claims = service.issuer.verify(tokens["access_token"])
    assert claims["sub"] == "alice" and claims["roles"] == ["agent"] and claims["amr"] == ["pwd"]
    renewed = await post(client, "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert service.issuer.verify(renewed["access_token"])["sid"] == claims["sid"]
    assert await post(client, "/auth/logout", {}, token=renewed["access_token"]) == {"logged_out": True}
    assert await service.is_revoked(claims["sid"])
    await post(client, "/auth/logout", {}, token=renewed["access_token"], status=401)
    await post(client, "/auth/refresh", {"refresh_token": renewed["refresh_token"]}, status=401)


async def test_reused_refresh_token_revokes_the_family(client: Client, service: AuthService) -> None:
    await add_user(service)
    first = await login(client)
    second = await post(client, "/auth/refresh", {"refresh_token": first["refresh_token"]})
    stolen = await post(client, "/auth/refresh", {"refresh_token": first["refresh_token"]}, status=401)
    assert "revoked" in stolen["error"]
    await post(client, "/auth/refresh", {"refresh_token": second["refresh_token"]}, status=401)
    assert await service.is_revoked(service.issuer.verify(second["access_token"])["sid"])


async def test_totp_enrolment_then_login_needs_a_code(client: Client, service: AuthService) -> None:
    await add_user(service)
    secret, codes = await enrol(client, (await login(client))["access_token"])
    challenge = await login(client)
    assert challenge["mfa_required"] is True and "access_token" not in challenge
    tokens = await post(client, "/auth/mfa", {"ticket": challenge["ticket"], "code": code_at(secret, 1)})
    assert service.issuer.verify(tokens["access_token"])["amr"] == ["pwd", "otp"]


async def test_replayed_code_and_reused_ticket_are_refused(client: Client, service: AuthService) -> None:
    await add_user(service)
    secret, _ = await enrol(client, (await login(client))["access_token"])
    code = code_at(secret, 1)
    ticket = (await login(client))["ticket"]
    await post(client, "/auth/mfa", {"ticket": ticket, "code": code})
    await post(client, "/auth/mfa", {"ticket": ticket, "code": code}, status=401)
    again = (await login(client))["ticket"]
    assert (await post(client, "/auth/mfa", {"ticket": again, "code": code}, status=401))["error"] == "invalid code"


async def test_recovery_code_works_once(client: Client, service: AuthService) -> None:
    await add_user(service)
    _, codes = await enrol(client, (await login(client))["access_token"])
    await post(client, "/auth/mfa", {"ticket": (await login(client))["ticket"], "code": codes[0].upper()})
    await post(client, "/auth/mfa", {"ticket": (await login(client))["ticket"], "code": codes[0]}, status=401)
    assert await service.store.recovery_codes_left((await service.store.get_user("alice")).id) == 9  # type: ignore[union-attr]


async def test_required_role_gets_no_token_without_2fa(client: Client, service: AuthService) -> None:
    await add_user(service, "root", roles=frozenset({"admin"}))
    challenge = await login(client, "root")
    assert challenge == {"mfa_required": True, "enrolment_required": True, "ticket": challenge["ticket"]}
    await post(client, "/auth/mfa", {"ticket": challenge["ticket"], "code": "123456"}, status=401)
    challenge = await login(client, "root")
    enrolment = await post(client, "/auth/totp/enrol", {"ticket": challenge["ticket"]})
    done = await post(client, "/auth/totp/confirm",
                      {"ticket": challenge["ticket"], "code": code_at(secret_of(enrolment["otpauth_uri"]))})
    claims = service.issuer.verify(done["access_token"])
    assert claims["roles"] == ["admin"] and "otp" in claims["amr"]


async def test_enrolment_ticket_from_a_normal_login_cannot_enrol(client: Client, service: AuthService) -> None:
    await add_user(service)
    await enrol(client, (await login(client))["access_token"])
    ticket = (await login(client))["ticket"]
    await post(client, "/auth/totp/enrol", {"ticket": ticket}, status=401)


async def test_brute_force_locks_the_pair(client: Client, service: AuthService) -> None:
    await add_user(service)
    for _ in range(3):
        await post(client, "/auth/login", {"username": "alice", "password": "guess"}, status=401)
    await post(client, "/auth/login", {"username": "alice", "password": "correct horse"}, status=429)


async def test_unknown_and_disabled_users_get_the_same_answer(client: Client, service: AuthService) -> None:
    await add_user(service)
    await service.store.set_disabled("alice", True)
    disabled = await post(client, "/auth/login", {"username": "alice", "password": "correct horse"}, status=401)
    unknown = await post(client, "/auth/login", {"username": "nobody", "password": "x"}, status=401)
    assert disabled == unknown == {"error": "invalid username or password"}


@pytest.mark.parametrize("path,body", [
    ("/auth/login", None), ("/auth/login", []), ("/auth/login", {"username": "alice"}),
    ("/auth/login", {"username": 1, "password": "x"}), ("/auth/login", {"username": "a" * 65, "password": "x"}),
    ("/auth/mfa", {"ticket": "x"}), ("/auth/refresh", {"refresh_token": ["x"]}),
    ("/auth/totp/confirm", {}),
])
async def test_bad_bodies_get_a_json_400(client: Client, path: str, body: Any) -> None:
    response = await client.post(path, json=body)
    assert response.status == 400
    assert "error" in await response.json()


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"x" * 20000, b"null"])
async def test_unparsable_bodies_get_a_json_400(client: Client, raw: bytes) -> None:
    response = await client.post("/auth/login", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400 and "error" in await response.json()


@pytest.mark.parametrize("body", [{"refresh_token": "cgr_forged"}, {"refresh_token": "x"}])
async def test_forged_refresh_tokens_are_refused(client: Client, body: dict[str, str]) -> None:
    await post(client, "/auth/refresh", body, status=401)


@pytest.mark.parametrize("path,body", [("/auth/totp/enrol", {}), ("/auth/logout", {}),
                                       ("/auth/totp/enrol", {"ticket": "cgt_forged"})])
async def test_authenticated_endpoints_refuse_anonymous(client: Client, path: str, body: Any) -> None:
    await post(client, path, body, status=401)


async def test_rate_limit_on_every_endpoint(make_settings: Any) -> None:
    from gateway.auth.config import RateLimitSettings

    service = AuthService.from_settings(make_settings(rate_limit=RateLimitSettings(requests=2, window=60)),
                                        MemoryAuthState())
    await service.start()
    client = await serve(service)
    try:
        for path in ("/auth/login", "/auth/mfa", "/auth/refresh", "/auth/logout", "/auth/totp/enrol",
                     "/auth/totp/confirm"):
            statuses = [(await client.post(path, json={})).status for _ in range(3)]
            assert statuses[-1] == 429 and 429 not in statuses[:2], path
    finally:
        await client.close()
        await service.aclose()


async def test_jwks_lists_public_keys(client: Client, service: AuthService) -> None:
    response = await client.get("/.well-known/jwks.json")
    keys = (await response.json())["keys"]
    assert [k["kid"] for k in keys] == [service.issuer.current.kid] and "d" not in keys[0]


async def test_secrets_never_reach_the_logs(client: Client, service: AuthService,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await add_user(service)
    await post(client, "/auth/login", {"username": "alice", "password": "wrong-pass-123"}, status=401)
    tokens = await login(client)
    secret, codes = await enrol(client, tokens["access_token"])
    challenge = await login(client)
    code = code_at(secret, 1)
    await post(client, "/auth/mfa", {"ticket": challenge["ticket"], "code": code})
    text = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    for value in ("wrong-pass-123", "correct horse", tokens["access_token"], tokens["refresh_token"],
                  secret, codes[0], challenge["ticket"]):
        assert value not in text
    assert code not in caplog.text  # six digits: checked in messages only, record times hold digits too
    assert any(getattr(r, "event", "") == "auth.login_failed" for r in caplog.records)
