from __future__ import annotations

from pathlib import Path

import pytest

from filters.options import OptionsError
from filters.threat.feeds import DomainList, load_feeds


def test_domains_match_subdomains_and_urls_match_exactly() -> None:
    listed = DomainList.build(["evil.example", "https://host.example/path/x/", "# comment", "", "WWW.Caps.Example"])
    assert listed.matches("evil.example") and listed.matches("a.b.evil.example")
    assert not listed.matches("notevil.example")
    assert listed.matches("host.example", "/path/x") and not listed.matches("host.example", "/other")
    assert listed.matches("caps.example")


def test_feed_file_is_read_once(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("# a feed, one URL or domain per line\nhttp://bad.example/login\nworse.example  # trailing note\n")
    listed = load_feeds([str(feed)])
    assert listed.matches("worse.example") and listed.matches("bad.example", "/login")


def test_missing_feed_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match=r"blocklists\[0\]"):
        load_feeds([str(tmp_path / "missing.txt")])
