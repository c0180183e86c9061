"""The learned link score: its weights load, it is deterministic and bounded, and it never judges a brand's
own name or an allow-listed host."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import Action
from filters.threat import links, urlscore, urlweights
from filters.threat.feeds import DomainList
from filters.threat.filter import ThreatFilter
from filters.threat.hosts import parse_host
from filters.threat.linkdata import BRANDS, FREE_HOSTING
from filters.threat.links import Link, host_signs, judge

NONE = DomainList()
# Self-written links of the kinds the score reads: a kit path on a throwaway name, a crypto lure, an ordinary page.
SAMPLES = (
    "https://wallet-claims-portal.top/connect/app/login.php?session=1",
    "rewards-airdrop-verify.xyz",
    "https://docs.example.org/guide/install.html",
    "http://shop.example.co.uk/basket",
)


@pytest.fixture
def always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the score's sign count whatever it says, so that only the rules around it decide."""
    monkeypatch.setattr(links, "LEXICAL_LEVELS", ((0.0, 0.3),))


def _reasons(url: str, allow: DomainList = NONE) -> tuple[str, ...]:
    return judge(Link(0, len(url), url), allow, NONE).reasons


def test_the_weights_load_whole() -> None:
    assert urlweights.SIZE & (urlweights.SIZE - 1) == 0
    assert len(urlscore._WEIGHTS) == urlweights.SIZE
    assert urlweights.SCALE > 0 and any(urlscore._WEIGHTS)


@pytest.mark.parametrize("url", SAMPLES)
def test_scores_are_deterministic_probabilities(url: str) -> None:
    host = parse_host(url.split("://")[-1].split("/")[0], FREE_HOSTING)
    path = url.split("://")[-1].partition("/")[2]
    first = urlscore.probability(
        urlscore.weigh(urlscore.host_features(host)), urlscore.weigh(urlscore.path_features(path))
    )
    again = urlscore.probability(
        urlscore.weigh(urlscore.host_features(host)), urlscore.weigh(urlscore.path_features(path))
    )
    assert 0.0 <= first <= 1.0 and first == again


def test_features_name_what_a_reader_can_see() -> None:
    host = parse_host("secure.wallet-claims.top", FREE_HOSTING)
    assert {"g:<wa", "w:wallet", "w:claims", "n:2"} <= set(urlscore.host_features(host))
    assert {"t:login", "e:php", "q:session", "depth:2"} <= set(
        urlscore.path_features("/app/login.php?session=1")
    )
    assert urlscore.path_features("/") == [] and urlscore.path_features("") == []


def test_a_hash_in_a_path_is_one_shape_not_a_word() -> None:
    features = urlscore.path_features("/d41d8cd98f00b204e9800998ecf8427e/index.html")
    assert "t:<id>" in features and not any("d41d8" in feature for feature in features)


@pytest.mark.parametrize("site", sorted({site for sites in BRANDS.values() for site in sites})[:60])
def test_a_brands_own_name_is_never_read_by_it(site: str, always: None) -> None:
    assert host_signs(site).lexical is None
    assert "lexical-score" not in _reasons(f"https://www.{site}/signin/app/login.php?session=1")


def test_an_allow_listed_host_is_never_judged_by_it(always: None) -> None:
    url = SAMPLES[0]
    assert "lexical-score" in _reasons(url)
    allow = DomainList.build(["wallet-claims-portal.top"])
    assert _reasons(url, allow) == ("allowlist",)
    assert judge(Link(0, len(url), url), allow, NONE).score == 0.0


def test_the_levels_stay_below_an_alert_and_only_a_sure_name_reaches_one() -> None:
    assert all(0.0 < weight < 0.5 for _, weight in links.LEXICAL_LEVELS)
    assert [at for at, _ in links.LEXICAL_LEVELS] == sorted(
        (at for at, _ in links.LEXICAL_LEVELS), reverse=True
    )
    assert links.SURE_FLOOR == 0.5 and links.SURE_NAME >= max(at for at, _ in links.LEXICAL_LEVELS)


