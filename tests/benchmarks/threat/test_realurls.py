"""The ordinary URLs the benchmarks read: how URLs are read out of package files and organisations.txt, the
shipped set built, capped per host, viewed and split by site."""

from __future__ import annotations

import gzip
import re
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


def test_doc_files_are_the_other_documentation_read_through_gzip(tmp_path: Path) -> None:
    (tmp_path / "libdemo" / "examples").mkdir(parents=True)
    (tmp_path / "libdemo" / "copyright").write_text("Source: https://git.example.org/libdemo\n")
    with gzip.open(tmp_path / "libdemo" / "changelog.Debian.gz", "wt") as log:
        log.write("  * New upstream release, see https://lists.example.org/2020/msg1.html.\n")
    (tmp_path / "libdemo" / "examples" / "README").write_text("Home: <https://demo.example.net/>\n")
    (tmp_path / "libdemo" / "broken.gz").write_bytes(b"not gzip")
    (tmp_path / "libdemo" / "NEWS").symlink_to(tmp_path / "libdemo" / "examples" / "README")
    files = realurls.doc_files(tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in files] == [
        "libdemo/broken.gz", "libdemo/changelog.Debian.gz", "libdemo/examples/README"]
    assert realurls.collect(files) == {"https://lists.example.org/2020/msg1.html", "https://demo.example.net/"}


def test_build_writes_a_header_then_every_url_once_sorted(tmp_path: Path) -> None:
    site = tmp_path / "site-packages" / "demo-1.0.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Home-page: https://demo.example.org/\nSee https://github.com/o/demo\n")
    (tmp_path / "doc" / "demo").mkdir(parents=True)
    (tmp_path / "doc" / "demo" / "copyright").write_text("Source: https://github.com/o/demo\n")
    text = realurls.build([tmp_path / "site-packages"], tmp_path / "doc")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert text.splitlines()[len(header):] == ["https://demo.example.org/", "https://github.com/o/demo"]
    assert "(1 METADATA / PKG-INFO files, 2 distinct URLs)" in header[1] and "(1 files, 1 distinct URLs)" in header[2]
    assert "2 URLs" in header[3] and "on 2 hosts" in header[4]


def test_the_shipped_set_has_the_header_build_writes(tmp_path: Path) -> None:
    def shape(text: str) -> list[str]:
        return [re.sub(r"\d+", "N", line) for line in text.splitlines() if line.startswith("#")]

    built = realurls.build([], tmp_path).replace(str(tmp_path), "/usr/share/doc")
    assert shape(realurls.OUT.read_text(encoding="utf-8")) == shape(built)


def test_organisations_are_read_with_the_one_url_reading_and_lose_no_line() -> None:
    lines = realurls.ORGANISATIONS.read_text(encoding="utf-8").splitlines()
    written = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert realurls.organisations() == written and len(written) >= 600


def test_views_are_the_capped_urls_every_url_and_the_bare_hosts() -> None:
    urls = [f"https://github.com/o/r{n}" for n in range(12)] + ["https://WWW.Example.org:8443/a"]
    views = realurls.views(urls)
    assert list(views) == [f"<= {realurls.PER_HOST} per host", "all", "hosts written bare"]
    assert views["all"] == urls and views[f"<= {realurls.PER_HOST} per host"] == realurls.per_host(urls)
    assert views["hosts written bare"] == realurls.bare_hosts(urls) == ["example.org", "github.com"]
    assert len(realurls.views(urls, 2)["<= 2 per host"]) == 3


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


def test_parts_keeping_leaves_earlier_sites_in_their_part_and_deals_the_rest() -> None:
    earlier = {"tuning": ["https://github.com/a/b"], "validation": ["https://docs.python.org/3/"]}
    urls = ["https://github.com/c/d", "https://www.python.org/", "https://x.example.org/", "https://example.net/",
            "https://abc.blogspot.com/", "https://xyz.blogspot.com/"]
    dealt = realurls.parts_keeping(urls, earlier)
    assert sorted(dealt["tuning"] + dealt["validation"]) == sorted(urls)
    assert "https://github.com/c/d" in dealt["tuning"] and "https://www.python.org/" in dealt["validation"]
    rest = realurls.parts(urls[2:])
    assert [url for url in dealt["tuning"] if url in urls[2:]] == rest["tuning"]
    assert realurls.parts_keeping(urls, {"tuning": [], "validation": []}) == realurls.parts(urls)


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
