"""Transcript endpoints over real HTTP on the admin listener, over real SQLite and PostgreSQL:
each permission and 2FA, masking by `unmask:<type>`, legal hold, and one audit entry per access."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from filters import Principal
from gateway.admin.app import build_admin_app
from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from gateway.keys import TRANSCRIPTS
from tests.gateway.database_fixtures import db_url
from tests.gateway.transcripts.conftest import T0, record
from tests.helpers import RunningGateway, run_gateway, serve_app

__all__ = ["db_url"]

CARD = "4111 1111 1111 1111"
ROOM = "!room:example.org"
HELD = "!held:example.org"
SLASHED = "@carol/support"
ROLES = {
    "reader": {"permissions": ["transcripts:read"]},
    "card_reader": {"inherits": ["reader"], "permissions": ["unmask:card"]},
    "exporter": {"permissions": ["transcripts:export"]},
    "eraser": {"permissions": ["transcripts:erase"]},
    "officer": {"permissions": ["transcripts:*"]},
    "admin": {},
}


def config(tmp_path: Path, database: str | None) -> dict[str, Any]:
    key = tmp_path / "signing.pem"
    key.write_bytes(generate_pem("EdDSA"))
    kek = tmp_path / "kek"
    kek.write_text(bytes(range(32)).hex())
    settings: dict[str, Any] = {
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "logging": {"access_log": False},
        "auth": {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
                 "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode()},
                 "argon2_time_cost": 1, "argon2_memory_kib": 1024},
        "roles": ROLES,
        "routes": [{"name": "send", "match": {"path": "/send"}, "upstream": "up", "allow": ["anonymous"]}],
    }
    if database is not None:
        settings["keys"] = {"kek_file": str(kek)}
        settings["transcripts"] = {"database": database, "store": "full", "worker": {"enabled": False},
                                   "legal_hold": {"conversations": [HELD]}}
    return settings


class Audit(logging.Handler):
    """Every `chatguard.audit` record the endpoints write, as the fields they carry."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []

    def emit(self, rec: logging.LogRecord) -> None:
        if getattr(rec, "event", None) == "transcripts.access":
            self.entries.append(dict(vars(rec)))


