"""The console's Sessions, Users, Policy and Audit pages in headless Chromium: see an agent's open
WebSocket and revoke their session (the socket closes), add, disable and re-role users and reset 2FA,
explain a request, search the audit trail and verify its chain; each action is audited by name."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import orjson
import pytest
from playwright.async_api import async_playwright

from gateway.auth import AUTH
from gateway.keys import AUDIT, TRANSCRIPTS
from gateway.transcripts.queries import Search
from tests.e2e.conftest import Backend
from tests.e2e.console_kit import ARGS, CHROMIUM, PASSWORD, audit_lines, running_console, shot
from tests.helpers import install_filter_plugins

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")


@pytest.fixture(autouse=True)
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"probe": "tests.e2e.test_responses_per_route:Probe"})


async def test_sessions_users_policy_and_audit_in_chromium(tmp_path: Path, backend: tuple[Backend, str]) -> None:
    _, upstream = backend
    async with running_console(tmp_path, upstream) as console, async_playwright() as pw, \
            aiohttp.ClientSession() as client:
        await console.operator("lena", {"lead"})
        await console.operator("dora", {"desk"})
        service = console.gw.app[AUTH]
        await service.store.add_user("ann", await service.passwords.hash(PASSWORD), frozenset({"agent"}))
        async with client.post(f"{console.gw.url}/auth/login", json={"username": "ann", "password": PASSWORD}) as r:
            token = (await r.json())["access_token"]
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context, page = await console.sign_in(browser, "lena")
            async with client.ws_connect(f"{console.gw.url}/ws?access_token={token}") as ws:
                # Sessions: ann's WebSocket is listed; ending her sessions closes it
                await page.goto(f"{console.url}/admin/ui/sessions")
                ann_row = page.locator("#per-user tbody tr", has_text="ann")
                assert (await ann_row.locator("td").nth(1).inner_text()) == "1"
                await shot(page, "sessions")
                await ann_row.locator("button", has_text="End all sessions").click()
                await page.wait_for_selector("#notice")
                assert "Ended every session of ann" in await page.inner_text("#notice")
                closing = await ws.receive(timeout=15)
                assert closing.type is aiohttp.WSMsgType.CLOSE

            # Users: add one, change roles, disable; reset another's 2FA
            await page.click("nav >> text=Users")
            await page.fill("#new-username", "newbie")
            await page.fill("#new-password", "a fresh passphrase")
            await page.fill("#new-roles", "agent")
            await page.click("form[action$='/users/add'] button")
            assert "Added newbie with roles agent" in await page.inner_text("#notice")
            row = page.locator("#users tbody tr", has_text="newbie")
            await row.locator("input[name=roles]").fill("agent, admin")
            await row.locator("button", has_text="Set roles").click()
            assert "newbie now has roles admin, agent" in await page.inner_text("#notice")
            await page.locator("#users tbody tr", has_text="newbie").locator("button", has_text="Disable").click()
            assert "Disabled newbie" in await page.inner_text("#notice")
            dora = page.locator("#users tbody tr", has_text="dora")
            assert (await dora.locator("td").nth(3).inner_text()) == "on"
            await dora.locator("button", has_text="Reset 2FA").click()
            assert "Reset two-factor sign-in of dora" in await page.inner_text("#notice")
            assert (await page.locator("#users tbody tr", has_text="dora").locator("td").nth(3).inner_text()) == "off"
            user = await service.store.get_user("newbie")
            assert user is not None and user.disabled and user.roles == {"agent", "admin"}
            await shot(page, "users")
            await page.locator("#users tbody tr", has_text="lena").locator("button", has_text="Disable").click()
            assert "another administrator" in await page.inner_text("#notice")  # not yourself

            # Policy: the routes and roles, and explain with the gateway's own answer
            await page.click("nav >> text=Policy")
            assert await page.locator("#routes tbody tr", has_text="/agents/{rest:path}").count() == 1
            await page.fill("#x-roles", "agent")
            await page.fill("#x-path", "/agents/queue")
            await page.click("form[action$='/policy/explain'] button[type=submit]")
            assert "ALLOW" in await page.inner_text("#explain-result")
            assert "route: agents" in await page.inner_text("#explain-result")
            await page.fill("#x-roles", "")
            await page.click("form[action$='/policy/explain'] button[type=submit]")
            assert "DENY 401" in await page.inner_text("#explain-result")
            await shot(page, "policy")

            # Transcripts: a masked message sent through the gateway is found, read masked, exported, erased
            async with client.post(f"{console.gw.url}/chat/messages",
                                   json={"text": "my card is 4111 1111 1111 1111"}) as sent:
                assert sent.status == 200
            transcripts = console.gw.app[TRANSCRIPTS].access
            for _ in range(200):
                if (await transcripts.search(Search()))["conversations"]:
                    break
                await asyncio.sleep(0.05)
            await page.click("nav >> text=Transcripts")
            await page.fill("#t-finding", "card")
            await page.click("form.filters button")
            await page.click("#conversations tbody tr a")
            text = await page.inner_text("#messages tbody tr")
            assert "my card is" in text and "4111 1111 1111 1111" not in text and "masked" in text
            await shot(page, "transcripts")
            async with page.expect_download() as download:
                await page.click("text=Export (JSON)")
            exported = orjson.loads(Path(await (await download.value).path()).read_bytes())
            assert exported["exported_by"] == "lena" and len(exported["messages"]) == 1
            await page.check("form.erase input[name=confirm]")
            await page.click("form.erase button")
            assert "Erased conversation" in await page.inner_text("#notice")

            # Audit: search for this operator's actions, then verify the chain
            await page.click("nav >> text=Audit")
            await page.fill("#q-event", "admin.action")
            await page.fill("#q-subject", "lena")
            await page.click("form.filters button")
            assert await page.locator("#audit tbody tr", has_text="console.users.add").count() == 1
            await page.click("#verify")
            assert (await page.inner_text("#verify-result")).startswith("Intact:")
            await shot(page, "audit")

            # Reports: the review of the config file this gateway runs, with its chart
            await page.click("nav >> text=Reports")
            assert await page.locator("#chart-severity rect").count() == 5
            assert await page.locator("#findings tbody tr", has_text="tls-off").count() == 1
            failed = page.locator("#sim-probes tbody tr").first  # failures first
            assert "injection.chat" in await failed.inner_text() and "failed" in await failed.inner_text()
            assert await page.locator("#chart-sim rect").count() == 3
            await shot(page, "reports")
            await context.close()
        finally:
            await browser.close()
        writer = console.gw.app[AUDIT]
        assert writer is not None and await writer.flush()
    actions = {(e.get("action"), e.get("outcome")) for e in audit_lines(tmp_path)
               if e["event"] == "admin.action" and e.get("subject") == "lena"}
    for done in ("sessions.revoke-user", "users.add", "users.roles", "users.disable", "users.reset-2fa",
                 "policy.explain", "audit.verify"):
        assert (f"console.{done}", "ok") in actions, done
    assert ("console.users.disable", "refused") in actions
    assert ("console.transcripts.erase", "ok") in actions
    reads = {e["action"] for e in audit_lines(tmp_path) if e["event"] == "transcripts.access"
             and e.get("subject") == "lena" and e.get("via") == "console"}
    assert reads == {"search", "read", "export", "erase"}
    explained = [e for e in audit_lines(tmp_path) if e.get("action") == "console.policy.explain"]
    assert [e["allowed"] for e in explained] == [True, False] and explained[0]["asked"]["path"] == "/agents/queue"