@pytest.fixture
def sure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every name count as one the score is sure of, so that only the conditions around it decide."""
    monkeypatch.setattr(links, "SURE_NAME", 0.0)


def _judged(url: str) -> links.Judgement:
    return judge(Link(0, len(url), url), NONE, NONE)


# Self-written names: a throwaway exchange-like name the score is sure of, with no sign a reader can point at,
# and an ordinary shop's name.
def test_a_name_the_score_is_sure_of_alerts_alone() -> None:
    judged = _judged("https://swapdexpro.com/")
    assert "lexical-sure" in judged.reasons and judged.score == links.SURE_FLOOR
    verdict = ThreatFilter().decide("Claim yours here: swapdexpro.com")
    assert verdict.hints.alert and verdict.action is Action.PASS  # an alert, not a block


def test_an_ordinary_shops_name_is_not_flagged() -> None:
    url = "https://bloomtrail-bakery.com/menu"
    assert _judged(url).score < 0.5 and "lexical-sure" not in _judged(url).reasons
    assert not ThreatFilter().decide(f"Their menu is at {url}").hints.alert


def test_a_sure_name_is_a_floor_that_adds_nothing_to_other_signs(sure: None) -> None:
    url = "https://wallet-sync-restore.top/connect/login"  # blocked by the hand-written signs alone
    assert "lexical-sure" in _judged(url).reasons
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(links, "SURE_NAME", 2.0)
        without = _judged(url).score
    assert _judged(url).score == without >= 0.8


@pytest.mark.parametrize("url", [
    "https://swapdexpro.readthedocs.io/en/latest/",  # a documentation platform's tenant is a project
    "https://qv.net/",  # too few letters for the score to be sure of
    "https://d4e5f6a7b8c9d0.cloudfront.net/img/banner.png",  # a name the platform made, a file that renders no page
    "https://deploy-preview-7--swapdexpro.netlify.app/",
])
def test_names_the_score_cannot_be_sure_of_are_never_lifted_by_it(url: str, sure: None) -> None:
    judged = _judged(url)
    assert "lexical-sure" not in judged.reasons
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(links, "SURE_NAME", 2.0)
        assert _judged(url).score == judged.score


def test_a_path_does_not_tip_a_name_into_an_alert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links, "weigh", lambda features: 10**6 if any(f.startswith("t:") for f in features) else 0)
    host_signs.cache_clear()
    try:
        judged = _judged("https://bloomtrail-bakery.com/menu")
    finally:
        host_signs.cache_clear()
    assert "lexical-sure" not in judged.reasons and judged.score < 0.5


def test_an_ip_host_is_not_read_by_it(always: None) -> None:
    assert host_signs("192.0.2.7").lexical is None
    assert "lexical-score" not in _reasons("http://192.0.2.7/app/login.php")


def test_a_huge_link_is_read_to_a_bound() -> None:
    path = (
        "/"
        + "/".join(f"segment{n}" for n in range(20_000))
        + "?"
        + "&".join(f"k{n}=v" for n in range(20_000))
    )
    features = urlscore.path_features(path)
    assert len(features) <= 2 + urlscore.MAX_TOKENS * 18 + urlscore.MAX_KEYS + 2
    host = parse_host(".".join(["a" * 63] * 3) + ".example", FREE_HOSTING)
    assert len(urlscore.host_features(host)) <= 4 + urlscore.MAX_LABELS * (3 * urlscore.MAX_LABEL + 20)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_path_gives_a_bounded_list_and_a_probability(path: str) -> None:
    features = urlscore.path_features(path)
    assert len(features) <= 2 + urlscore.MAX_TOKENS * 18 + urlscore.MAX_KEYS + 2
    assert 0.0 <= urlscore.probability(0, urlscore.weigh(features)) <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "see https://ex\u0430mple.com/\u202eorder/\u0301login",  # Cyrillic a, a bidi override, a combining mark
        "https://例え.テスト/ログイン/パス?名前=値",
        "https://xn--80ak6aa92e.com/" + "\U0001f600" * 500,
        "wallet-claims.top/" + "%F0%9D%90%A5" * 300,
    ],
)
def test_odd_unicode_links_are_judged_without_error(text: str) -> None:
    verdict = ThreatFilter().decide(text)
    assert verdict.action in (Action.PASS, Action.BLOCK, Action.MODIFY)


def test_thousands_of_links_in_one_message_stay_bounded() -> None:
    many = " ".join(f"https://shop{n}.example-claims.top/app/login.php?id={n}" for n in range(3000))
    assert (
        ThreatFilter().decide(many).action is Action.BLOCK
    )  # past the links a message may hold: closed, as before
    judged = " ".join(f"https://shop{n}.example.org/docs/page{n}.html" for n in range(links.MAX_LINKS))
    assert ThreatFilter().decide(judged).action is Action.PASS  # as many as are judged: each read once
