"""Lexical link judgement: each phishing sign on its own, and well-known sites passing."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import Action
from filters.testing import make_filter, tmessage
from filters.threat.feeds import DomainList
from filters.threat.filter import ThreatFilter
from filters.threat.hosts import parse_host, skeleton
from filters.threat.linkdata import BRANDS, CHAINS, FREE_HOSTING
from filters.threat.links import (
    Link,
    Scan,
    address_name,
    brand_folder,
    carried,
    deep_sign_in,
    extract,
    ipfs_page,
    judge,
    lure_words,
    page_in_files,
    query_address,
    registrable,
    short_token,
    site_in_path,
    uploaded_page,
)

NONE = DomainList()


def _score(url: str, allow: DomainList = NONE, deny: DomainList = NONE) -> tuple[float, tuple[str, ...]]:
    verdict = judge(Link(0, len(url), url), allow, deny)
    return verdict.score, verdict.reasons


@pytest.mark.parametrize(("url", "reason"), [
    ("http://203.0.113.7/secure/login", "ip-literal"),
    ("http://3405803783/", "ip-literal"),
    ("http://[2001:db8::1]/x", "ip-literal"),
    ("https://xn--80ak6aa92e.com/", "homograph:apple"),
    ("https://paypal.account-check.example/", "brand:paypal"),
    ("https://roblox.com.gr/users/1", "brand:roblox"),
    ("https://paypa1.example/", "lookalike:paypal"),
    ("https://netflix-billing.vercel.app/", "free-hosting:vercel.app"),
    ("https://google.com@login.example/", "userinfo"),
    ("https://a.b.c.d.example.com/", "many-subdomains"),
    ("https://prize-claim.sbs/", "tld:sbs"),
    ("https://bit.ly/abcdef", "shortener"),
    ("https://files.example/account/verify", "path-keywords"),
    ("https://account-verify.example/", "lure-name:4"),
    ("https://login.files.example/", "keywords"),
    ("https://secure-paypal-login.example/", "brand-with-lure:login"),
    ("https://xn--pple-43d.com/", "homograph:apple"),
    ("https://xn--pypl-53dc.com/", "mixed-scripts"),
    ("https://4821907.weebly.com/", "random-label"),
    ("https://qwxzvbk.example/", "pseudo-word"),
    ("https://kzmrtq.example/", "random-label"),
    ("https://roblox.cl/", "brand:roblox"),
    ("https://paypal-com.example/", "deceptive-label"),
    ("data:text/html;base64,PGgxPkxvZyBpbjwvaDE+", "data-url:text/html"),
    ("https://https--www-example.com/", "deceptive-label"),
    ("https://bit.ly/paypal-refund", "brand-in-path"),
    ("https://id-7k2p9x4m.example/", "random-label"),
    ("https://a9f3c2e17b.shop-example.com/", "token-subdomain"),
    ("https://pqrstlmn.shop-example.com/", "random-subdomain"),
    ("https://avis-client-fr.example/", "country-word:fr"),
    ("https://user:secret@intranet.example/", "credentials-in-link"),
    ("https://konto-odbior.example/", "lure-name:5"),
    ("https://docs.some-project.readthedocs.io/", "shared-platform:readthedocs.io"),
    ("https://myetherwalet.example/", "lookalike:myetherwallet"),
    ("https://etherscan-approvals.example/", "brand:etherscan"),
    ("https://xn--bithmb-6ya.example/", "homograph:bithumb"),
])
def test_each_sign_is_reported(url: str, reason: str) -> None:
    score, reasons = _score(url)
    assert reason in reasons and score > 0


@pytest.mark.parametrize("url", [
    "https://www.paypal.com/signin", "https://github.com/python/cpython", "https://en.wikipedia.org/wiki/URL",
    "https://groups.google.com/g/comp.lang.python", "https://bit.ly", "https://stackoverflow.com/questions/1",
    "https://teams.microsoft.com/l/meetup-join/1", "https://cloud.google.com/run", "https://www.google.de/maps",
    "https://www.amazon.co.jp/", "https://pineapple.example/", "https://myproject.github.io/docs/",
    "https://www.münchen.de/", "https://xn--mnchen-3ya.de/", "https://booking.hotel.example/rooms",
    "data:image/png;base64,iVBORw0KGgo=", "http://127.0.0.1:8080/", "https://httpbin.org/get",
    "https://www2.example.ac.uk/", "https://google.github.io/styleguide/", "https://fonts.googleapis.com/css",
    "https://nghttp2.org/", "https://unicode-org.github.io/icu/", "https://requests.readthedocs.io/en/latest/",
    "https://www.mercadolivre.com.br/", "https://python-lazy-object-proxy.readthedocs.io/",
    "https://open-source-parsers.github.io/jsoncpp-docs/", "https://www.myetherwallet.com/wallet/access",
    "https://etherscan.io/tokenapprovalchecker", "https://electrum.org/#download", "https://www.bitstamp.net/",
])
def test_well_known_sites_score_low(url: str) -> None:
    assert _score(url)[0] < 0.5


def test_brand_with_free_hosting_scores_higher_than_either() -> None:
    assert _score("https://paypal-login.netlify.app/")[0] >= 0.8


def test_allow_and_deny_lists_come_first() -> None:
    allow, deny = DomainList.build(["intranet.example"]), DomainList.build(["bad.example"])
    assert _score("http://10.0.0.1.intranet.example/login", allow=allow)[0] == 0.0
    assert _score("https://docs.bad.example/", deny=deny) == (1.0, ("denylist",))


@pytest.mark.parametrize(("host", "site"), [
    ("a.b.example.com", "example.com"), ("shop.example.co.uk", "example.co.uk"), ("roblox.com.gr", "roblox.com.gr"),
    ("x.someone.github.io", "github.io"), ("localhost", "localhost"),
])
def test_registrable(host: str, site: str) -> None:
    assert registrable(host) == site


def test_extract_finds_scheme_www_and_bare_links_but_not_emails_or_code() -> None:
    found = [link.url for link in extract("go to https://a.example/x, www.b.example or c.example.com! "
                                          "mail d@e.example; t1.shop_id = t2.id; console.log(x)")]
    assert found == ["https://a.example/x", "www.b.example", "c.example.com"]


def test_brand_country_site_alerts_without_blocking() -> None:
    score, reasons = _score("https://roblox.com.gr/users/1")
    assert 0.5 <= score < 0.8 and "brand:roblox" in reasons


@pytest.mark.parametrize(("host", "tenant", "platform"), [
    ("x.someone.github.io", "someone.github.io", "github.io"),
    ("shop.example.co.uk", "example.co.uk", ""),
    ("4821907.weebly.com", "4821907.weebly.com", "weebly.com"),
])
def test_shared_platforms_are_read_per_tenant(host: str, tenant: str, platform: str) -> None:
    parsed = parse_host(host, FREE_HOSTING)
    assert (parsed.tenant, parsed.platform) == (tenant, platform)


@pytest.mark.parametrize(("spelt", "looks"), [
    ("раураl", "paypal"), ("ｇｏｏｇｌｅ", "google"), ("ápple", "apple"),
    ("netfłix", "netflix"), ("ʙooking", "booking"), ("amazoɲ", "amazon"),  # strokes, hooks, small capitals
    ("ьаnk", "bank"),  # the Cyrillic soft sign reads as b
    ("straße", "straße"), ("привет", "npивet"),  # letters with no Latin look-alike stay as they are
])
def test_skeleton_reads_look_alike_letters_as_ascii(spelt: str, looks: str) -> None:
    assert skeleton(spelt) == looks


def test_non_ascii_dots_are_a_sign_of_their_own() -> None:
    link = Link(0, 22, "paypal.com.verify.tk")
    assert judge(link, NONE, NONE, odd_dots=True).score > judge(link, NONE, NONE).score


def test_a_name_dns_cannot_hold_is_not_read_further() -> None:
    assert _score("https://" + "a" * 64 + ".example/") == (0.3, ("invalid-host",))
    assert _score("https://" + "ab." * 100 + "example/") == (0.3, ("invalid-host",))


def test_bare_names_on_shared_platforms_are_links() -> None:
    found = extract("try konto-weryfikacja.page.gd or is.gd/abc; page.gd alone is the platform's own page")
    assert [link.url for link in found] == ["konto-weryfikacja.page.gd", "is.gd/abc", "page.gd"]
    assert judge(found[2], NONE, NONE).score == 0


@pytest.mark.parametrize(("text", "found"), [
    ("claim it at wallet-claim.exchange today", ["wallet-claim.exchange"]),  # a TLD the hand list lacks
    ("support.telegram.trade/verify", ["support.telegram.trade/verify"]),
    ("run ./configure.ac, then edit main.tf and Makefile.am", ["configure.ac", "main.tf", "makefile.am"]),
    ("news on bbc.co.uk and mybank.co.jp/login", ["bbc.co.uk", "mybank.co.jp/login"]),  # under a suffix of two labels
    ("wallet-fix.ru.com or t1.id or go.co.uk", ["wallet-fix.ru.com"]),  # a name needs three characters
    ("log in at secure-paypal.xn--p1ai now", ["secure-paypal.xn--p1ai"]),  # an IDN TLD as DNS spells it
    ("sber-online.xn--90ais/vhod", ["sber-online.xn--90ais/vhod"]),
])
def test_a_bare_name_under_any_tld_is_a_link(text: str, found: list[str]) -> None:
    assert [link.url.lower() for link in extract(text)] == found


def test_file_names_read_as_names_carry_no_sign() -> None:
    for link in extract("see configure.ac, rules.mk, main.tf, install.sh, README.md and lib.so"):
        assert judge(link, NONE, NONE).score < 0.5, link.url


@pytest.mark.parametrize("url", [
    "https://avis-client-fr.fyi/", "https://id-7k2p9x4m.club/", "https://a9f3c2e17b8d.example-shop.guru/",
])
def test_an_abused_tld_with_a_machine_made_or_borrowed_name_alerts(url: str) -> None:
    assert _score(url)[0] >= 0.5


@pytest.mark.parametrize("url", ["https://q7xwtz.cn/", "https://www.39kqvz.cn/", "http://m4k8pz.cn/verify"])
def test_a_script_made_name_of_letters_and_digits_directly_under_cn_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "tld:cn" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://www.tsinghua-lab.edu.cn/login",  # a second level registered under its own rules
    "https://beijing-bakery.cn/", "https://hzdx.cn/", "https://52kitchen.cn/",  # words, hyphens, initials, a number
    "https://q7xwtz.com.cn/",  # under a second level: not read
])
def test_ordinary_names_under_cn_carry_no_tld_sign(url: str) -> None:
    assert not any(reason.startswith("tld:") for reason in _score(url)[1])


@pytest.mark.parametrize(("label", "token"), [
    ("q7xwtz", True), ("39kqvz", True), ("zk4mwp", True),
    ("4chan", False), ("mp3tag", False), ("shop24", False), ("tool2024", False), ("abc1", False), ("bakery", False),
])
def test_a_short_token_mixes_digits_into_letters_that_read_as_no_word(label: str, token: bool) -> None:
    assert short_token(label) is token


@pytest.mark.parametrize("url", [
    "xqjvwkdrt.com", "https://hgwqzkpt.eu/", "https://pvkqzjxm.co.uk/", "bwtkqzfn.net", "http://qzvkwmn.de/",
])
def test_a_registered_name_of_letters_drawn_at_random_alerts_without_blocking(url: str) -> None:
    score, reasons = _score(url)
    assert 0.5 <= score < 0.8 and "pseudo-word" in reasons, reasons


@pytest.mark.parametrize("url", ["kzmrtq.shop", "https://jvmfqx.site/", "bzxqrt.info", "https://gfxdmk.pro/"])
def test_an_abused_tld_with_a_name_that_reads_as_no_word_alerts(url: str) -> None:
    assert _score(url)[0] >= 0.5


@pytest.mark.parametrize("url", [
    "kzmrtq.com", "jvmfqx.org",  # a few letter triples no word holds, on an ordinary TLD: a sign, no alert
    "openpgp.org", "xmlsoft.org", "gfxmonk.net", "npmjs.com", "pylsqpack.org", "mqtt.org",  # initials and a word
    "lumorati.shop", "https://bravexo.site/", "corner-bakery.site",  # invented but pronounceable; plain words
    "schwarzwaldkueche.shop", "wszystkiegonajlepszego.shop", "przychodnia-lekarska.site", "strzyzewski.store",
    "brouwerijijsselstein.nl", "https://www.bnpparibas.pl/", "ncsc-oakwood.shop",
])
def test_names_that_read_as_words_initials_or_invented_brands_do_not_alert(url: str) -> None:
    score, reasons = _score(url)
    assert score < 0.5, reasons


def test_a_platform_tenants_name_is_not_read_letter_by_letter() -> None:
    assert "pseudo-word" not in _score("https://xqjvwkdrt.vercel.app/")[1]
    assert "pseudo-word" not in _score("https://xqjvwkdrt.github.io/")[1]


def test_an_abused_tld_alone_does_not_alert() -> None:
    assert _score("https://corner-bakery.site/")[0] < 0.5


def test_a_hash_as_the_subdomain_of_a_site_alerts_alone_but_not_on_a_platform() -> None:
    assert _score("https://7d3e0a.bakery-of-otherwise.example/")[0] >= 0.5
    assert "token-subdomain" not in _score("https://7d3e0a.my-app.pages.dev/")[1]


@pytest.mark.parametrize(("url", "lookalike"), [
    ("https://robiox.example/", True),  # l read as i
    ("https://amazom.example/", True),  # n and m sit side by side
    ("https://netflx.example/", True),  # a letter dropped
    ("https://paypall.example/", True),  # a letter added
    ("https://mazon.example/", False),  # the first letter is the one readers check
    ("https://cloud.somewhere.example/", False),  # `icloud` without its first letter is a word
    ("https://lotus.example/", False),  # `lotos`: another vowel, in a short name
    ("https://paypla.example/", True),  # two letters swapped
    ("https://netflux.example/", True),  # another vowel, in a name of six letters or more
    ("https://amazin.example/", True),  # a key that touches the right one
    ("https://arnazon.example/", True),  # `rn` passes for `m`
    ("https://apyapl.example/", False),  # two typos
    ("https://myetherwaiiett.example/", True),  # `ii` read as `ll`, then a letter added
    ("https://c0inbasse.example/", True),  # `0` read as `o`, then a letter added
    ("https://rnetarnask.example/", True),  # `rn` read as `m` twice
    ("https://lnstagrarn.example/", True),
    ("https://blocktrain.example/", False),  # two letters other than `blockchain`'s, none read alike
    ("https://myetherwaiiettt.example/", False),  # read alike, then two letters added
])
def test_look_alikes_are_the_typos_squatters_register(url: str, lookalike: bool) -> None:
    assert any(reason.startswith("lookalike:") for reason in _score(url)[1]) is lookalike


def test_the_registry_site_of_an_abused_tld_is_not_held_against_it() -> None:
    assert _score("https://nic.sbs/")[0] == 0
    assert _score("https://nice.sbs/")[1] == ("tld:sbs",)


def test_a_lure_word_inside_a_longer_one_counts_once() -> None:
    assert lure_words("oauthkit.example") == 1
    assert lure_words("login-verify.example") == 2


def test_a_brand_spelt_in_a_platform_pages_path_beside_a_sign_in_word_is_a_claim() -> None:
    score, reasons = _score("https://someone-42.github.io/pay-pal-sign-in/index.html")
    assert "brand-in-path" in reasons and score >= 0.5
    assert "brand-in-path" not in _score("https://someone-42.github.io/notes/paypal-fees.html")[1]  # no lure word
    assert "brand-in-path" not in _score("https://shop.example/paypal/login")[1]  # a site's own pages


@pytest.mark.parametrize("url", [
    "https://www.search.example/url?q=https://paypal.account-check.example/login&sa=D",
    "https://sso.example.org/signin?next=https%3A%2F%2Fsecure-paypal.example%2Flogin",
    "https://l.example.net/?u=https%253A%252F%252F203.0.113.9%252Flogin",
    "https://a.example/?to=https://b.example/?to=https://paypal.com.confirm.example/",
])
def test_a_link_carried_in_another_is_judged_as_the_page_it_leads_to(url: str) -> None:
    score, reasons = _score(url)
    assert reasons[0] == "carried-link" and score >= 0.5


def test_a_carried_ordinary_link_adds_nothing() -> None:
    assert _score("https://archive.example.org/web/2020/https://docs.python.org/3/")[0] == 0


def test_a_carried_link_is_read_twice_at_most() -> None:
    nested = "https://a.example/?u=" * 50 + "https://paypal.com.confirm.example/"
    assert "carried-link" not in _score(nested)[1]


@pytest.mark.parametrize("url", ["https://rakuten-card-login.example/", "https://naver.secure-session.example/"])
def test_brands_phished_in_other_countries_are_known(url: str) -> None:
    assert _score(url)[0] >= 0.5


def test_a_prize_lure_in_another_language_on_a_free_host_alerts() -> None:
    score, reasons = _score("http://hadiah-undian-77.weebly.com/")
    assert any(reason.startswith("lure-name:") for reason in reasons) and score >= 0.5


def test_no_brand_is_held_against_its_own_domains() -> None:
    flagged = [domain for domains in BRANDS.values() for domain in sorted(domains)
               if _score(f"https://{domain}/")[0] >= 0.5 or _score(f"https://www.{domain}/login")[0] >= 0.5]
    assert flagged == []


@pytest.mark.parametrize("url", [
    "https://cdn.discordapp.com/attachments/1093/2231/screenshot.png",  # a brand's content and API hosts
    "https://media.discordapp.net/attachments/1/2/a.gif", "https://scontent.xx.fbcdn.net/v/t1/photo.jpg",
    "https://pbs.twimg.com/media/abc.jpg", "https://i.ytimg.com/vi/x/hqdefault.jpg",
    "https://p16-sign.tiktokcdn.com/obj/x.jpeg", "https://outlook.office365.com/mail/",
    "https://s3.amazonaws.com/team-reports/q3.pdf", "https://www.icloud-content.com/",
    "https://google.github.io/styleguide/", "https://contoso.sharepoint.com/sites/hr",
])
def test_a_brands_own_infrastructure_is_no_claim_on_it(url: str) -> None:
    assert _score(url)[0] < 0.5


@pytest.mark.parametrize("url", [
    "https://amazon-verify.s3.amazonaws.com/index.html",  # a tenant on a brand's own platform claims the brand
    "https://amazon-account-update.s3.us-east-1.amazonaws.com/signin.html",
    "https://github-login.github.io/", "https://paypal-verify.s3.amazonaws.com/index.html",
    "https://discordapp-nitro.com/gift", "https://amazonaws-login.com/",
])
def test_a_tenant_named_for_the_platforms_owner_still_claims_it(url: str) -> None:
    score, reasons = _score(url)
    assert score >= 0.5 and any(reason.startswith("brand:") for reason in reasons), (score, reasons)


_URL_PIECES = st.sampled_from(["https://", "http://", "hxxp://", "?u=", "&next=", "%3a%2f%2f", "%253a%252f%252f",
                               "%", "%3", "paypal", ".com", ".example", "/", "@", ":", "rn", "ł", "ь", "c0ffee1."])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_URL_PIECES, st.text(max_size=4)), max_size=40).map("".join))
def test_any_url_spelling_gets_a_score_and_at_most_a_link_it_carries(tail: str) -> None:
    url = "https://start.example/" + tail
    score, _ = _score(url)
    assert 0.0 <= score <= 1.0
    inner = carried(tail)
    assert inner is None or inner.startswith(("http://", "https://", "hxxp://", "hxxps://", "ftp://"))


@pytest.mark.parametrize(("url", "brand"), [
    ("https://garden-club.example/paypal-verify/", "paypal"),
    ("https://garden-club.example/secure_netflix.html", "netflix"),
    ("https://garden-club.example/docusignsignin", "docusign"),
    ("https://garden-club.example/pay-pal_sign-in.php?id=7", "paypal"),
    ("https://garden-club.example/konto-allegro-logowanie/", "allegro"),
])
def test_a_page_named_for_a_brand_and_a_sign_in_at_the_top_of_a_path_is_a_claim(url: str, brand: str) -> None:
    score, reasons = _score(url)
    assert f"brand-page:{brand}" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://docs.example.org/guides/google-authentication/",  # documentation: deeper, beside its topic
    "https://blog.example.org/how-to-add-google-login-to-django",  # an article: other words
    "https://app.example.org/auth/google", "https://app.example.org/google-oauth",  # an application's own routes
    "https://shop.example/paypal-checkout", "https://shop.example/dhl-tracking",  # paying and tracking: shops do
    "https://shop.example/paypal/login",  # a directory of its own: an integration's route as often as a kit
    "https://www.paypal.com/paypal-login", "https://github.com/paypal-login",  # the brand's own, an account
    "https://garden-club.example/paypal-login-2", "https://garden-club.example/netflix-clone",
    "https://garden-club.example/booking-login",  # a brand that is an everyday word
])
def test_brand_pages_are_not_read_where_sites_name_their_own_pages_so(url: str) -> None:
    assert not any(reason.startswith("brand-page:") for reason in _score(url)[1])


@pytest.mark.parametrize(("url", "brand"), [
    ("https://garden-club.example/files/old/netflix/verify/", "netflix"),  # a sign-in page in the brand's folder
    ("https://garden-club.example/adobe/sign_in.php", "adobe"),
    ("https://garden-club.example/tmp/fedex.team/fedex/fedex/", "fedex"),  # the brand named again below it
    ("https://garden-club.example/x1/Dropbox/dropb/dropb.htm", "dropbox"),
    ("https://garden-club.example/a/b/docusign-online/docus/", "docusign"),
])
def test_a_kit_in_a_folder_named_for_a_brand_deep_in_a_site_alerts(url: str, brand: str) -> None:
    score, reasons = _score(url.lower())
    assert f"brand-folder:{brand}" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://shop.example/checkout/paypal/", "https://shop.example/payment/paypal/return",  # a provider named once
    "https://docs.example.org/integrations/dropbox/setup",
    "https://app.example.org/auth/google/callback",  # the site's own route: the action first
    "https://app.example.org/accounts/dropbox/login/", "https://shop.example/support/fedex/account-settings",
    "https://help.example.org/netflix/sign-in-problems",  # an article's slug says more than signing in
    "https://shop.example/steam/steam-deck/login",  # a brand that is an everyday word
    "https://www.paypal.com/paypal/paypal-login",  # the brand's own site
])
def test_a_sites_own_pages_about_a_provider_are_no_brand_folder(url: str) -> None:
    assert not any(reason.startswith("brand-folder:") for reason in _score(url)[1])


@given(st.sampled_from(sorted(BRANDS)), st.sampled_from(["login.php", "verify/", "signin.html"]))
@settings(max_examples=100, deadline=None)
def test_a_brand_folder_is_never_read_on_the_brands_own_sites(brand: str, page: str) -> None:
    for site in BRANDS[brand]:
        assert brand_folder(f"/kit/{brand}/{page}", site) is None


@given(st.sampled_from(sorted(BRANDS)), st.sampled_from(["login", "verify", "secure", "account", "signin"]),
       st.sampled_from(["-", "_", ""]), st.sampled_from(["", "/", ".html", ".php"]))
@settings(max_examples=200, deadline=None)
def test_a_brand_page_is_never_read_on_the_brands_own_sites(brand: str, word: str, gap: str, tail: str) -> None:
    for site in BRANDS[brand]:
        assert not any(reason.startswith("brand-page:")
                       for reason in _score(f"https://www.{site}/{brand}{gap}{word}{tail}")[1])


def test_a_brand_in_a_documentation_platforms_path_is_no_claim() -> None:
    score, reasons = _score("https://authlib.readthedocs.io/en/latest/client/google-login.html")
    assert "brand-in-path" not in reasons and score < 0.5
    assert "brand-in-path" in _score("https://someone-42.github.io/pay-pal-sign-in/index.html")[1]  # a free host


@pytest.mark.parametrize("url", [
    "https://garden-club.example/docs/#anna.nowak@mail.example",
    "https://garden-club.example/#anna%40mail.example",
    "https://garden-club.example/x/y/index.html#j.smith+work@corp.mail.example",
])
def test_a_link_whose_fragment_is_someone_elses_address_is_made_for_one_reader(url: str) -> None:
    score, reasons = _score(url)
    assert "victim-address" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://garden-club.example/contact#info@garden-club.example",  # the site's own address
    "https://app.example/#/reset?email=anna@mail.example",  # an application's route in the fragment
    "https://garden-club.example/#section-2", "https://garden-club.example/#",
    "https://app.example/invite?email=anna@mail.example",  # an invitation: the address in the query
])
def test_fragments_that_route_or_name_the_sites_own_address_are_not_read(url: str) -> None:
    assert "victim-address" not in _score(url)[1]


def test_the_mail_provider_of_an_address_in_a_query_is_no_brand_claim() -> None:
    assert "brand-in-path" not in _score("https://garden-club.example/invite?email=anna@gmail.com&code=1")[1]
    assert "brand-in-path" in _score("https://garden-club.example/paypal/login.php?email=anna@mail.example")[1]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._%+-@#/?=&", max_size=80))
@settings(max_examples=300, deadline=None)
def test_a_victim_address_is_read_only_from_a_whole_fragment(tail: str) -> None:
    """Hostile tails: the sign holds exactly when what follows the first `#` is one address of another domain."""
    url = f"https://garden-club.example/p{tail}"
    fragment = url.partition("#")[2]
    local, at, domain = unquote(fragment).rpartition("@")
    plausible = bool(at and local and "." in domain and "@" not in local and "#" not in fragment)
    if "victim-address" in _score(url)[1]:
        assert plausible and not domain.endswith("garden-club.example")


@pytest.mark.parametrize("url", [
    "https://secure.usbank.com/login", "https://onlinebanking.usbank.com/auth/login/",  # a bank named as a bank
    "https://www.santanderbank.com/login",  # the brand's own site in another country
    "https://www.sparkasse-hannover.de/", "https://sparkasse-koelnbonn.de/de/home.html",  # a federation's members
])
def test_banks_own_sign_in_hosts_do_not_alert(url: str) -> None:
    assert _score(url)[0] < 0.5


@pytest.mark.parametrize("url", [
    "https://secure.mybank24.com/login",  # digits glued to the trade word: more than a bank's name
    "https://sparkasse-sicherheit.de/", "https://sparkasse-koeln.com/", "https://sparkasse-24.de/",
    "https://sparkasse-onlinebanking.de/", "https://sparkasse.de-kundenservice.info/",
])
def test_names_that_only_look_like_a_banks_still_alert(url: str) -> None:
    assert _score(url)[0] >= 0.5


_PIECES = st.sampled_from(sorted(BRANDS)[:60] + ["login", "verify", "secure", "signin", "konto", "x", "q", "-", "_",
                                                    "docs", "9", ".html", ".php", "pay", "pal", "net", "flix"])


@given(st.lists(_PIECES, max_size=6), st.sampled_from(["garden-club.example", "paypal.com", "netflix.com"]))
@settings(max_examples=400, deadline=None)
def test_the_brand_screen_before_segmenting_changes_no_brand_page(pieces: list[str], site: str) -> None:
    """`brand_page` screens a segment for any brand's letters before segmenting it; without the screen the
    answer is the same (the brand the segmenting finds is always among those letters)."""
    import re

    from filters.threat import links
    path = "/" + "".join(pieces) + "/rest"
    screened = links.brand_page(path, site)
    saved = links._ANY_PAGE_BRAND
    try:
        links._ANY_PAGE_BRAND = re.compile("")
        assert links.brand_page(path, site) == screened
    finally:
        links._ANY_PAGE_BRAND = saved


@pytest.mark.parametrize("style", ["redact", "partial", "hash", "tokenize"])
def test_an_address_the_masking_filter_replaced_in_a_fragment_is_still_read(style: str) -> None:
    """In a chain the masking filter runs first: the threat filter reads its placeholder where the address was."""
    import asyncio

    from filters import Message
    from filters.masking import MaskingFilter, MaskingOptions
    from filters.threat import ThreatFilter

    masking = MaskingFilter(MaskingOptions(detect=("email",), style=style, hash_key="k" * 32, vault_key="0" * 64))
    text = "please check https://garden-club.example/docs/#anna.nowak@mail.example today"
    masked = asyncio.run(masking.inspect(Message(text))).text
    assert masked is not None and "anna.nowak" not in masked
    verdict = ThreatFilter().decide(masked)
    assert verdict.hints.alert or verdict.blocked, masked
    assert not ThreatFilter().decide("see https://garden-club.example/docs/#[email-list] and #[EMAIL]").hints.alert


@pytest.mark.parametrize(("text", "alert"), [
    ("git clone https://jsmith@bitbucket.org/team/repo.git", False),  # a user on a clone link
    ("https://paypal.com@evil.example/login", True),  # a brand's name as the user: the disguise
])
def test_a_links_user_reaches_the_threat_filter_through_masking(text: str, alert: bool) -> None:
    """Masking runs first in a chain: a link's `user@host` is left for the threat filter, not read as an address
    (the placeholder as a host read as an IP literal and alerted on every clone link with a user)."""
    import asyncio

    from filters import Message
    from filters.masking import MaskingFilter, MaskingOptions
    from filters.threat import ThreatFilter

    masking = MaskingFilter(MaskingOptions(detect=("email", "secret"), style="redact"))
    masked = asyncio.run(masking.inspect(Message(text))).text or text
    assert masked == text
    verdict = ThreatFilter().decide(masked)
    assert (verdict.hints.alert or verdict.blocked) is alert


@pytest.mark.parametrize(("path", "page"), [
    ("/assets/img/3f9a/paypal/sign-in/", True),
    ("/images/.well-known/pki-validation/3aee8b7/chase/login", True),
    ("/uploads/x/secure/verify.html", True),
    ("/.well-known/change-password", False),  # a registered well-known name
    ("/static/js/login.js", False), ("/static/admin/css/login.css", False),  # files, not pages
    ("/uploads/2024/05/account-statement.pdf", False),
    ("/images/logo.png", False), ("/assets/", False), ("/docs/login", False),
])
def test_a_sign_in_page_among_files_is_read_as_a_kits(path: str, page: bool) -> None:
    assert page_in_files(path) is page


def test_a_brand_sign_in_page_dropped_among_a_sites_files_alerts() -> None:
    score, reasons = _score("https://oakwood-dental.example/assets/img/3f9a/paypal/sign-in/")
    assert "kit-path" in reasons and "brand-in-path" in reasons and score >= 0.5


@pytest.mark.parametrize(("url", "alert"), [
    ("https://www.quiet-tenant.vercel.app/", True),  # `www.` before a free host's tenant: dressed as a site
    ("http://www.maplenote.netlify.app/", True),
    ("https://quiet-tenant.vercel.app/", False),  # the page as the platform names it
    ("https://www.oakwood-bakery.example/", False),  # `www.` on a site of its own
    ("https://www.some-project.readthedocs.io/", False),  # a documentation platform, no free host
])
def test_www_before_a_free_hosts_tenant_alerts(url: str, alert: bool) -> None:
    score, reasons = _score(url)
    assert ("www-on-free-host" in reasons) == (score >= 0.5) == alert


def test_plain_http_to_a_free_hosts_page_does_not_alert_alone() -> None:
    # People type `http://` before a project's page by hand; under an HTTPS-only TLD (`.app`) that made
    # no link of this shape more likely to be a kit's, and it flagged 56 % of such pages typed so.
    score, reasons = _score("http://maplenote.vercel.app/")
    assert "plain-http" in reasons and score < 0.5


@pytest.mark.parametrize("text", [
    "see www.secure-paypal.中国/x now",        # a TLD the bare names do not know, a known one inside the host
    "login at www.app-paypal.рф now",
    "open www.bank-paypal.xn--p1ai now",
    "httрs://www.shорееіd182.blоgsроt.соm/",  # a look-alike scheme: only `www.` marks it
])
async def test_a_www_link_is_read_to_its_end_not_to_a_tld_inside_its_host(text: str) -> None:
    """The bare-name alternative starts one character before `www.` and so is tried first; it stops at a
    TLD inside the host (`www.secure`, `www.sh`) when the host's own TLD is one it does not know, and the
    host was judged as that (passed): a `www.` link is read as far as one is."""
    start = text.index("www.")
    end = text.find(" ", start)
    assert [link.url for link in extract(text)] == [text[start:end if end >= 0 else len(text)]]
    verdict = await make_filter(ThreatFilter, {}).inspect(tmessage(text))
    assert verdict.action is Action.BLOCK and "link" in verdict.reason


@pytest.mark.parametrize(("text", "found"), [
    ("log in at secure-paypal.рф now", ["secure-paypal.рф"]),
    ("ВХОД: SBER-ONLINE.РФ/vhod", ["sber-online.рф/vhod"]),  # as the normaliser folds it
    ("go to paypal-verify.中国.", ["paypal-verify.中国"]),
    ("bank-login.рф:8443/x, then", ["bank-login.рф:8443/x"]),
    ("пример.рф и secure-login.com", ["пример.рф", "secure-login.com"]),
    ("wallet.com.рф", ["wallet.com.рф"]),  # the longer reading of one name, not both
    ("paypal.рф\tpaypal.рф", ["paypal.рф"]),
])
def test_a_bare_name_under_a_tld_of_another_script_is_a_link(text: str, found: list[str]) -> None:
    """RE2's word boundary is ASCII's: a bare name ending in `рф` before a space was no link at all."""
    assert [link.url.lower() for link in extract(text.lower())][:len(found)] == found


@pytest.mark.parametrize("text", [
    "сайт.организация работает",  # a word that only starts with a TLD (`орг`) after a missing space
    "пишите ivan@почта.рф",  # an address
    "тест.рфx",  # an ASCII letter goes on
    "ок.рф",  # a name of two letters, as under ASCII TLDs
    "конец.предложения",
])
def test_words_of_other_scripts_are_not_read_as_names(text: str) -> None:
    assert extract(text.lower()) == []


async def test_a_brand_claim_under_a_tld_of_another_script_is_blocked() -> None:
    verdict = await make_filter(ThreatFilter, {}).inspect(tmessage("срочно: secure-paypal.рф/login"))
    assert verdict.action is Action.BLOCK and "link" in verdict.reason
    ordinary = await make_filter(ThreatFilter, {}).inspect(tmessage("заходите на пример.рф и почта.рф"))
    assert ordinary.action is Action.PASS and not ordinary.hints.alert


@pytest.mark.parametrize("url", [
    "https://acct-review.wixsite.com/my-site",
    "https://helpdesk24.godaddysites.com/",
    "http://mailbox-upgrade.weebly.com/",
    "balance-notice.yolasite.com",
])
def test_a_page_on_a_site_builder_alerts_without_blocking(url: str) -> None:
    score, reasons = _score(url)
    assert "site-builder" in reasons and 0.5 <= score < 0.8


@pytest.mark.parametrize("url", [
    "https://maplenote.github.io/docs/",  # project pages, previews, blogs: hosts of code and writing
    "https://maplenote.vercel.app/",
    "https://ionel.wordpress.com/2024/01/notes",
    "https://maplenote.readthedocs.io/en/latest/",
    "https://www.wix.com/",  # the builders' own sites
    "https://www.godaddy.com/websites/website-builder",
    "https://sites.google.com/view/maplenote",
])
def test_pages_on_code_and_writing_hosts_and_the_builders_own_sites_do_not_alert(url: str) -> None:
    score, reasons = _score(url)
    assert "site-builder" not in reasons and score < 0.5


_V0 = "QmT5NvUtoM5nWFfrQdVrFtvGfKFmG7AHE8P34isapyhCxX"
_V1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


@pytest.mark.parametrize("url", [
    f"https://ipfs.io/ipfs/{_V0}",
    f"https://ipfs.io/ipfs/{_V0}/",
    f"https://gateway.example.net/ipfs/{_V1}/index.html",
    f"https://gateway.example.net/ipfs/{_V1.upper()}?filename=login.html",
    f"https://{_V1}.ipfs.w3s.link/",
    f"{_V1}.ipfs.dweb.link/#sign-in",
])
def test_a_page_addressed_by_an_ipfs_content_id_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "ipfs-page" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    f"https://ipfs.io/ipfs/{_V0}/7.png",  # an NFT's image and metadata: files, not pages
    f"https://gateway.example.net/ipfs/{_V1}/metadata.json",
    f"https://{_V1}.ipfs.w3s.link/cover.jpg",
    "https://docs.ipfs.tech/concepts/content-addressing/",
    "https://example.org/ipfs/guide",  # no content id
    f"https://example.org/blog/{_V0[:20]}",
])
def test_files_on_ipfs_and_pages_about_it_carry_no_ipfs_sign(url: str) -> None:
    assert "ipfs-page" not in _score(url)[1]  # (a gateway's name under `.link` for an id has signs of its own)


@given(st.text(alphabet="qmbafyipfs/.:-0123456789abcdefghijklmnopqrstuvwxyz", max_size=300))
@settings(max_examples=300)
def test_the_ipfs_reading_takes_any_spelling(tail: str) -> None:
    assert ipfs_page(tail.split("/", 1)[0], "/" + tail) in (True, False)


def test_a_sign_in_script_is_read_in_time_linear_in_its_path() -> None:
    """Read by splitting, not by a pattern that backtracks over a long last segment."""
    long = "/a/b/" + "login" * 400 + "x"
    assert not deep_sign_in(long) and not deep_sign_in(long + ".phpx")
    assert deep_sign_in(long + ".php") and not deep_sign_in("/a//" + "login.php")


@pytest.mark.parametrize("url", [
    "https://bakery-rossi.example/wp/old-2019/signin.php",
    "https://clinic.example/x1/portal/verify_account.php?id=7",
    "https://shop.example/media/cache/3/login.php",
])
def test_a_sign_in_script_deep_in_a_site_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "deep-sign-in" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://forum.example.org/community/login.php",  # an application's own, one directory down
    "https://blog.example.org/wp-login.php",
    "https://docs.example.org/en/latest/login.html",  # documentation pages are .html
    "https://maplenote.readthedocs.io/en/latest/user/authentication.html",
    "https://school.example/moodle/login/index.php",  # the script is not named for signing in
    "https://example.org/a/b/c/download.php",
])
def test_sign_in_pages_where_applications_and_documentation_put_them_do_not_alert(url: str) -> None:
    score, reasons = _score(url)
    assert "deep-sign-in" not in reasons and score < 0.5


@pytest.mark.parametrize("url", ["https://cöffeehub.com/", "wallët-hub.net", "https://xn--trstbank-q2a.org/"])
def test_a_latin_name_with_an_accent_or_two_under_a_generic_tld_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "accented-name" in reasons and 0.5 <= score < 0.8


@pytest.mark.parametrize("url", [
    "https://müller.de/",  # a language that writes accents, under its country's code
    "https://www.bücherei-köln.de/",
    "https://ελληνικά.com/",  # another script: read by the look-alike checks, not this one
    "https://пример.com/",
    "https://dréèéàèé.org/",  # more accents than a disguise needs: a name in its own language
    "https://coinbank.com/",
])
def test_accented_names_in_their_own_language_or_country_carry_no_accent_sign(url: str) -> None:
    assert "accented-name" not in _score(url)[1]


@pytest.mark.parametrize("text", ["I sent you photos.zip", "see report.zip", "clip.mov is too big",
                                   "backup-2024.zip"])
def test_a_file_name_under_a_tld_that_is_a_file_extension_raises_no_alert(text: str) -> None:
    found = Scan(text)
    assert all(judge(found.link(i), NONE, NONE).score < 0.5 for i in range(len(found)))


@pytest.mark.parametrize("url", ["microsoft-update.zip", "paypal-login.mov", "https://report.zip/",
                                 "report.zip/download", "www.report.zip", "http://photos.zip"])
def test_a_site_under_those_tlds_is_still_judged_as_one(url: str) -> None:
    assert _score(url)[0] >= 0.5


@pytest.mark.parametrize("url", [
    "https://bit.ly/3xK9pQ", "https://tinyurl.com/k3su5t9s", "is.gd/gdvxuo", "https://cutt.ly/ow26geod/",
    "https://t.co/texqt09luj?amp=1",
])
def test_a_shortened_link_with_an_alias_the_service_generated_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "shortener" in reasons and 0.5 <= score < 0.8


@pytest.mark.parametrize("url", [
    "https://tinyurl.com/app",  # the service's own page
    "https://bit.ly/pycon-talk",  # an alias someone chose says what it claims
    "https://bit.ly/", "https://t.co", "https://is.gd/?lang=en",
    "https://bit.ly/a/b/c",
])
def test_a_chosen_alias_or_the_shorteners_own_pages_do_not_alert(url: str) -> None:
    assert _score(url)[0] < 0.5


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/?#.", max_size=200))
@settings(max_examples=200)
def test_any_shortened_path_is_read(tail: str) -> None:
    score, _ = _score("https://bit.ly/" + tail)
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize("url", [
    "https://oakwood-dental.example/wp-content/plugins/x7/index.html",
    "https://bakery-rossi.example/wp-includes/Requests/Cookie/qz/",  # a folder among WordPress's own code
    "https://bakery-rossi.example/wp-content/themes/portal/login",
    "http://bakery-rossi.example/images/banners/em.php",
    "https://bakery-rossi.example/uploads/form/your-addresses.htm",
])
def test_a_page_among_a_sites_uploads_or_wordpress_code_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "uploaded-page" in reasons and "kit-path" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://bakery-rossi.example/wp-content/uploads/2024/05/menu.pdf",  # files WordPress serves
    "https://bakery-rossi.example/wp-content/themes/twentytwenty/style.css",
    "https://bakery-rossi.example/wp-admin/post.php?post=12&action=edit",  # the administrator's own pages
    "https://bakery-rossi.example/wp-login.php", "https://bakery-rossi.example/wp-json/wp/v2/posts",
    "https://bakery-rossi.example/images/gallery/",  # a gallery, not a script
    "https://docs.example.org/static/guide/index.html", "https://docs.example.org/assets/index.html",
    "https://bakery-rossi.example/2024/05/new-menu/",
])
def test_files_admin_pages_and_generated_sites_carry_no_uploaded_page_sign(url: str) -> None:
    assert "uploaded-page" not in _score(url)[1]


@given(st.text(alphabet="/wp-contenludsimagh.x?#", max_size=400))
@settings(max_examples=300)
def test_an_uploaded_page_is_read_from_any_path(path: str) -> None:
    assert uploaded_page("/" + path) in (True, False)


@pytest.mark.parametrize("url", [
    "https://school-portal.example/gh2/index.php?email=anna@mail.example",
    "https://bakery-rossi.example/docs/view.html?user=anna.nowak%40mail.example&lang=en",
    "http://bakery-rossi.example/admin/mail.php?main_domain=x&email=j.doe@bank.example",
])
def test_a_page_whose_query_holds_someone_elses_address_alerts(url: str) -> None:
    score, reasons = _score(url)
    assert "query-address" in reasons and score >= 0.5


@pytest.mark.parametrize("url", [
    "https://app.example/invite?email=anna@mail.example",  # an application's route names no page
    "https://bugs.example.org/enter_bug.cgi?assigned_to=nobody%40example.org",
    "https://shop.example/contact.php?to=info@shop.example",  # the site's own address
    "https://quickchart.example/qr.php?text=otpauth%3A%2F%2Ftotp%2Falice%40mail.example",  # an address inside a value
    "https://shop.example/index.php?q=a@b", "https://shop.example/index.php#anna@mail.example?x=1",
])
def test_routes_own_addresses_and_addresses_inside_values_carry_no_query_address(url: str) -> None:
    assert "query-address" not in _score(url)[1]


@given(st.text(alphabet="abc@.%40&=?#/php", max_size=300))
@settings(max_examples=300)
def test_a_query_address_is_read_from_any_path(tail: str) -> None:
    assert query_address("/index.php?" + tail, "garden-club.example") in (True, False)


@pytest.mark.parametrize("url", [
    "https://deploy-preview-42--maplenote.netlify.app/",  # a pull request's preview, built from a Git repository
    "https://maplenote-git-main-acme.vercel.app/",  # a branch build
    "https://d1a2b3c4d5e6f7.cloudfront.net/img/logo.png",  # a file on a content network: nothing to type into
    "https://pub-3f2a9c1b8d7e4f6a.r2.dev/app.js", "https://d1a2b3c4d5e6f7.cloudfront.net/fonts/inter.woff2?v=3",
])
def test_previews_built_from_a_repository_and_files_on_a_platform_do_not_alert(url: str) -> None:
    score, reasons = _score(url)
    assert score < 0.5 and not {"random-label", "random-subdomain", "hyphenated-name"} & set(reasons)


@pytest.mark.parametrize("url", [
    "https://d2x8k1q9z0abcd.cloudfront.net/",  # a page on a machine-made name
    "https://pub-3f2a9c1b8d7e4f6a.r2.dev/login.html",
    "https://d1a2b3c4d5e6f7.cloudfront.net/invoice.svg",  # an image that runs script renders a page
    "https://paypal-git-login-acme.vercel.app/",  # a brand claim in a preview's name still counts
    "https://deploy-preview-3--paypal-verify.netlify.app/",
    "https://deploy-preview-x--maplenote.netlify.app/",  # not the preview's shape
])
def test_pages_on_machine_made_names_and_brand_claims_in_previews_still_alert(url: str) -> None:
    assert _score(url)[0] >= 0.5


@pytest.mark.parametrize(("path", "found"), [
    ("/s./https:/secure.filedrop-portal.com/Authentication/sign-in/", True),  # `//` collapsed by the server
    ("/promo/datingsite.com/login.php", True),
    ("/files/shop.example.co.uk/verify/index.html", True),
    ("/github.com/acme/tools", False),  # a module named by its repository's host, no sign-in word
    ("/web/2020/https://bank.example/login", False),  # a carried link, judged as a link
    ("/blob/main/docs/auth.md", False), ("/login/", False), ("/socket.io/", False),
])
def test_a_sites_name_as_a_directory_before_a_sign_in_word_is_read(path: str, found: bool) -> None:
    assert site_in_path(path) is found


def test_a_sites_name_in_the_path_adds_to_a_kits_signs_but_is_weak_alone() -> None:
    kit = _score("https://crm2.oakwood-dental.example/s./https:/secure.filedrop-portal.com/Authentication/sign-in/"
                 "myaccount/login.vm/cda.php?id=3b48")
    assert "site-in-path" in kit[1] and kit[0] >= 0.5
    module = _score("https://pkg.example.dev/github.com/acme/auth")
    assert "site-in-path" in module[1] and module[0] < 0.5


@given(st.text(alphabet="/.abcom-loginx", max_size=600))
@settings(max_examples=300)
def test_a_site_in_a_path_is_read_from_any_path(path: str) -> None:
    assert site_in_path("/" + path) in (True, False)

@pytest.mark.parametrize("site", sorted({site for sites in CHAINS.values() for site in sites}))
def test_the_chains_own_sites_are_not_flagged(site: str) -> None:
    for url in (f"https://{site}/", f"https://www.{site}/en/wallets", site):
        score, reasons = _score(url)
        assert score < 0.5, (url, reasons)


def test_each_chain_is_named_in_its_own_registered_name() -> None:
    assert [name for name, sites in CHAINS.items()
            if not (len(name) >= 5 and name.isalpha() and any(name in site.split(".", 1)[0] for site in sites))] == []


@pytest.mark.parametrize("url", [
    "https://ethereum-magicians.org/t/eip-1559", "https://ethereum.stackexchange.com/questions/1",
    "https://polkadot.js.org/apps/", "https://polkadot.subscan.io/account/1", "https://cardanoscan.io/",
    "https://solana-labs.github.io/solana-web3.js/", "https://cardano-foundation.github.io/",
])
def test_projects_of_a_chains_ecosystem_named_for_it_are_not_flagged(url: str) -> None:
    score, reasons = _score(url)
    assert score < 0.5, reasons


@pytest.mark.parametrize(("url", "blocked"), [
    ("https://polkadot-claim.com/", True),  # the chain's name beside a lure word
    ("solanawalletrestore.com", True),  # glued to the words of a wallet scam
    ("https://secure-solana.com/", True),
    ("https://polkadott.network/", False),  # one typo from the chain's own name: a look-alike
    ("kusama-sync.com", False),  # the chain held, a scam's request of it
    ("wanchain.cloud", False),  # the chain's whole name under another suffix
])
def test_claims_on_a_chain_alert_and_beside_a_lure_block(url: str, blocked: bool) -> None:
    score, reasons = _score(url)
    assert score >= 0.5, reasons
    assert (score >= 0.8) is blocked, reasons


@pytest.mark.parametrize("name", [
    "81-2-69-142.example-panel.com",
    "shop.81-2-69-142.example-panel.com",
    "ec2-3-81-4-5.compute-1.amazonaws.com",
    "ip-81-2-69-142.example.net",
    "static.88.99.10.20.clients.example-hosting.de",
    "1.2.3.4.bc.example-cloud.com",
])
def test_address_name(name: str) -> None:
    assert address_name(name)
    assert "ip-name" in _score(f"https://{name}/")[1]


@pytest.mark.parametrize("name", [
    "10-0-0-5.nip.example",  # a private address: serves nobody else
    "127-0-0-1.example.io",
    "ip-172-31-5-6.ec2.internal",
    "v1-2-3-4.example.com",  # a version, not an address
    "release-2024-10-12-1.example.com",
    "node-1-2-3.example.com",
    "1-2-3-400.example.com",
    "mirror.example.org",
    "81.2.69.142",  # an address itself is read as one (`ip-literal`)
])
def test_not_address_name(name: str) -> None:
    assert not address_name(name)


def test_address_name_shape_counted_once() -> None:
    """The dashes of an address are not also a machine-made label: an address name alone is an alert, not a block."""
    score, reasons = _score("https://81-2-69-142.example-panel.com/")
    assert reasons == ("ip-name",) and 0.5 <= score < 0.8


@pytest.mark.parametrize("url", [
    "https://j.mp/3kQ9xZ", "https://tiny.one/4mnb7kp2", "https://x.gd/Ab3dE", "https://qrco.de/bdX9Kq",
    "https://myapp.page.link/Xy7q", "https://shop.app.link/e/7Gh2kLmN9", "https://ift.tt/3vB8nQz",
])
def test_more_shorteners_alert_on_a_generated_alias(url: str) -> None:
    score, reasons = _score(url)
    assert "shortener" in reasons and score >= 0.5


@pytest.mark.parametrize("url", ["https://bit.do/pycon-talk", "https://j.mp/", "https://youtu.be/dQw4w9WgXcQ"])
def test_shortener_chosen_alias_or_known_destination(url: str) -> None:
    score, _ = _score(url)
    assert score < 0.5


@pytest.mark.parametrize(("url", "kit"), [
    ("https://team-notes.netlify.app/authentication.html", False),  # documentation's topic page
    ("https://example.org/docs/authentication.htm", False),
    ("https://example.org/auth.html", True),  # a page named for the act
    ("https://example.org/authorize.html", True),
    ("https://example.org/authentication.php", True),  # a script, by any name
    ("https://example.org/secure_online_alert.html", True),
    ("https://example.org/login-secure.html", True),
])
def test_kit_pages_are_named_for_the_act(url: str, kit: bool) -> None:
    assert ("kit-path" in _score(url)[1]) is kit
