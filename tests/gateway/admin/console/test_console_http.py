"""The console over real HTTP, without a browser: who gets in, hostile form posts, escaping of what
the gateway held, and the event stream's guard."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from gateway.admin.app import build_admin_app
from gateway.admin.console import live
from gateway.enforce import countermeasures
from gateway.enforce.countermeasures import Offender
from gateway.keys import STATE
from tests.e2e.test_audit_gateway import keys
from tests.gateway.admin.test_api import Admin, config
from tests.helpers import run_gateway, serve_app


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Admin]:
    cfg = config(tmp_path)
    cfg["roles"] = {"admin": {}, "agent": {}, "lead": {"inherits": ["admin"], "permissions": ["admin:*"]}}
    async with run_gateway(cfg) as gw, serve_app(build_admin_app(gw.app)) as url, \
            aiohttp.ClientSession() as client:
        yield Admin(gw, url, client)


async def get(admin: Admin, path: str, token: str | None = None) -> tuple[int, str, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with admin.client.get(f"{admin.url}{path}", headers=headers, allow_redirects=False) as resp:
        return resp.status, await resp.text(), dict(resp.headers)


async def post(admin: Admin, path: str, token: str, form: dict[str, str] | str,
               headers: dict[str, str] | None = None) -> tuple[int, str]:
    all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    if isinstance(form, str):
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    async with admin.client.post(f"{admin.url}{path}", data=form, headers=all_headers) as resp:
        return resp.status, await resp.text()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page
    return found.group(1)


async def test_who_gets_in(admin: Admin) -> None:
    status, _, headers = await get(admin, "/admin/ui/live")
    assert status == 303 and headers["Location"] == "/auth/page/login?next=/admin/ui/live"
    agent, _ = await admin.token("ann", {"agent"}, mfa=True)
    assert (await get(admin, "/admin/ui/live", agent))[0] == 403
    no_mfa, _ = await admin.token("pat", {"lead"}, mfa=False)
    status, body, _ = await get(admin, "/admin/ui/live", no_mfa)
    assert status == 403 and "two-factor" in body
    bare, _ = await admin.token("bea", {"admin"}, mfa=True)  # the config splits permissions: none granted
    assert (await get(admin, "/admin/ui/", bare))[0] == 403
    lead, _ = await admin.token("lena", {"lead"}, mfa=True)
    status, _, headers = await get(admin, "/admin/ui/", lead)
    assert status == 303 and headers["Location"] == "/admin/ui/live"
    status, body, headers = await get(admin, "/admin/ui/live", lead)
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store" and "<script>" not in body and " style=" not in body
    status, _, headers = await get(admin, "/admin/ui/static/console.js")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"


async def test_hostile_form_posts_are_refused(admin: Admin) -> None:
    lead, _ = await admin.token("lena", {"lead"}, mfa=True)
    await admin.gw.app[STATE].ban("ip:192.0.2.9", 600, "test")
    token = csrf_of((await get(admin, "/admin/ui/bans", lead))[1])
    form = {"csrf": token, "key": "ip:192.0.2.9"}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}):
        assert (await post(admin, "/admin/ui/bans/lift", lead, form, headers))[0] == 403
    assert (await post(admin, "/admin/ui/bans/lift", lead, {"key": "ip:192.0.2.9", "csrf": "0" * 64}))[0] == 403
    assert (await post(admin, "/admin/ui/bans/lift", lead, f"csrf={token}&key=a&key=b"))[0] == 400
    assert (await post(admin, "/admin/ui/bans/lift", lead, f"csrf={token}&key={'k' * 5000}"))[0] == 400
    assert (await post(admin, "/admin/ui/bans/lift", lead, "x" * 20_000))[0] == 400
    async with admin.client.post(f"{admin.url}/admin/ui/bans/lift", json=form,
                                 headers={"Authorization": f"Bearer {lead}"}) as resp:
        assert resp.status == 415
    assert await admin.gw.app[STATE].banned("ip:192.0.2.9") is not None
    status, body = await post(admin, "/admin/ui/bans/lift", lead, form)
    assert status == 200 and "Lifted the ban on ip:192.0.2.9" in body


async def test_held_text_and_names_are_escaped(admin: Admin) -> None:
    lead, _ = await admin.token("lena", {"lead"}, mfa=True)
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    offender = Offender("192.0.2.1", '"><svg onload=alert(3)>', route="chat", method="POST", target="/x")
    await countermeasures.quarantine(admin.gw.app[STATE], hostile, offender, "probe <b>flagged</b>", 600)
    status, body, _ = await get(admin, "/admin/ui/quarantine", lead)
    assert status == 200
    assert "<script>alert" not in body and "<svg onload" not in body and "<b>flagged" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


async def test_event_streams_are_capped(admin: Admin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "MAX_STREAMS", 1)
    lead, _ = await admin.token("lena", {"lead"}, mfa=True)
    headers = {"Authorization": f"Bearer {lead}"}
    async with admin.client.get(f"{admin.url}/admin/ui/live/events", headers=headers) as first:
        assert first.status == 200 and await first.content.readline() == b"retry: 3000\n"
        async with admin.client.get(f"{admin.url}/admin/ui/live/events", headers=headers) as second:
            assert second.status == 503


async def test_the_event_stream_needs_the_operator(admin: Admin) -> None:
    assert (await get(admin, "/admin/ui/live/events"))[0] == 401
    agent, _ = await admin.token("ann", {"agent"}, mfa=True)
    assert (await get(admin, "/admin/ui/live/events", agent))[0] == 403
    lead, _ = await admin.token("lena", {"lead"}, mfa=True)
    async with admin.client.get(f"{admin.url}/admin/ui/live/events?after=0",
                                headers={"Authorization": f"Bearer {lead}"}) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "text/event-stream"
        assert await resp.content.readline() == b"retry: 3000\n"


async def test_live_shows_what_another_worker_recorded(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    audit_key, _ = keys(tmp_path)
    cfg.update(workers=2, audit={"path": str(tmp_path / "audit.jsonl"), "signing_key_file": str(audit_key),
                                 "fsync": False})
    sibling = tmp_path / "audit.w1.jsonl"
    sibling.write_bytes(orjson.dumps({"seq": 1, "ts": "2026-12-06T10:00:00Z", "event": "filter.block",
                                      "route": "seeded-route", "findings": {"card": 1}}) + b"\n")
    async with run_gateway(cfg) as gw, serve_app(build_admin_app(gw.app)) as url, \
            aiohttp.ClientSession() as client:
        admin = Admin(gw, url, client)
        token, _ = await admin.token("root", {"admin"}, mfa=True)
        assert "seeded-route" in (await get(admin, "/admin/ui/live", token))[1]  # read at start
        with sibling.open("ab") as file:
            file.write(orjson.dumps({"seq": 2, "ts": "2026-12-06T10:00:01Z", "event": "authz.deny",
                                     "route": "followed-route", "rule": "allow"}) + b"\n")
        for _ in range(100):
            if "followed-route" in (await get(admin, "/admin/ui/live", token))[1]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the other worker's entry never showed up")
