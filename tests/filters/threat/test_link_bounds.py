"""Bounded link work per message: repeated links read once, a cap on distinct links that fails closed."""

from __future__ import annotations

from filters import Action
from filters.threat import Detector, ThreatFilter, links
from filters.threat.feeds import DomainList
from filters.threat.links import MAX_CANDIDATES, MAX_LINKS, Scan, extract, host_signs

LINKS = Detector(["link"])


def test_a_repeated_link_is_one_distinct_link_at_its_first_occurrence() -> None:
    text = "see\tabc.example.com\n" + "abc.example.com " * 5000 + "https://paypal.login-check.sbs/ x"
    found = Scan(text)
    assert found.urls == ["abc.example.com", "https://paypal.login-check.sbs/"] and not found.overflow
    second = found.link(1)
    assert text[second.start:second.end] == "https://paypal.login-check.sbs/"
    assert found.link(0).start == 4


def test_scan_finds_what_extract_finds_once_each() -> None:
    text = "go to https://a.example/x, www.b.example or c.example.com! again www.b.example (c.example.com)"
    every = [link.url for link in extract(text)]
    assert every == ["https://a.example/x", "www.b.example", "c.example.com", "www.b.example", "c.example.com"]
    assert Scan(text).urls == list(dict.fromkeys(every))


def test_findings_point_at_the_link_in_the_original_text() -> None:
    text = "ok " * 300 + "then\nhttps://paypal.login-check.sbs/ and https://paypal.login-check.sbs/ again"
    findings = [f for f in LINKS.analyse(text).findings if f.type == "link"]
    assert len(findings) == 1
    assert text[findings[0].start:findings[0].end] == "https://paypal.login-check.sbs/"


def test_more_distinct_links_than_are_judged_fails_closed() -> None:
    padding = " ".join(f"https://site{i}.example/" for i in range(MAX_LINKS + 1))
    analysis = LINKS.analyse(padding + " https://paypal.login-check.sbs/")
    assert analysis.scores["link"] == 1.0
    verdict = ThreatFilter().decide(padding)
    assert verdict.action is Action.BLOCK


def test_as_many_distinct_links_as_are_judged_pass() -> None:
    text = " ".join(f"https://site{i}.example/" for i in range(MAX_LINKS))
    assert "link" not in LINKS.analyse(text).scores


def test_names_under_tlds_of_other_scripts_count_toward_the_cap() -> None:
    """They are read by a second pattern, merged with the first as both are read: the cap stops both."""
    padding = " ".join(f"сайт{i}.рф" if i % 2 else f"site{i}.com" for i in range(MAX_LINKS + 1))
    found = Scan(padding)
    assert found.overflow and len(found) == MAX_LINKS
    assert found.urls[:3] == ["site0.com", "сайт1.рф", "site2.com"]
    verdict = ThreatFilter().decide(padding + " secure-paypal.рф/login")
    assert verdict.action is Action.BLOCK


def test_too_many_link_matches_in_one_word_fail_closed() -> None:
    found = Scan(",".join(["abc.example.com"] * (MAX_CANDIDATES + 1)))
    assert found.overflow and found.urls == ["abc.example.com"]


def test_e_mail_addresses_are_not_candidates() -> None:
    text = " ".join(f"user{i}@mail.example.com" for i in range(MAX_CANDIDATES + 1))
    found = Scan(text)
    assert found.urls == [] and not found.overflow


def test_odd_dots_are_judged_per_occurrence() -> None:
    plain = "paypal.com.verify.tk"
    odd = "paypal\uff0ecom\uff0everify\uff0etk"
    alone = LINKS.analyse(plain).scores["link"]
    both = LINKS.analyse(f"{plain} and {odd}")
    assert both.scores["link"] > alone
    (finding,) = both.findings
    assert f"{plain} and {odd}"[finding.start:finding.end] == odd


def test_the_worst_link_is_the_message_risk() -> None:
    one = LINKS.analyse("see https://a-b-c.github.io/").scores["link"]
    three = LINKS.analyse("see https://a-b-c.github.io/ https://d-e-f.github.io/ https://g-h-i.github.io/")
    assert three.scores["link"] == one and len(three.findings) == 1


def test_a_long_link_is_read_in_bounded_parts() -> None:
    url = "https://files.example/" + "a" * 200_000 + "/login"
    assert "path-keywords" not in links.judge(links.Link(0, len(url), url), DomainList(), DomainList()).reasons
    host = "https://" + "a" * 10_000 + ".example/"
    assert links.judge(links.Link(0, len(host), host), DomainList(), DomainList()).reasons == (
        "invalid-host",)


def test_host_signs_are_computed_once_per_host() -> None:
    host_signs.cache_clear()
    LINKS.analyse(" ".join(f"https://shop.example.com/item/{i}" for i in range(50)))
    info = host_signs.cache_info()
    assert info.misses == 1 and info.hits == 49
