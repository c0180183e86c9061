"""Backend-delegated auth against a real whoami endpoint on loopback: roles, cache, fail closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from gateway.auth.config import DelegateSettings
from gateway.auth.delegate import Backend, Delegates
from gateway.auth.errors import AuthError
from gateway.auth.state import MemoryAuthState
from tests.helpers import serve_app

WHOAMI = "/_matrix/client/v3/account/whoami"
SETTINGS = DelegateSettings(routes=("matrix*",), path=WHOAMI, roles_by_user={"@ann:x": ("agent",)},
                            default_roles=("visitor",))


@dataclass
class Whoami:
    """A backend that knows two tokens and can be told to misbehave."""

    calls: list[str] = field(default_factory=list)
    answer: tuple[int, str] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(request.headers.get("Authorization", ""))
        if self.answer is not None:
            return web.Response(status=self.answer[0], text=self.answer[1], content_type="application/json")
        users = {"Bearer syt_ann": "@ann:x", "Bearer syt_bob": "@bob:x"}
        user = users.get(request.headers.get("Authorization", ""))
        if user is None:
            return web.json_response({"errcode": "M_UNKNOWN_TOKEN"}, status=401)
        return web.json_response({"user_id": user})


@pytest.fixture
async def whoami() -> AsyncIterator[tuple[Whoami, Backend]]:
    backend = Whoami()
    app = web.Application()
    app.router.add_get(WHOAMI, backend.handle)
    async with serve_app(app) as url, aiohttp.ClientSession() as session:
        yield backend, Backend("chat", session, URL(url))


@pytest.mark.parametrize(("token", "subject", "roles"), [
    ("syt_ann", "@ann:x", {"agent"}),
    ("syt_bob", "@bob:x", {"visitor"}),
])
async def test_backend_vouches_and_roles_come_from_config(
        whoami: tuple[Whoami, Backend], token: str, subject: str, roles: set[str]) -> None:
    principal = await Delegates((SETTINGS,), MemoryAuthState()).verify(SETTINGS, token, whoami[1])
    assert (principal.subject, set(principal.roles), principal.mfa) == (subject, roles, False)


async def test_answers_are_cached_under_a_hash_not_the_token(whoami: tuple[Whoami, Backend]) -> None:
    state = MemoryAuthState()
    delegates = Delegates((SETTINGS,), state)
    for _ in range(3):
        await delegates.verify(SETTINGS, "syt_ann", whoami[1])
    for _ in range(2):
        with pytest.raises(AuthError):
            await delegates.verify(SETTINGS, "syt_guess", whoami[1])
    assert whoami[0].calls == ["Bearer syt_ann", "Bearer syt_guess"]
    assert not any("syt_" in key for key in state._values)


async def test_refused_token_is_401(whoami: tuple[Whoami, Backend]) -> None:
    with pytest.raises(AuthError) as refused:
        await Delegates((SETTINGS,), MemoryAuthState()).verify(SETTINGS, "syt_forged", whoami[1])
    assert refused.value.status == 401


@pytest.mark.parametrize("answer", [
    (500, "{}"), (200, "not json"), (200, "[1]"), (200, '{"user_id": 7}'), (200, '{"user_id": ""}'),
    (200, '{"user_id": "a\\nb"}'), (302, "{}"),
])
async def test_a_backend_that_cannot_say_is_503(whoami: tuple[Whoami, Backend], answer: tuple[int, str]) -> None:
    whoami[0].answer = answer
    with pytest.raises(AuthError) as failed:
        await Delegates((SETTINGS,), MemoryAuthState()).verify(SETTINGS, "syt_ann", whoami[1])
    assert failed.value.status == 503


async def test_unreachable_backend_is_503_and_not_cached() -> None:
    state = MemoryAuthState()
    async with aiohttp.ClientSession() as session:
        dead = Backend("chat", session, URL("http://127.0.0.1:9"))
        with pytest.raises(AuthError) as failed:
            await Delegates((SETTINGS,), state).verify(SETTINGS, "syt_ann", dead)
    assert failed.value.status == 503
    assert not state._values


@pytest.mark.parametrize(("route", "delegated"), [("matrix-send", True), ("matrix", True), ("widget", False)])
def test_routes_are_chosen_by_name_pattern(route: str, delegated: bool) -> None:
    assert (Delegates((SETTINGS,), MemoryAuthState()).for_route(route) is SETTINGS) is delegated
