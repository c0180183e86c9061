"""The ordinary-URL report reads its sets through realurls, dealt and viewed the way bench.py reads them."""

from __future__ import annotations

from benchmarks.threat import ordinary_urls, realurls


def test_the_shipped_sets_are_the_organisations_and_the_real_set_in_bench_parts() -> None:
    sets = ordinary_urls.sets(live=False)
    assert list(sets) == ["organisations (written for the project)", "real (benchmarks/threat/data/real_urls.txt)"]
    organisations, real = sets.values()
    assert real == realurls.parts(realurls.load())
    assert organisations == realurls.parts_keeping(realurls.organisations(), real)
    real_sites = {part: {realurls.site_of(url) for url in urls} for part, urls in real.items()}
    for part, other in (("tuning", "validation"), ("validation", "tuning")):
        assert not {realurls.site_of(url) for url in organisations[part]} & real_sites[other]


def test_flagged_counts_an_alert_or_a_block_and_keeps_the_order() -> None:
    texts = ["https://docs.python.org/3/", "https://paypal.com.secure-login.example.tk/verify", "example.org"]
    assert ordinary_urls.flagged(texts, "bot") == [texts[1]]
