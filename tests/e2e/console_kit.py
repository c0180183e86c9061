"""A gateway with its admin listener and console, operators enrolled for TOTP, and a Chromium to drive it.

Shared by the console's browser tests. Debian's Chromium runs headless through Playwright's
`executable_path` (nothing is downloaded); screenshots go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyotp
import yaml
from playwright.async_api import Browser, BrowserContext, Page

from filters import Principal
from gateway.admin.app import build_admin_app
from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from tests.e2e.test_audit_gateway import keys
from tests.helpers import RunningGateway, run_gateway, serve_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "a long operator passphrase"  # noqa: S105
FIELDS = {"inbound": {"json": ["/text"]}}
ROLES = {
    "agent": {},
    "admin": {},
    "lead": {"inherits": ["admin"], "permissions": ["admin:*", "transcripts:*"]},
    "desk": {"inherits": ["admin"], "permissions": ["admin:live", "admin:quarantine"]},
}


SIM_REPORT = {  # what `chatguard attack-sim --json` writes (chatguard-attack-sim/1), shortened
    "format": "chatguard-attack-sim/1", "target": "https://127.0.0.1:8443", "config": "chatguard.yaml",
    "started_at": "2026-12-06T11:00:00Z", "finished_at": "2026-12-06T11:00:42Z", "duration_s": 42.1,
    "summary": {"total": 3, "held": 2, "failed": 1, "skipped": 0},
    "routes": [{"route": "chat", "total": 2, "held": 1, "failed": 1, "skipped": 0},
               {"route": "(gateway)", "total": 1, "held": 1, "failed": 0, "skipped": 0}],
    "probes": [{"id": "path.encoded-slash.chat", "category": "path", "route": "chat", "severity": "high",
                "title": "Encoded slash refused", "outcome": "held", "evidence": "GET /chat%2f.. -> 400",
                "reason": "", "duration_ms": 5},
               {"id": "injection.chat", "category": "injection", "route": "chat", "severity": "high",
                "title": "Prompt injection blocked", "outcome": "failed", "evidence": "POST /chat/messages -> 200",
                "reason": "", "duration_ms": 9},
               {"id": "jwt.alg-none", "category": "jwt", "route": None, "severity": "critical",
                "title": "Token with alg none is refused", "outcome": "held", "evidence": "-> 401",
                "reason": "", "duration_ms": 4}],
    "trend": None,
}


def bands(*actions: str) -> dict[str, Any]:
    return {"bands": [{"min_score": 0.6, "actions": list(actions)}]}


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    signing = tmp_path / "signing.pem"
    signing.write_bytes(generate_pem("EdDSA"))
    audit_key, _ = keys(tmp_path)
    kek = tmp_path / "kek"
    kek.write_text(os.urandom(32).hex())
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "attack-sim.json").write_bytes(orjson.dumps(SIM_REPORT))
    return {
        "attacksim_report": str(reports / "attack-sim.json"),
        "upstreams": {"up": {"url": upstream}},
        "logging": {"access_log": False},
        "auth": {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(signing)]},
                 "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode(), "required_roles": ["admin"]},
                 "argon2_time_cost": 1, "argon2_memory_kib": 1024},
        "audit": {"path": str(tmp_path / "audit.jsonl"), "signing_key_file": str(audit_key), "fsync": False},
        "roles": ROLES,
        "keys": {"kek_file": str(kek)},
        "transcripts": {"database": f"sqlite:///{tmp_path / 'transcripts.db'}", "store": "full",
                        "worker": {"enabled": False}},
        "filters": {"words": {"use": "keyword", "options": {"words": ["exfiltrate"]}}, "probe": {"use": "probe"},
                    "mask": {"use": "masking", "options": {"detect": ["card"]}}},
        "routes": [
            {"name": "chat", "match": {"path": "/chat/messages"}, "upstream": "up", "allow": ["anonymous"],
             "messages": FIELDS, "filters": ["mask", "words"]},
            {"name": "held", "match": {"path": "/held/messages"}, "upstream": "up", "allow": ["anonymous"],
             "messages": FIELDS, "filters": ["probe"], "responses": bands("quarantine")},
            {"name": "strict", "match": {"path": "/strict/messages"}, "upstream": "up", "allow": ["anonymous"],
             "messages": FIELDS, "filters": ["probe"], "responses": bands("ban")},
            {"name": "agents", "match": {"path": "/agents/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
            {"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]},
        ],
    }


@dataclass
class Console:
    gw: RunningGateway
    url: str
    secrets: dict[str, str] = field(default_factory=dict)

    async def operator(self, name: str, roles: set[str]) -> str:
        """A stored user with TOTP confirmed; returns the TOTP secret."""
        service = self.gw.app[AUTH]
        await service.store.add_user(name, await service.passwords.hash(PASSWORD), frozenset(roles))
        started = await service.enrol(Principal(name, frozenset(roles)), None)
        secret = str(started["otpauth_uri"]).split("secret=")[1].split("&")[0]
        await service.confirm(Principal(name, frozenset(roles)), None, pyotp.TOTP(secret).now(), "127.0.0.1")
        self.secrets[name] = secret
        return secret

    async def sign_in(self, browser: Browser, name: str) -> tuple[BrowserContext, Page]:
        """A fresh browser context signed in as `name` through the login and TOTP pages."""
        context = await browser.new_context(viewport={"width": 1366, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(20_000)
        await page.goto(f"{self.url}/admin/ui/")
        await page.wait_for_url("**/auth/page/login?next=/admin/ui/")
        await page.fill("#username", name)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url("**/auth/page/mfa**")
        await page.fill("#code", pyotp.TOTP(self.secrets[name]).at(time.time() + 30))  # now() was spent enrolling
        await page.click("button[type=submit]")
        await page.wait_for_url("**/admin/ui/*")
        return context, page


@asynccontextmanager
async def running_console(tmp_path: Path, upstream: str) -> AsyncIterator[Console]:
    settings = config(tmp_path, upstream)
    source = tmp_path / "chatguard.yaml"  # the file Reports reviews, as `chatguard audit-config` would
    source.write_text(yaml.safe_dump(settings))
    async with run_gateway(settings, source=str(source)) as gw:
        async with serve_app(build_admin_app(gw.app)) as url:
            yield Console(gw, url)


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def audit_lines(tmp_path: Path) -> list[dict[str, Any]]:
    import orjson

    return [orjson.loads(line) for line in (tmp_path / "audit.jsonl").read_bytes().splitlines() if line]
