"""Ordinary links people paste into chat (tests/data/ordinary_urls.txt) are rarely flagged."""

from __future__ import annotations

from pathlib import Path

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
