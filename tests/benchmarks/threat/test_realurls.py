"""The real ordinary-URL set: how URLs are read out of package files, capped per host and split by site."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.threat import realurls
from filters.threat.hosts import parse_host


@pytest.mark.parametrize(("text", "expected"), [
    ("Home-page: https://example.org/project", ["https://example.org/project"]),
    ("see (https://docs.example.org/en/latest/).", ["https://docs.example.org/en/latest/"]),
    ("[docs](https://example.org/a_(b)) and **https://git-scm.com/)**", ["https://example.org/a_(b)", "https://git-scm.com/"]),
    ("<http://lists.example.org/listinfo/dev>, 'https://example.org/x'", ["http://lists.example.org/listinfo/dev", "https://example.org/x"]),
    ("`https://example.org/${VERSION}/x` https://example.org/{version}/y", []),
    ("https://paypal.com@evil.example/ and https://user:pw@example.org/", []),
    ("http://localhost:8080/docs and http://intranet/", ["http://localhost:8080/docs"]),
    ("no link here, just http:// and https", []),
])
def test_urls_in_reads_links_as_written_and_leaves_out_templates_and_user_names(text: str, expected: list[str]) -> None:
    assert list(realurls.urls_in(text)) == expected


def test_collect_reads_metadata_and_copyright_files(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "demo-1.0.dist-info").mkdir(parents=True)
    (site / "demo-1.0.dist-info" / "METADATA").write_text("Project-URL: Docs, https://demo.example.org/docs\n")
    (site / "old-0.1.egg-info").mkdir()
    (site / "old-0.1.egg-info" / "PKG-INFO").write_text("Home-page: http://old.example.net/\n")
    (site / "demo").mkdir()
    (site / "demo" / "README").write_text("https://not-read.example.com/\n")  # only metadata files are read
    docs = tmp_path / "doc"
    (docs / "libdemo").mkdir(parents=True)
    (docs / "libdemo" / "copyright").write_text("Source: https://git.example.org/libdemo\n")
    files = realurls.metadata_files([site]) + realurls.copyright_files(docs)
    assert realurls.collect(files) == {"https://demo.example.org/docs", "http://old.example.net/",
                                       "https://git.example.org/libdemo"}


def test_per_host_caps_each_host_and_is_deterministic() -> None:
    urls = [f"https://github.com/owner/repo{n}" for n in range(30)] + ["https://www.example.org/a",
                                                                       "https://example.org/b"]
    kept = realurls.per_host(urls, 3)
    hosts = Counter(realurls.host_of(url) for url in kept)
    assert hosts == {"github.com": 3, "example.org": 2}
    assert kept == realurls.per_host(list(reversed(urls)), 3) == sorted(kept)


def test_parts_keep_each_site_in_one_part_and_balance_the_capped_urls() -> None:
    urls = realurls.load()
    dealt = realurls.parts(urls)
    assert sorted(dealt) == ["tuning", "validation"]
    assert sorted(dealt["tuning"] + dealt["validation"]) == sorted(urls)
    sites = {part: {parse_host(realurls.host_of(url)).tenant for url in held} for part, held in dealt.items()}
    assert not sites["tuning"] & sites["validation"]
    capped = [len(realurls.per_host(held, realurls.PER_HOST)) for held in dealt.values()]
    assert abs(capped[0] - capped[1]) <= max(capped) // 10


def test_the_shipped_set_is_large_unique_and_only_links() -> None:
    urls = realurls.load()
    assert len(urls) >= 3000 and len(set(urls)) == len(urls)
    assert all(url.startswith(("http://", "https://")) and " " not in url for url in urls)
    assert len({realurls.host_of(url) for url in urls}) >= 400
    assert realurls.OUT.read_text(encoding="utf-8").startswith("# Real ordinary URLs")


def test_urls_with_a_refused_word_are_left_out() -> None:
    word = "Ag" + "ent"  # spelt in two so that the wording check passes this file too
    assert list(realurls.urls_in(f"https://docs.example.org/api/client.{word}.html https://example.org/pag{word}")) \
        == [f"https://example.org/pag{word}"]
