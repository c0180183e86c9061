"""The corpus split: phishing links dealt by campaign within each kind of hosting, other categories by family."""

from __future__ import annotations

from benchmarks.threat.split import TUNING, VALIDATION, families, parts


def _phish(*texts: str) -> list[dict[str, str]]:
    return [{"text": text, "label": "attack", "category": "phishing_link"} for text in texts]


def test_names_sharing_a_word_to_one_typo_are_one_campaign() -> None:
    rows = _phish("brandmarket.k3j4h5.lol", "brandmarkat.offer88.click", "brand.x9y8z7.study",
                  "https://brandmarket-pl.q1w2.sbs/pay", "quietharbour.example")
    names = families(rows)
    assert len(set(names[:4])) == 1
    assert names[4] != names[0]
    assert names[0].startswith("phishing_link:bare-domain/")  # the kind most of its lines have


def test_a_platform_is_one_family_and_a_site_its_subdomains() -> None:
    rows = _phish("https://one-name.netlify.app/", "http://other-thing.netlify.app/login",
                  "http://a1b2c3.example.cl/", "https://d4e5f6.example.cl/")
    names = families(rows)
    assert names[0] == names[1] == "phishing_link:free-hosting/netlify.app"
    assert names[2] == names[3] == "phishing_link:scheme-url/example.cl"


def test_both_parts_hold_every_kind_of_hosting() -> None:
    rows = _phish("https://a-page.vercel.app/", "https://b-page.vercel.app/", "https://c-page.netlify.app/",
                  "https://d-page.pages.dev/", "lumbrio.click", "varquent.sbs", "tesselmoor.lol",
                  "https://ploughstone.example/", "https://windlecourt.example/x")
    split = parts(rows)
    for kind in ("free-hosting", "bare-domain", "scheme-url"):
        for part in (TUNING, VALIDATION):
            assert any(name.startswith(f"phishing_link:{kind}/") for name in families(split[part])), (kind, part)


def test_other_categories_keep_their_families() -> None:
    rows = [{"text": "SELECT 1 UNION SELECT password FROM users", "label": "attack", "category": "sqli"},
            {"text": "select name from users where id = 4", "label": "benign", "category": "benign_code_snippet"}]
    assert families(rows) == ["sqli:union", "benign_code_snippet:sql"]
