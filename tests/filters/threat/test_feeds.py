from __future__ import annotations

from pathlib import Path

import pytest

from filters import Refreshed, build_filter
from filters.options import Duration, OptionsError
from filters.threat import feeds as feeds_module
from filters.threat.feeds import DomainList, Feeds, load_feeds, read_feed
from filters.threat.filter import ThreatFilter, ThreatOptions


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


def _write(path: Path, text: str) -> None:
    """Replace `path` the way a feed download does: a new file renamed over the old one."""
    part = path.with_suffix(".part")
    part.write_text(text)
    part.replace(path)


def test_read_feed_counts_lines_that_are_no_url_or_domain() -> None:
    read = read_feed(["# header", "", "evil.example", "http://bad.example:8080/login?x=1", "0.0.0.0 hosts.example",
                      "<html>", "not found", "javascript:alert(1)", "ok.example # note"])
    assert read.lines == 7 and read.malformed == 3
    assert read.entries.matches("evil.example") and read.entries.matches("ok.example")
    assert read.entries.matches("bad.example", "/login?x=1") and read.entries.matches("hosts.example")


def test_blocklists_written_as_hosts_files_and_filter_rules_are_read() -> None:
    read = read_feed(["# a hosts file's header", "127.0.0.1 localhost", "::1 localhost ip6-localhost",
                      "fe80::1%lo0 localhost", "255.255.255.255 broadcasthost", "0.0.0.0 0.0.0.0",
                      "0.0.0.0 evil.example", "127.0.0.1\tworse.example # since May", ":: six.example",
                      "||filter.example^", "*.wild.example", "HTTP://Upper.Example/Login"])
    assert read.malformed == 0, read
    for host in ("evil.example", "a.worse.example", "six.example", "cdn.filter.example", "wild.example",
                 "x.wild.example"):
        assert read.entries.matches(host), host
    assert read.entries.matches("upper.example", "/login")
    assert not read.entries.matches("localhost") and not read.entries.matches("0.0.0.0")


@pytest.mark.parametrize("line", [
    "10.0.0.5 intranet.example",  # a hosts file naming a real address is no blocklist: not silently listed
    "0.0.0.0 a.example b.example",  # several names: read as none rather than as one
    "||path.example/login^", "||opts.example^$third-party", "||^",
    "999.1.1.1 evil.example",
])
def test_lines_of_those_forms_that_say_something_else_are_malformed(line: str) -> None:
    read = read_feed([line])
    assert read.malformed == 1 and not read.entries, line


@pytest.mark.parametrize("text", [
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>try later</body>\n</html>\n",
    '{"error": "rate limited"}\n',
    "evil.example\n" + "garbage line with spaces\n" * 3,
])
def test_a_malformed_version_is_refused_and_the_previous_list_kept(tmp_path: Path, text: str) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\nworse.example\n")
    feeds = Feeds([str(feed)])
    _write(feed, text)
    report = feeds.refresh()
    assert report.loaded == () and report.stale == (str(feed),)
    assert len(report.refused) == 1 and report.refused[0].startswith(f"{feed}: ")
    assert "html" not in report.refused[0].lower() and "garbage" not in report.refused[0]  # never the contents
    assert feeds.current.matches("worse.example")
    assert feeds.refresh() == Refreshed(stale=(str(feed),))  # the same version is judged once


def test_an_update_is_taken_and_a_good_version_clears_the_stale_mark(tmp_path: Path) -> None:
    feed, other = tmp_path / "feed.txt", tmp_path / "other.txt"
    feed.write_text("evil.example\n")
    other.write_text("other.example\n")
    feeds = Feeds([str(feed), str(other)])
    before = feeds.current
    assert feeds.refresh() == Refreshed()  # nothing changed: nothing read
    _write(feed, "")  # emptied: refused
    assert feeds.refresh().stale == (str(feed),) and feeds.current is before
    _write(feed, "evil.example\nnew.example\n")
    assert feeds.refresh() == Refreshed(loaded=(str(feed),))
    assert feeds.current.matches("new.example") and feeds.current.matches("other.example")


def test_a_file_that_vanishes_or_becomes_unreadable_keeps_its_list(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\n")
    feeds = Feeds([str(feed)])
    feed.unlink()
    report = feeds.refresh()
    assert report.refused == (f"{feed}: cannot read it: No such file or directory",)
    assert feeds.current.matches("evil.example")
    feed.mkdir()  # present again, and still unreadable as a file
    assert feeds.refresh().stale == (str(feed),) and feeds.current.matches("evil.example")
    feed.rmdir()
    feed.write_text("back.example\n")
    assert feeds.refresh().loaded == (str(feed),) and not feeds.current.matches("evil.example")


def test_an_in_place_rewrite_is_noticed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\n")
    feeds = Feeds([str(feed)])
    with feed.open("a") as handle:  # same inode: size and times change
        handle.write("appended.example\n")
    assert feeds.refresh().loaded == (str(feed),) and feeds.current.matches("appended.example")


def test_a_feed_too_big_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\n")
    feeds = Feeds([str(feed)])
    monkeypatch.setattr(feeds_module, "MAX_FEED_BYTES", 64)
    _write(feed, "a.example\n" * 10)
    assert feeds.refresh().refused == (f"{feed}: larger than 64 bytes",)


def test_startup_refuses_a_malformed_feed_naming_its_key(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("<html>\n<body>Service unavailable</body>\n</html>\n")
    with pytest.raises(OptionsError, match=r"blocklists\[0\]: .*3 of its 3 lines are no URL or domain"):
        load_feeds([str(feed)])


def test_threat_filter_blocks_a_link_added_to_its_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\n")
    flt = ThreatFilter(ThreatOptions(blocklists=(str(feed),), reload_interval=Duration(5)))
    assert flt.refresh_every == 5.0 and ThreatFilter().refresh_every == 0.0
    text = "see https://fresh-site.example/account for the details"
    assert not flt.decide(text).blocked
    _write(feed, "evil.example\nfresh-site.example\n")
    assert flt.refresh().loaded == (str(feed),)
    assert flt.decide(text).blocked
    _write(feed, "<html>oops</html>\n")
    assert flt.refresh().stale == (str(feed),) and flt.decide(text).blocked


@pytest.mark.parametrize("value", ["500ms", "2d", -1, "soon"])
def test_reload_interval_bounds_name_the_key(tmp_path: Path, value: object) -> None:
    with pytest.raises(OptionsError, match=r"filters\.threat\.options\.reload_interval"):
        build_filter("threat", "threat", {"reload_interval": value}, "filters.threat")
