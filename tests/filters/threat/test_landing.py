"""Landing pages on hosts where anyone publishes in a minute: each kind of host and each page shape, both ways."""

from __future__ import annotations

import pytest

from filters.threat.feeds import DomainList
from filters.threat.hosts import parse_host
from filters.threat.landing import LANDING_FLOOR, host_kind, landing_page
from filters.threat.linkdata import FREE_HOSTING
from filters.threat.links import Link, judge

NONE = DomainList()


def _judged(url: str) -> tuple[float, tuple[str, ...]]:
    verdict = judge(Link(0, len(url), url), NONE, NONE)
    return verdict.score, verdict.reasons


def _kind(name: str) -> str:
    return host_kind(parse_host(name, FREE_HOSTING).platform, name)


@pytest.mark.parametrize(("name", "kind"), [
    ("quiet-river-42.trycloudflare.com", "tunnel"),
    ("3f2a-198-51-100-7.ngrok-free.app", "tunnel"),
    ("brave-fox.loca.lt", "tunnel"),
    ("myhome.ddns.net", "dynamic-dns"),
    ("nas.duckdns.org", "dynamic-dns"),
    ("cam.mooo.com", "dynamic-dns"),
    ("bucket.s3.amazonaws.com", "storage"),
    ("bucket.s3.eu-west-1.amazonaws.com", "storage"),
    ("s3.eu-west-1.amazonaws.com", "storage"),
    ("storage.googleapis.com", "storage"),
    ("pub-0a1b2c.r2.dev", "storage"),
    ("acct.blob.core.windows.net", "storage"),
    ("space.nyc3.digitaloceanspaces.com", "storage"),
    ("team.netlify.app", "free-host"),
    ("someone.tilda.ws", "free-host"),
    ("page.byethost7.com", "free-host"),
    ("example.com", ""),
    ("docs.python.org", ""),
    ("mail.google.com", ""),
])
def test_host_kinds(name: str, kind: str) -> None:
    assert _kind(name) == kind


@pytest.mark.parametrize(("kind", "path"), [
    ("free-host", "/login.html"),
    ("free-host", "/secure-login.php"),
    ("free-host", "/wallet/index.html"),
    ("free-host", "/my-account/verify.htm"),
    ("free-host", "/?email=anna@mail.example"),
    ("free-host", "/index.html#anna%40mail.example"),
    ("storage", "/bucket/index.html"),
    ("storage", "/invoice.htm"),
    ("tunnel", "/index.php"),
    ("tunnel", "/login"),
    ("dynamic-dns", "/webmail/index.php"),
])
def test_landing_shapes(kind: str, path: str) -> None:
    assert landing_page(kind, path, "example.app")


@pytest.mark.parametrize(("kind", "path"), [
    ("free-host", "/"),
    ("free-host", "/login"),  # an application's route: no file
    ("free-host", "/docs/security.html"),  # documentation names pages for topics
    ("free-host", "/en/latest/authentication.html"),
    ("free-host", "/blog/2024/05/notes.html"),
    ("free-host", "/update.html"),
    ("free-host", "/?email=team@example.app"),  # the site's own address
    ("storage", "/bucket/report.pdf"),
    ("storage", "/bucket/logo.png"),
    ("tunnel", "/"),
    ("tunnel", "/api/webhook"),
    ("dynamic-dns", "/"),
    ("", "/login.html"),  # a site of its own: not read here
])
def test_not_landing_shapes(kind: str, path: str) -> None:
    assert not landing_page(kind, path, "example.app")


@pytest.mark.parametrize("url", [
    "https://quiet-river-42.trycloudflare.com/index.html",
    "https://pub-0a1b2c3d.r2.dev/statement.html",
    "https://storage.googleapis.com/some-bucket/view.html",
    "https://bucket.s3.eu-west-1.amazonaws.com/doc.htm",
    "https://team-notes.pages.dev/login.html",
    "http://myhome.ddns.net/portal/index.php",
    "https://gleaming-site.web.app/?email=anna@mail.example",
])
def test_landing_page_is_an_alert_at_least(url: str) -> None:
    score, reasons = _judged(url)
    assert score >= LANDING_FLOOR
    assert any(reason.startswith("landing-page:") for reason in reasons)


