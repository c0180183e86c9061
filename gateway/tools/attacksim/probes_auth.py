"""Probes of authentication: forged and misplaced JWTs, TOTP replay and brute force."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import orjson
import pyotp

from gateway.config.settings import RouteSettings, Settings
from gateway.tools.attacksim import tokens
from gateway.tools.attacksim.model import GATEWAY, Probe, Result, failed, held, skipped
from gateway.tools.attacksim.session import Session
from gateway.tools.attacksim.targets import method_for, protected

Forge = Callable[[Session, Settings], Awaitable[str | Result]]


async def _jwks(s: Session) -> list[dict[str, Any]]:
    reply = await s.request("GET", "/.well-known/jwks.json")
    try:
        keys = orjson.loads(reply.body).get("keys", []) if reply.status == 200 else []
    except (orjson.JSONDecodeError, AttributeError):
        return []
    return [k for k in keys if isinstance(k, dict)]


async def _alg_none(s: Session, settings: Settings) -> str | Result:
    keys = await _jwks(s)
    return tokens.unsigned(tokens.claims(settings), keys[0].get("kid") if keys else None)


async def _key_confusion(s: Session, settings: Settings) -> str | Result:
    for jwk in await _jwks(s):
        pem = tokens.public_pem(jwk)
        if pem is not None:
            return tokens.hs256_with(pem, tokens.claims(settings), jwk.get("kid"))
    return skipped("the target publishes no public key at /.well-known/jwks.json")


def _signed(**changes: Any) -> Forge:
    async def forge(s: Session, settings: Settings) -> str | Result:
        key = tokens.signer(settings)
        if key is None:
            return skipped("the config's signing key is not readable here (run where the gateway runs)")
        return tokens.signed(key, tokens.claims(settings, **changes))
    return forge


async def _tampered(s: Session, settings: Settings) -> str | Result:
    key = tokens.signer(settings)
    if key is not None:
        genuine = tokens.signed(key, tokens.claims(settings, roles=[]))
    elif (token := await s.token()) is not None:
        genuine = token
    else:
        return skipped("needs the config's signing key or --test-user for a genuine token to tamper with")
    return tokens.tampered(genuine, roles=sorted({*settings.roles, "admin"}), sub="admin")


FORGERIES: list[tuple[str, str, Forge]] = [
    ("alg-none", "Token with alg none is refused", _alg_none),
    ("hs256-public-key", "HS256 token signed with the public key is refused", _key_confusion),
    ("expired", "Expired token is refused", _signed(exp=1_000_000_000, iat=999_999_000)),
    ("wrong-issuer", "Token from another issuer is refused", _signed(iss="https://cgsim.invalid")),
    ("wrong-audience", "Token for another audience is refused", _signed(aud="cgsim-other-service")),
    ("tampered-claims", "Token with altered claims is refused", _tampered),
]


def _forged(route: RouteSettings, name: str, title: str, forge: Forge, settings: Settings) -> Probe:
    async def run(s: Session) -> Result:
        token = await forge(s, settings)
        if isinstance(token, Result):
            return token
        marker = s.marker()
        path = f"{s.path_of(route)}?{marker}"
        reply = await s.request(method_for(route, False), path, headers={"Authorization": f"Bearer {token}"})
        reached = await s.reached(marker)
        what = f"{method_for(route, False)} {path} with a {name} token"
        if reply.refused() and not reached:
            return held(f"{what} -> {reply.show()}")
        return failed(f"{what} -> {reply.show()}{' and it reached the backend' if reached else ''}")
    return Probe(f"jwt.{name}.{route.name}", "jwt", title, "critical", run, route.name)


def _misplaced(route: RouteSettings, settings: Settings) -> Probe:
    async def run(s: Session) -> Result:
        key = tokens.signer(settings)
        token = tokens.signed(key, tokens.claims(settings)) if key is not None else await s.token()
        if token is None:
            return skipped("needs the config's signing key or --test-user for a genuine token")
        marker = s.marker()
        path = f"{s.path_of(route)}?{marker}&access_token={token}"
        reply = await s.request(method_for(route, False), path)
        reached = await s.reached(marker)
        what = f"{method_for(route, False)} {s.path_of(route)}?access_token=<genuine token> (not a WebSocket)"
        if reply.refused() and not reached:
            return held(f"{what} -> {reply.show()}")
        return failed(f"{what} -> {reply.show()}")
    return Probe(f"jwt.query-token.{route.name}", "jwt", "Token in the query string of a plain request is refused",
                 "medium", run, route.name)


def _no_role(route: RouteSettings, settings: Settings) -> Probe:
    async def run(s: Session) -> Result:
        key = tokens.signer(settings)
        if key is None:
            return skipped("the config's signing key is not readable here (run where the gateway runs)")
        genuine = await s.token()
        if genuine is None:
            return skipped("needs --test-user: its session, re-signed without roles, is the caller")
        token = tokens.resigned(key, genuine, roles=["cgsim-no-such-role"])
        marker = s.marker()
        path = f"{s.path_of(route)}?{marker}"
        reply = await s.request(method_for(route, False), path, headers={"Authorization": f"Bearer {token}"})
        reached = await s.reached(marker)
        what = f"{method_for(route, False)} {path} signed in without any of {', '.join(route.allow)}"
        if reply.refused() and not reached:
            return held(f"{what} -> {reply.show()}")
        return failed(f"{what} -> {reply.show()}")
    return Probe(f"authz.no-role.{route.name}", "authz", "A signed-in caller without the route's roles is refused",
                 "critical", run, route.name)


async def _login(s: Session) -> tuple[int | None, dict[str, Any]]:
    body = orjson.dumps({"username": s.options.test_user, "password": s.options.test_password})
    reply = await s.request("POST", "/auth/login", headers={"Content-Type": "application/json"}, body=body)
    try:
        return reply.status, orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return reply.status, {}


async def _mfa(s: Session, ticket: str, code: str) -> int | None:
    body = orjson.dumps({"ticket": ticket, "code": code})
    reply = await s.request("POST", "/auth/mfa", headers={"Content-Type": "application/json"}, body=body)
    return reply.status


def _totp_brute_force(settings: Settings) -> Probe:
    tries = (settings.auth.lockout.pair_failures if settings.auth else 5) + 2

    async def run(s: Session) -> Result:
        if not s.options.test_user or not s.options.test_password:
            return skipped("name a test user with 2FA: --test-user and CHATGUARD_SIM_PASSWORD")
        steps: list[str] = []
        for attempt in range(1, tries + 1):
            status, answer = await _login(s)
            ticket = answer.get("ticket")
            if status in (423, 429):
                return held(f"locked out after {attempt - 1} wrong codes ({'; '.join(steps)})")
            if not isinstance(ticket, str):
                return skipped(f"login as the test user gave {status} without a 2FA ticket")
            first = await _mfa(s, ticket, "000000" if attempt % 2 else "999999")
            again = await _mfa(s, ticket, "123456")
            steps.append(f"code -> {first}, same ticket again -> {again}")
            if first == 200 or again == 200:
                return failed(f"a guessed code was accepted ({'; '.join(steps)})")
            if again not in (401, 403, 429):
                return failed(f"a spent ticket was not refused ({'; '.join(steps)})")
        return failed(f"{tries} wrong codes without a lockout ({'; '.join(steps)})")
    return Probe("totp.brute-force", "totp", "Wrong 2FA codes lead to a lockout; tickets are single-use",
                 "high", run, GATEWAY)


def _totp_replay() -> Probe:
    async def run(s: Session) -> Result:
        if not (s.options.test_user and s.options.test_password and s.options.test_totp_secret):
            return skipped("needs --test-user with CHATGUARD_SIM_PASSWORD and CHATGUARD_SIM_TOTP_SECRET")
        # the next step's code (accepted within valid_window): the current one may be spent already
        code = pyotp.TOTP(s.options.test_totp_secret).at(time.time() + 30)
        results = []
        for _ in range(2):
            status, answer = await _login(s)
            ticket = answer.get("ticket")
            if not isinstance(ticket, str):
                return skipped(f"login as the test user gave {status} without a 2FA ticket")
            results.append(await _mfa(s, ticket, code))
        evidence = f"same code twice -> {results[0]}, {results[1]}"
        return failed(evidence) if results[1] == 200 else held(evidence)
    return Probe("totp.replay", "totp", "A TOTP code is accepted once", "high", run, GATEWAY)


def build(settings: Settings) -> Iterator[Probe]:
    routes = protected(settings)
    if routes:
        for name, title, forge in FORGERIES:
            yield _forged(routes[0], name, title, forge, settings)
        yield _misplaced(routes[0], settings)
    for route in routes:
        yield _no_role(route, settings)
    if settings.auth is not None:
        yield _totp_replay()  # before the brute force, whose lockout would keep the test user out
        yield _totp_brute_force(settings)
