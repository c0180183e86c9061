"""Ordinary links people paste into chat (tests/data/ordinary_urls.txt) are rarely flagged."""

from __future__ import annotations

from pathlib import Path

from benchmarks.threat import realurls
from filters.threat import ThreatFilter

URLS = Path(__file__).resolve().parents[2] / "data" / "ordinary_urls.txt"


def _urls() -> list[str]:
    lines = URLS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_at_most_two_percent_of_ordinary_links_raise_an_alert() -> None:
    threat = ThreatFilter()
    flagged = [url for url in _urls() if threat.detector.analyse(url).scores.get("link", 0.0) >= 0.5]
    assert len(flagged) <= 0.02 * len(_urls()), flagged


def test_no_ordinary_link_is_blocked() -> None:
    threat = ThreatFilter()
    assert [url for url in _urls() if threat.decide(url).blocked] == []


def test_organisations_sites_and_their_bare_names_are_rarely_flagged() -> None:
    urls = realurls.organisations()
    threat = ThreatFilter()
    for links in (urls, realurls.bare_hosts(urls)):
        flagged = [url for url in links if threat.detector.analyse(url).scores.get("link", 0.0) >= 0.5]
        assert len(flagged) <= 0.02 * len(links), flagged


def test_a_message_of_several_ordinary_links_is_not_flagged() -> None:
    urls = realurls.organisations()
    threat = ThreatFilter()
    calm = [url for url in urls if threat.detector.analyse(url).scores.get("link", 0.0) < 0.5]
    for at in range(0, len(calm) - 5, 5):
        message = "see " + " and ".join(calm[at:at + 5])
        assert threat.detector.analyse(message).scores.get("link", 0.0) < 0.5, message
