"""The sign-in pages in a real browser: headless Debian Chromium through the running gateway.

A user signs in, enrols TOTP by reading the key shown on the page, types a code computed
from it, reaches a backend page through the session cookie and signs out; a wrong code, a
forged cross-site form and an off-site return path are refused. The pages carry the strict
gateway CSP, so a page that needed inline script or style would visibly break here.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pyotp
import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from tests.e2e.test_auth_gateway import add_user, config
from tests.helpers import run_gateway, serve_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"  # noqa: S105
GATEWAY_URL = web.AppKey("gateway_url", str)
SCREENSHOT = Path("/tmp/chatguard-enrol-page.png")  # noqa: S108  (for a human to look at; not kept)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")


async def chat_page(request: web.Request) -> web.Response:
    """The chat app behind the gateway; it knows nothing about chatguard's sign-in."""
    return web.Response(text='<!doctype html><title>chat</title><h1 id="welcome">Chat app</h1>'
                             '<a id="logout" href="/auth/page/logout">Sign out</a>', content_type="text/html")


def forged_form(gateway: str) -> str:
    """Another site's page posting a login form to the gateway (login CSRF), without a token."""
    return (f'<!doctype html><form method="post" action="{gateway}/auth/page/login">'
            '<input name="username" value="mallory"><input name="password" value="mallory-password">'
            '<button id="go" type="submit">go</button></form>')


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/app/{tail:.*}", chat_page)
    async with serve_app(app) as url:
        yield url


def other_code(secret: str) -> str:
    """A well-formed code that is not valid at any step the gateway accepts now."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + 30 * step) for step in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


async def test_sign_in_enrol_use_the_app_and_sign_out_in_chromium(tmp_path: Path, backend: str) -> None:
    cfg = config(tmp_path, backend)
    cfg["auth"]["totp"]["required_roles"] = ["agent"]
    cfg["routes"].append({"name": "app", "match": {"path": "/app/{rest:path}"}, "upstream": "up",
                          "allow": ["agent"]})

    async def forged(request: web.Request) -> web.Response:
        return web.Response(text=forged_form(request.app[GATEWAY_URL]), content_type="text/html")

    evil = web.Application()
    evil.router.add_get("/", forged)
    async with run_gateway(cfg) as gw, async_playwright() as pw:
        evil[GATEWAY_URL] = gw.url
        await add_user(gw, "ann", PASSWORD, {"agent"})
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context()
            page = await context.new_page()
            page.set_default_timeout(15_000)
            violations: list[str] = []
            page.on("console", lambda msg: violations.append(msg.text)
                    if "Content Security Policy" in msg.text else None)

            # password step, then enrolment with the key read off the page
            response = await page.goto(f"{gw.url}/auth/page/login?next=/app/home")
            assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
            await page.fill("#username", "ann")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/auth/page/enrol?next=/app/home")
            secret = (await page.inner_text("#secret")).replace(" ", "")
            assert await page.eval_on_selector("img", "i => i.complete && i.naturalWidth > 0")  # data: QR shown
            assert await page.eval_on_selector("main", "m => getComputedStyle(m).borderRadius") == "12px"  # CSS
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
            await page.fill("#code", pyotp.TOTP(secret).now())
            await page.click("button[type=submit]")
            assert len(await page.query_selector_all("#recovery-codes li")) == 10
            await page.click("#continue")
            await page.wait_for_url(f"{gw.url}/app/home")
            assert await page.inner_text("#welcome") == "Chat app"
            session = {c["name"]: c for c in await context.cookies()}["chatguard_session"]
            assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/"

            # sign out from the app; the cookie no longer opens it
            await page.click("#logout")
            await page.click("button[type=submit]")
            await page.wait_for_url("**/auth/page/login?out=1")
            assert "signed out" in await page.inner_text("#info")
            assert (await page.goto(f"{gw.url}/app/home")).status == 401  # type: ignore[union-attr]

            # a wrong code starts over; an off-site return path lands on the gateway's own root
            await page.goto(f"{gw.url}/auth/page/login?next=//evil.example/steal")
            await page.fill("#username", "ann")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/auth/page/mfa")
            await page.fill("#code", other_code(secret))
            await page.click("button[type=submit]")
            assert "Please sign in again" in await page.inner_text("#error")
            await page.fill("#username", "ann")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url("**/auth/page/mfa")
            await page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # the enrolment code is spent
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{gw.url}/")
            assert "chatguard_session" in {c["name"] for c in await context.cookies()}

            # another site's form posting to the gateway is refused, and signs nobody in
            await context.clear_cookies()
            async with serve_app(evil) as evil_url:
                await page.goto(evil_url.replace("127.0.0.1", "localhost") + "/")
                await page.click("#go")
                await page.wait_for_url(f"{gw.url}/auth/page/login")
                assert "did not come from this site" in await page.inner_text("#error")
            assert "chatguard_session" not in {c["name"] for c in await context.cookies()}
            assert violations == []
        finally:
            await browser.close()
