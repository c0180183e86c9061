"""The HTML report opened in headless Chromium: it renders on its own, and a screenshot is kept
under tests/artifacts/ (git-ignored) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gateway.tools.attacksim.test_units import _report

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[4] / "tests" / "artifacts"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")


async def test_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    from gateway.tools.attacksim import html

    page_file = tmp_path / "report.html"
    previous = _report({"path.spellings.agent": "held", "inject.widget": "held", "ws.origin.live": "failed"})
    page_file.write_text(html.render(_report(
        {"path.spellings.agent": "held", "inject.widget": "failed", "ws.origin.live": "held",
         "totp.replay": "skipped", "g": "held"}, previous)))
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            await page.goto(page_file.as_uri())
            assert await page.locator("h1").inner_text() == "chatguard attack simulation"
            assert await page.locator("tr.row-failed").count() == 1
            assert "Newly failed: inject.widget" in await page.inner_text("body")
            await page.screenshot(path=str(ARTIFACTS / "attack-sim-report.png"), full_page=True)
        finally:
            await browser.close()
    assert requests == [page_file.as_uri()]  # nothing fetched but the page itself
