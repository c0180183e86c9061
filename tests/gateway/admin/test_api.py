"""Admin API over real HTTP on its own listener: who gets in, session revocation, audit queries."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from filters import Principal
from gateway.admin import api as admin_api
from gateway.admin.app import build_admin_app
from gateway.auth import AUTH
from tests.helpers import RunningGateway, auth_settings, run_gateway, serve_app


def config(tmp_path: Path) -> dict[str, Any]:
    return {
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "logging": {"access_log": False},
        "auth": auth_settings(tmp_path),
        "routes": [{"name": "public", "match": {"path": "/public"}, "upstream": "up", "allow": ["anonymous"]}],
    }


class Admin:
    def __init__(self, gw: RunningGateway, url: str, client: aiohttp.ClientSession) -> None:
        self.gw, self.url, self.client = gw, url, client

    async def token(self, name: str, roles: set[str], mfa: bool) -> tuple[str, str]:
        """A real signed token for a real session of a stored user: (token, session id)."""
        service = self.gw.app[AUTH]
        user = await service.store.add_user(name, await service.passwords.hash("a good long secret"),
                                            frozenset(roles))
        session_id, _ = await service.sessions.start(user.id, mfa)
        principal = Principal(name, frozenset(roles), mfa=mfa)
        return service.issuer.issue(principal, session_id, {"uid": user.id}), session_id

    async def call(self, method: str, path: str, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.request(method, f"{self.url}{path}", headers=headers) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Admin]:
    async with run_gateway(config(tmp_path)) as gw:
        app = build_admin_app(gw.app)
        admin_api.mount(app, gw.app)
        async with serve_app(app) as url, aiohttp.ClientSession() as client:
            yield Admin(gw, url, client)


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgres"])
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Admin]:
    """The admin listener over a gateway whose users live in SQLite or in a throw-away PostgreSQL schema."""
    settings = config(tmp_path)
    if request.param == "sqlite":
        async with run_gateway(settings) as gw:
            app = build_admin_app(gw.app)
            admin_api.mount(app, gw.app)
            async with serve_app(app) as url, aiohttp.ClientSession() as client:
                yield Admin(gw, url, client)
        return
    import asyncpg

    schema = f"cg_admin_{secrets.token_hex(6)}"
    owner = await asyncpg.connect(PG_URL)
    await owner.execute(f'CREATE SCHEMA "{schema}"')
    settings["auth"]["store"] = f"{PG_URL}?search_path={schema}"  # asyncpg passes it on as a server setting
    try:
        async with run_gateway(settings) as gw:
            app = build_admin_app(gw.app)
            admin_api.mount(app, gw.app)
            async with serve_app(app) as url, aiohttp.ClientSession() as client:
                yield Admin(gw, url, client)
    finally:
        await owner.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await owner.close()


async def test_admin_lists_live_sessions_without_tokens(any_store: Admin) -> None:
    admin = any_store
    root, root_session = await admin.token("root", {"admin"}, mfa=True)
    _, ann_one = await admin.token("ann", {"agent"}, mfa=False)
    service = admin.gw.app[AUTH]
    ann = await service.store.get_user("ann")
    ann_two, refresh = await service.sessions.start(ann.id, False)
    gone, _ = await service.sessions.start(ann.id, False)
    await service.sessions.revoke(gone)
    await service.sessions.rotate(refresh)  # marks ann_two as used just now
    status, body = await admin.call("GET", "/admin/sessions", root)
    assert status == 200, body
    assert {s["id"] for s in body["sessions"]} == {root_session, ann_one, ann_two}
    first = body["sessions"][0]
    assert first["id"] == ann_two and first["user"] == "ann" and first["mfa"] is False
    assert first["created"] <= first["last_used"] < first["expires"]
    assert set(first) == {"id", "user", "created", "last_used", "expires", "mfa"}
    status, body = await admin.call("GET", "/admin/sessions?user=root", root)
    assert [(s["id"], s["mfa"]) for s in body["sessions"]] == [(root_session, True)]
    assert await admin.call("GET", "/admin/sessions?user=nobody", root) == (200, {"sessions": []})
    async with admin.client.get(f"{admin.url}/admin/sessions", headers={"Authorization": f"Bearer {root}"}) as resp:
        raw = await resp.text()
    assert "cgr_" not in raw and root not in raw and refresh not in raw


@pytest.mark.parametrize(("roles", "mfa", "status", "error"), [
    (None, False, 401, "authentication required"),
    ({"agent"}, True, 403, "forbidden"),
    ({"admin"}, False, 401, "step-up required"),
])
async def test_who_gets_in(admin: Admin, roles: set[str] | None, mfa: bool, status: int, error: str) -> None:
    token = (await admin.token("u", roles, mfa))[0] if roles else None
    for method, path in [("GET", "/admin/audit"), ("POST", "/admin/sessions/x/revoke"),
                         ("POST", "/admin/users/u/revoke"), ("GET", "/admin/sessions")]:
        assert await admin.call(method, path, token) == (status, {"error": error})


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
async def test_forged_tokens_are_refused(admin: Admin, token: str) -> None:
    status, _ = await admin.call("POST", "/admin/sessions/x/revoke", token)
    assert status in (400, 401)


async def test_admin_revokes_a_session_and_it_stops_working(admin: Admin) -> None:
    root, _ = await admin.token("root", {"admin"}, mfa=True)
    victim, session_id = await admin.token("ann", {"admin"}, mfa=True)
    assert (await admin.call("GET", "/admin/audit", victim))[0] == 404  # works (audit not configured)
    assert await admin.call("POST", f"/admin/sessions/{session_id}/revoke", root) == (200, {"revoked": session_id})
    status, body = await admin.call("GET", "/admin/audit", victim)
    assert (status, body["error"]) == (401, "invalid token: session revoked")


async def test_admin_revokes_every_session_of_a_user(admin: Admin) -> None:
    root, _ = await admin.token("root", {"admin"}, mfa=True)
    victim, _ = await admin.token("ann", {"admin"}, mfa=True)
    assert await admin.call("POST", "/admin/users/ann/revoke", root) == (200, {"revoked_user": "ann"})
    assert await admin.call("POST", "/admin/users/nobody/revoke", root) == (404, {"error": "no such user"})
    admin.gw.app[AUTH].sessions._alive.clear()  # drop the 2 s "still alive" cache instead of sleeping
    assert (await admin.call("GET", "/admin/audit", victim))[0] == 401


def test_read_audit_filters_and_limits(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    entries = [{"seq": i, "event": "authz.deny" if i % 2 else "auth.login", "subject": f"u{i % 3}"}
               for i in range(10)]
    log.write_bytes(b"\n".join(orjson.dumps(e) for e in entries) + b"\n{torn")
    assert [e["seq"] for e in admin_api.read_audit(str(log), "authz", None, 3)] == [5, 7, 9]
    assert [e["seq"] for e in admin_api.read_audit(str(log), None, "u0", 100)] == [0, 3, 6, 9]
    assert admin_api.read_audit(str(tmp_path / "missing"), None, None, 5) == []


def test_read_audit_spans_rotated_files_newest_first(tmp_path: Path) -> None:
    active = tmp_path / "audit.jsonl"
    old = tmp_path / "audit.20240101T000000Z.000000000004.jsonl"
    older = tmp_path / "audit.20231231T000000Z.000000000002.jsonl"
    for path, seqs in ((older, (1, 2)), (old, (3, 4)), (active, (5, 6))):
        path.write_bytes(b"".join(orjson.dumps({"seq": i, "event": "admin.action"}) + b"\n" for i in seqs))
    (tmp_path / "audit.notes.jsonl").write_bytes(orjson.dumps({"seq": 99, "event": "admin.action"}))  # not the chain
    assert [e["seq"] for e in admin_api.read_audit(str(active), "admin", None, 3)] == [4, 5, 6]
    assert [e["seq"] for e in admin_api.read_audit(str(active), None, None, 100)] == [1, 2, 3, 4, 5, 6]
    active.unlink()  # just rotated: nothing written to a new active file yet
    assert [e["seq"] for e in admin_api.read_audit(str(active), None, None, 2)] == [3, 4]