class Admin:
    def __init__(self, gw: RunningGateway, url: str, client: aiohttp.ClientSession, audit: Audit) -> None:
        self.gw, self.url, self.client, self.audit = gw, url, client, audit

    async def token(self, name: str, roles: set[str], mfa: bool = True) -> str:
        service = self.gw.app[AUTH]
        user = await service.store.add_user(name, await service.passwords.hash("a good long secret"),
                                            frozenset(roles))
        session_id, _ = await service.sessions.start(user.id, mfa)
        return service.issuer.issue(Principal(name, frozenset(roles), mfa=mfa), session_id, {"uid": user.id})

    async def call(self, method: str, path: str, token: str | None = None) -> tuple[int, Any, dict[str, str]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.request(method, f"{self.url}{path}", headers=headers) as resp:
            return resp.status, await resp.json(), dict(resp.headers)


@pytest.fixture
def audit() -> Iterator[Audit]:
    handler = Audit()
    logger = logging.getLogger("chatguard.audit")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def _serve(settings: dict[str, Any], audit: Audit) -> AsyncIterator[Admin]:
    async with run_gateway(settings) as gw:
        async with serve_app(build_admin_app(gw.app)) as url, aiohttp.ClientSession() as client:
            yield Admin(gw, url, client, audit)


@pytest.fixture
async def admin(tmp_path: Path, db_url: str, audit: Audit) -> AsyncIterator[Admin]:
    async for served in _serve(config(tmp_path, db_url), audit):
        store = served.gw.app[TRANSCRIPTS].parts.store
        assert store is not None
        await store.write([
            record("pay with 4111 **** **** 1111", original=f"pay with {CARD}",
                   findings=("card",), masked_types=("card",), verdict="modify", ts=T0),
            record("thanks", subject="agent7", roles=("agent",), direction="outbound", ts=T0 + 1),
            record(None, verdict="block", findings=("prompt_injection",), ts=T0 + 2),
            record("hi", conversation="!other:example.org", subject="bob", route="widget", ts=T0 + 100),
            record("kept", conversation=HELD, subject="alice", ts=T0 + 50),
            record("mine", conversation=SLASHED, subject="carol/x", ts=T0 + 60),
        ])
        yield served


ENDPOINTS = [
    ("GET", "/admin/transcripts/status", "transcripts:read"),
    ("GET", "/admin/transcripts/conversations", "transcripts:read"),
    ("GET", f"/admin/transcripts/conversations/{quote(ROOM)}", "transcripts:read"),
    ("GET", f"/admin/transcripts/conversations/{quote(ROOM)}/export", "transcripts:export"),
    ("GET", "/admin/transcripts/subjects/alice/export", "transcripts:export"),
    ("DELETE", f"/admin/transcripts/conversations/{quote(ROOM)}?dry_run=true", "transcripts:erase"),
    ("DELETE", "/admin/transcripts/subjects/bob?dry_run=true", "transcripts:erase"),
]
HOLDER = {"transcripts:read": "reader", "transcripts:export": "exporter", "transcripts:erase": "eraser"}


@pytest.mark.parametrize(("method", "path", "permission"), ENDPOINTS)
async def test_each_endpoint_needs_its_permission_and_2fa(admin: Admin, method: str, path: str,
                                                          permission: str) -> None:
    assert (await admin.call(method, path))[0] == 401
    others = [role for p, role in HOLDER.items() if p != permission] + ["admin"]
    stranger = await admin.token("stranger", set(others))
    status, body, _ = await admin.call(method, path, stranger)
    assert (status, body) == (403, {"error": "forbidden"})
    no_2fa = await admin.token("hasty", {HOLDER[permission]}, mfa=False)
    assert (await admin.call(method, path, no_2fa))[:2] == (401, {"error": "step-up required"})
    holder = await admin.token("holder", {HOLDER[permission]})
    status, body, _ = await admin.call(method, path, holder)
    assert status == 200, body
    officer = await admin.token("officer", {"officer"})
    assert (await admin.call(method, path, officer))[0] == 200
    outcomes = [(e["subject"], e["outcome"], e["status"], e["permission"]) for e in admin.audit.entries]
    assert outcomes == [(None, "refused", 401, permission), ("stranger", "refused", 403, permission),
                        ("hasty", "refused", 401, permission), ("holder", "ok", 200, permission),
                        ("officer", "ok", 200, permission)]


async def test_search_by_subject_route_finding_and_time(admin: Admin) -> None:
    reader = await admin.token("rita", {"reader"})

    async def found(query: str) -> list[str]:
        status, body, _ = await admin.call("GET", f"/admin/transcripts/conversations?{query}", reader)
        assert status == 200, body
        return [c["conversation"] for c in body["conversations"]]

    assert await found("subject=agent7") == [ROOM]
    assert await found("route=widget") == ["!other:example.org"]
    assert await found("finding=prompt_injection") == [ROOM]
    assert set(await found(f"since={T0 + 55}")) == {"!other:example.org", SLASHED}
    assert await found("until=2030-03-17T17:46:41Z") == [ROOM]   # T0 is 17:46:40
    first = await admin.call("GET", "/admin/transcripts/conversations?limit=2", reader)
    second = await admin.call("GET", f"/admin/transcripts/conversations?limit=2&cursor={quote(first[1]['next'])}",
                              reader)
    assert len(first[1]["conversations"]) == 2 and len(second[1]["conversations"]) == 2
    summary = next(c for c in (await admin.call("GET", "/admin/transcripts/conversations", reader))[1]["conversations"]
                   if c["conversation"] == ROOM)
    assert summary["subjects"] == ["agent7", "alice"] and summary["findings"] == {"card": 1, "prompt_injection": 1}
    assert summary["messages"] == 3 and summary["blocked"] == 1
    search_entry = admin.audit.entries[0]
    assert search_entry["action"] == "search" and search_entry["subject"] == "rita"
    assert search_entry["query"] == {"subject": "agent7"} and search_entry["conversations"] == [ROOM]


@pytest.mark.parametrize("bad", ["since=yesterday", "limit=-1", "cursor=nonsense"])
async def test_bad_parameters_are_400_naming_them(admin: Admin, bad: str) -> None:
    reader = await admin.token("rita", {"reader"})
    status, body, _ = await admin.call("GET", f"/admin/transcripts/conversations?{bad}", reader)
    assert status == 400 and body["error"].startswith(bad.split("=")[0])


async def test_reading_keeps_masks_unless_the_reader_may_unmask(admin: Admin) -> None:
    plain = await admin.token("rita", {"reader"})
    cards = await admin.token("cora", {"card_reader"})
    path = f"/admin/transcripts/conversations/{quote(ROOM)}"
    _, masked, _ = await admin.call("GET", path, plain)
    _, unmasked, _ = await admin.call("GET", path, cards)
    assert [m["text_state"] for m in masked["messages"]] == ["masked", "masked", "blocked"]
    assert CARD not in str(masked) and masked["messages"][2]["text"] is None
    assert unmasked["messages"][0]["text"] == f"pay with {CARD}" and unmasked["messages"][0]["text_state"] == "unmasked"
    entries = [(e["subject"], e["action"], e["conversations"], e["messages"], e["unmasked"]) for e in admin.audit.entries]
    assert entries == [("rita", "read", [ROOM], 3, 0), ("cora", "read", [ROOM], 3, 1)]
    assert (await admin.call("GET", "/admin/transcripts/conversations/nowhere", plain))[0] == 404


async def test_a_conversation_id_with_a_slash_is_one_percent_encoded_segment(admin: Admin) -> None:
    reader = await admin.token("rita", {"reader"})
    status, body, _ = await admin.call("GET", f"/admin/transcripts/conversations/{quote(SLASHED, safe='')}", reader)
    assert status == 200, body
    assert body["conversation"]["conversation"] == SLASHED and body["messages"][0]["text"] == "mine"


async def test_export_one_conversation_and_everything_of_a_subject(admin: Admin) -> None:
    exporter = await admin.token("eve", {"exporter"})
    status, body, headers = await admin.call("GET", f"/admin/transcripts/conversations/{quote(ROOM)}/export",
                                             exporter)
    assert status == 200 and headers["Content-Disposition"].startswith('attachment; filename="transcript-')
    assert body["exported_by"] == "eve" and len(body["messages"]) == 3 and body["archive_errors"] == []
    assert CARD not in str(body)  # exporting is not unmasking
    status, body, _ = await admin.call("GET", "/admin/transcripts/subjects/alice/export", exporter)
    assert status == 200 and body["subject"] == "alice"
    assert sorted(c["conversation"]["conversation"] for c in body["conversations"]) == [HELD, ROOM]
    assert (await admin.call("GET", "/admin/transcripts/subjects/nobody/export", exporter))[0] == 404
    entries = [(e["action"], e.get("target_subject"), sorted(e["conversations"])) for e in admin.audit.entries[:2]]
    assert entries == [("export", None, [ROOM]), ("export", "alice", [HELD, ROOM])]


async def test_erase_by_conversation_and_subject_refused_under_legal_hold(admin: Admin) -> None:
    eraser = await admin.token("ed", {"eraser"})
    reader = await admin.token("rita", {"reader"})
    status, body, _ = await admin.call("DELETE", "/admin/transcripts/subjects/alice", eraser)
    assert (status, body) == (409, {"error": "under legal hold", "held": [f"conversation {HELD}"]})
    assert (await admin.call("GET", f"/admin/transcripts/conversations/{quote(ROOM)}", reader))[0] == 200
    status, body, _ = await admin.call("DELETE", f"/admin/transcripts/conversations/{quote(ROOM)}?dry_run=1", eraser)
    assert body == {"erased": [ROOM], "rows": 3, "archived_rows": 0, "dry_run": True}
    status, body, _ = await admin.call("DELETE", f"/admin/transcripts/conversations/{quote(ROOM)}", eraser)
    assert body == {"erased": [ROOM], "rows": 3, "archived_rows": 0, "dry_run": False}
    assert (await admin.call("GET", f"/admin/transcripts/conversations/{quote(ROOM)}", reader))[0] == 404
    status, body, _ = await admin.call("DELETE", "/admin/transcripts/subjects/bob", eraser)
    assert body["erased"] == ["!other:example.org"]
    assert (await admin.call("DELETE", "/admin/transcripts/conversations/nowhere", eraser))[0] == 404
    erasures = [(e["subject"], e["outcome"], e.get("held"), e.get("dry_run")) for e in admin.audit.entries
                if e["action"] == "erase"]
    assert erasures[:3] == [("ed", "refused", [f"conversation {HELD}"], False), ("ed", "ok", None, True),
                            ("ed", "ok", None, False)]


async def test_without_a_transcript_database(tmp_path: Path, audit: Audit) -> None:
    async for admin in _serve(config(tmp_path, None), audit):
        reader = await admin.token("rita", {"reader"})
        assert (await admin.call("GET", "/admin/transcripts/status", reader))[:2] == (200, {"enabled": False})
        status, body, _ = await admin.call("GET", "/admin/transcripts/conversations", reader)
        assert (status, body) == (404, {"error": "transcripts are not configured"})
