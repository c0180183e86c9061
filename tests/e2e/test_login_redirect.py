"""`login_redirect: true`: a browser asking for a protected page is sent to the login page and back
(real Chromium); scripts keep getting the 401 JSON answer; a route without it never redirects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.test_auth_gateway import add_user, config
from tests.e2e.test_auth_pages import ARGS, CHROMIUM, PASSWORD, chat_page
from tests.helpers import RunningGateway, run_gateway, serve_app


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[RunningGateway]:
    app = web.Application()
    app.router.add_get("/app/{tail:.*}", chat_page)
    app.router.add_get("/plain/{tail:.*}", chat_page)
    async with serve_app(app) as backend:
        cfg = config(tmp_path, backend)
        cfg["routes"] += [
            {"name": "app", "match": {"path": "/app/{rest:path}"}, "upstream": "up", "allow": ["agent"],
             "login_redirect": True},
            {"name": "plain", "match": {"path": "/plain/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
        ]
        async with run_gateway(cfg) as gw:
            await add_user(gw, "ann", PASSWORD, {"agent"})
            yield gw


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
async def test_a_browser_is_sent_to_login_and_back(gateway: RunningGateway) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{gateway.url}/app/rooms/lobby?tab=unread")
            await page.wait_for_url("**/auth/page/login?next=/app/rooms/lobby%3Ftab%3Dunread")
            await page.fill("#username", "ann")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{gateway.url}/app/rooms/lobby?tab=unread")
            assert await page.inner_text("#welcome") == "Chat app"
        finally:
            await browser.close()


@pytest.mark.parametrize(("method", "path", "accept", "status"), [
    ("GET", "/app/home", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", 303),
    ("HEAD", "/app/home", "text/html", 303),
    ("GET", "/app/home", "application/json", 401),           # fetch/XHR asking for data
    ("GET", "/app/home", "*/*", 401),                         # curl
    ("POST", "/app/home", "text/html", 401),                  # a form post is not a page view
    ("GET", "/plain/home", "text/html", 401),                 # the route did not opt in
])
async def test_only_browsers_asking_for_pages_are_redirected(gateway: RunningGateway, method: str, path: str,
                                                             accept: str, status: int) -> None:
    async with aiohttp.ClientSession() as client, client.request(
            method, f"{gateway.url}{path}", headers={"Accept": accept}, allow_redirects=False) as resp:
        assert resp.status == status
        if status == 303:
            assert resp.headers["Location"] == "/auth/page/login?next=/app/home"
        elif method != "HEAD":
            assert (await resp.json())["error"]


@pytest.mark.parametrize("target", [b"//evil.example/app/x", b"/app/..//evil.example/x", b"/app/%2F%2Fevil.example"])
async def test_an_off_site_path_never_becomes_the_return_address(gateway: RunningGateway, target: bytes) -> None:
    """Raw request targets that a browser would read as another site: refused by the path guard or sent
    to the login page with a same-origin `next`, never with the other site."""
    host, port = gateway.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n")
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
    writer.close()
    status = int(head.split(" ", 2)[1])
    location = next((line.split(":", 1)[1].strip() for line in head.split("\r\n")
                     if line.lower().startswith("location:")), "")
    assert status in (303, 400, 401, 404)
    if status == 303:
        wanted = unquote(location.removeprefix("/auth/page/login?next="))
        assert location.startswith("/auth/page/login") and not wanted.startswith("//") and "evil" not in wanted[:2]
