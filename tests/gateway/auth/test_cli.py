from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth.cli import main
from gateway.auth.config import AuthSettings
from gateway.auth.service import AuthService
from gateway.auth.state import MemoryAuthState


def run(settings: AuthSettings, *argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), settings, stdin=io.StringIO(stdin), out=out), out.getvalue()


@pytest.fixture
def settings(make_settings: Callable[..., AuthSettings]) -> AuthSettings:
    return make_settings()


def test_user_lifecycle(settings: AuthSettings) -> None:
    assert run(settings, "add", "alice", "--roles", "agent,admin", "--password-stdin",
               stdin="a long password\n")[0] == 0
    assert run(settings, "add", "alice", "--password-stdin", stdin="a long password\n")[0] == 1
    assert run(settings, "roles", "alice", "agent")[0] == 0
    assert run(settings, "disable", "alice")[0] == 0
    assert run(settings, "list")[1] == "alice\tagent\tdisabled\n"
    assert run(settings, "enable", "alice")[0] == 0
    assert run(settings, "passwd", "alice", "--password-stdin", stdin="another long one\n")[0] == 0
    assert run(settings, "totp-reset", "alice")[0] == 0
    assert run(settings, "passwd", "nobody", "--password-stdin", stdin="another long one\n")[0] == 1


@pytest.mark.parametrize("password", ["short", ""])
def test_weak_passwords_are_refused(settings: AuthSettings, password: str) -> None:
    assert run(settings, "add", "bob", "--password-stdin", stdin=password + "\n")[0] == 1
    assert run(settings, "list")[1] == ""


async def test_new_password_works_and_ends_sessions(settings: AuthSettings, tmp_path: Any) -> None:
    import asyncio

    await asyncio.to_thread(run, settings, "add", "carol", "--roles", "agent", "--password-stdin",
                            stdin="first password\n")
    service = AuthService.from_settings(settings, MemoryAuthState())
    await service.start()
    try:
        tokens = await service.login("carol", "first password", "127.0.0.1")
        sid = service.issuer.verify(tokens["access_token"])["sid"]
        await asyncio.to_thread(run, settings, "passwd", "carol", "--password-stdin", stdin="second password\n")
        assert await service.store.session_revoked(sid)
        assert "access_token" in await service.login("carol", "second password", "127.0.0.1")
    finally:
        await service.aclose()
