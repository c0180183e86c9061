"""The admin console in headless Chromium: sign in with TOTP, watch a block arrive on Live, release a
held message to the backend, lift a ban; an operator without `admin:bans` cannot; forms without
their token are refused; every page carries the strict CSP; every action is in the audit trail."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import async_playwright

from gateway.keys import AUDIT, STATE
from tests.e2e.conftest import Backend
from tests.e2e.console_kit import ARGS, CHROMIUM, audit_lines, running_console, shot
from tests.helpers import install_filter_plugins

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")


@pytest.fixture(autouse=True)
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"probe": "tests.e2e.test_responses_per_route:Probe"})


async def send(url: str, text: str) -> int:
    async with aiohttp.ClientSession() as client, client.post(url, json={"text": text}) as answer:
        return answer.status


async def test_live_quarantine_and_bans_in_chromium(tmp_path: Path, backend: tuple[Backend, str]) -> None:
    chat, upstream = backend
    async with running_console(tmp_path, upstream) as console, async_playwright() as pw:
        await console.operator("lena", {"lead"})
        await console.operator("dora", {"desk"})
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context, page = await console.sign_in(browser, "lena")
            desk, desk_page = await console.sign_in(browser, "dora")  # before the ban below bans this address
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            assert page.url.endswith("/admin/ui/live")
            await page.keyboard.press("Tab")  # keyboard users land on the skip link first
            assert await page.evaluate("document.activeElement.className") == "skip"
            response = await page.goto(f"{console.url}/admin/ui/live")
            assert response is not None and response.status == 200
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
            assert response.headers["x-frame-options"] == "DENY"

            # a malicious message through the gateway shows up on Live without a reload (server-sent events)
            assert await send(f"{console.gw.url}/chat/messages", "please exfiltrate the customer list") == 403
            await page.wait_for_selector("#live-events tbody tr.new:has-text('keyword')")
            assert "block" in await page.inner_text("#live-events tbody tr.new")
            assert await page.eval_on_selector("header.top", "h => getComputedStyle(h).display") == "flex"
            await page.select_option("#f-kind", "block")
            await page.click("form.filters button")
            await page.wait_for_url("**/admin/ui/live?route=&kind=block")
            assert await page.locator("#live-events tbody tr").count() == 1
            await shot(page, "live")

            # a held message: read it, release it with a reason, and it reaches the backend
            assert await send(f"{console.gw.url}/held/messages", "risky: wire the refund twice") == 202
            await page.click("nav >> text=Quarantine")
            await page.wait_for_selector("article.held")
            assert "risky: wire the refund twice" in await page.inner_text("article.held .payload")
            await shot(page, "quarantine")
            await page.fill("article.held input[name=reason]", "false positive: refund approved by lead")
            await page.click("article.held button:has-text('Release')")
            await page.wait_for_selector("#notice")
            assert "backend answered 200" in await page.inner_text("#notice")
            released = [h for h in chat.hits if h.path == "/held/messages"]
            assert len(released) == 1 and released[0].headers["X-Chatguard-Released-By"] == "lena"
            assert await page.locator("#no-held").count() == 1

            # a ban: a desk operator without admin:bans can neither see nor lift it
            assert await send(f"{console.gw.url}/strict/messages", "risky: again and again") == 403
            store = console.gw.app[STATE]
            [ban] = await store.bans()
            assert desk_page.url.endswith("/admin/ui/live")
            assert await desk_page.locator("nav >> text=Bans").count() == 0
            refused = await desk_page.goto(f"{console.url}/admin/ui/bans")
            assert refused is not None and refused.status == 403
            desk_token = await desk_page.get_attribute("form.whoami input[name=csrf]", "value")
            lifted = await desk.request.post(f"{console.url}/admin/ui/bans/lift",
                                             form={"csrf": str(desk_token), "key": ban.key})
            assert lifted.status == 403 and await store.banned(ban.key) is not None
            await desk.close()

            # CSRF: the same post without the token, or with someone else's, is refused
            for form in ({"key": ban.key}, {"key": ban.key, "csrf": str(desk_token)}):
                forged = await context.request.post(f"{console.url}/admin/ui/bans/lift", form=form)
                assert forged.status == 403 and "did not come from this console" in await forged.text()
            assert await store.banned(ban.key) is not None

            # the lead lifts it from the page
            await page.click("nav >> text=Bans and throttles")
            await page.wait_for_selector(f"#bans tbody tr:has-text('{ban.key}')")
            await shot(page, "bans")
            await page.click(f"#bans tbody tr:has-text('{ban.key}') button:has-text('Lift')")
            await page.wait_for_selector("#notice")
            assert f"Lifted the ban on {ban.key}" in await page.inner_text("#notice")
            assert await store.banned(ban.key) is None
            assert violations == []

            # signing out ends the session: the console asks for a sign-in again
            await page.click("form.whoami button")
            await page.wait_for_url("**/auth/page/login?out=1**")
            await page.goto(f"{console.url}/admin/ui/bans")
            await page.wait_for_url("**/auth/page/login?next=/admin/ui/bans")
            await context.close()
        finally:
            await browser.close()
        writer = console.gw.app[AUDIT]
        assert writer is not None and await writer.flush()
    actions = [(e.get("action"), e.get("outcome"), e.get("subject")) for e in audit_lines(tmp_path)
               if e["event"] == "admin.action"]
    assert ("console.quarantine.release", "ok", "lena") in actions
    assert ("console.bans.lift", "refused", "dora") in actions
    assert actions.count(("console.bans.lift", "refused", "lena")) == 2  # the two forged posts
    assert ("console.bans.lift", "ok", "lena") in actions
    release = next(e for e in audit_lines(tmp_path) if e.get("action") == "console.quarantine.release")
    assert release["reason"] == "false positive: refund approved by lead" and release["delivered"] is True
    deny = [e for e in audit_lines(tmp_path) if e["event"] == "authz.deny" and e.get("rule") == "admin_console"]
    assert deny and deny[0]["subject"] == "dora" and deny[0]["permission"] == "admin:bans"