@pytest.mark.parametrize("url", [
    "https://quiet-river-42.trycloudflare.com/",
    "https://pub-0a1b2c3d.r2.dev/report.pdf",
    "https://storage.googleapis.com/some-bucket/data.csv",
    "https://team-notes.pages.dev/docs/security.html",
    "https://team-notes.pages.dev/login",
    "https://deploy-preview-42--team-notes.netlify.app/login.html",  # a deploy preview the platform named
    "https://example.com/login.html",  # a site of its own: judged by its other signs
    "http://myhome.ddns.net/",
])
def test_not_landing_page(url: str) -> None:
    _, reasons = _judged(url)
    assert not any(reason.startswith("landing-page:") for reason in reasons)


def test_floor_keeps_a_higher_score() -> None:
    """A floor, not a weight: a landing page that other signs make a block stays a block."""
    score, reasons = _judged("https://paypal-secure.pages.dev/login.html")
    assert score >= 0.8 and "landing-page:free-host" in reasons


@pytest.mark.parametrize("url", [
    "https://3f2a-203-0-113-7.ngrok-free.app/api/webhook",  # a tunnel's name is handed out per run
    "https://a1b2c3d4.trycloudflare.com/docs",
    "https://pub-0a1b2c3d4e5f6a7b.r2.dev/builds/app-latest.zip",  # the bucket's generated name
    "https://s3.eu-west-1.amazonaws.com/team-data/report.pdf",  # the provider's regional endpoint
    "http://anna-home.ddns.net:8123/",  # a home server: the host alone is weak
    "https://casa-cloud.hopto.org/photos/",
])
def test_machine_and_platform_names_alone_pass(url: str) -> None:
    score, reasons = _judged(url)
    assert score < LANDING_FLOOR, reasons


@pytest.mark.parametrize(("url", "reason"), [
    ("https://a1b2c3d4.trycloudflare.com/", "tunnel:trycloudflare.com"),
    ("http://anna-home.ddns.net/", "dynamic-dns:ddns.net"),
    ("https://team.netlify.app/", "free-hosting:netlify.app"),
])
def test_machine_hosts_named(url: str, reason: str) -> None:
    assert reason in _judged(url)[1]


def test_platform_named_keeps_lure_words() -> None:
    """A bucket's or tunnel's shape is the platform's, but what its tenant wrote in it still counts."""
    _, reasons = _judged("https://secure-account-verify.s3.amazonaws.com/")
    assert any(reason.startswith(("lure-name", "keywords")) for reason in reasons)


def test_hostile_shapes_stay_bounded() -> None:
    """The readings split the path once and read each segment's first 24 letters: a path of thousands of sign-in
    segments, an address repeated in the query and a name of many address-like labels are judged like any other (the path past `links.MAX_PATH` unread)."""
    path = "/login" * 400 + ".html?" + "&".join(["e=anna%40mail.example"] * 300)
    assert landing_page("free-host", path, "example.app")
    score, reasons = _judged("https://" + ".".join(["1-2-3-4"] * 20) + ".r2.dev" + path)
    assert score >= LANDING_FLOOR and "landing-page:storage" in reasons
    assert host_kind("a." * 120 + "digitaloceanspaces.com", "x") == "storage"


@pytest.mark.parametrize("url", [
    "https://someone.github.io/cli-tool/commands/login.html",
    "https://someone.github.io/web-kit/authentication.html",
    "https://anna.gitlab.io/docs/guide/login.html",
])
def test_project_documentation_on_code_pages_passes(url: str) -> None:
    """A topic page inside a project's folder on GitHub or GitLab Pages is documentation, not a kit's page."""
    score, reasons = _judged(url)
    assert score < LANDING_FLOOR, reasons
    assert "kit-path" not in reasons


@pytest.mark.parametrize("url", [
    "https://someone.github.io/login.html",  # at the account's root
    "https://someone.github.io/paypal/login.html",  # a brand's folder
    "https://someone.github.io/site/login.php",  # a script
    "https://someone.github.io/site/login.html?email=anna@mail.example",  # a page carrying a reader's address
    "https://team-notes.pages.dev/site/login.html",  # not a code platform's pages
])
def test_kit_pages_on_code_pages_still_alert(url: str) -> None:
    score, reasons = _judged(url)
    assert score >= LANDING_FLOOR, reasons
