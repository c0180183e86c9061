"""The second fresh phishing set as shipped, and how `fresh2.py` chooses and splits its lines."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from benchmarks.threat import fresh2
from benchmarks.threat.fresh import OUT as FIRST_OUT
from benchmarks.threat.fresh import owner
from benchmarks.threat.split import TUNING, VALIDATION, families, load

BUNDLED = Path(__file__).resolve().parents[3] / "tests" / "data" / "threat_cases.jsonl"


def _rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in fresh2.OUT.read_text(encoding="utf-8").splitlines()]


def test_every_line_is_a_labelled_phishing_link_from_the_shipped_candidates() -> None:
    rows = _rows()
    candidates = set(fresh2.domains(fresh2.POLKADOT.read_text(encoding="utf-8")))
    assert len(rows) == 150
    for row in rows:
        assert row["label"] == "attack" and row["category"] == "phishing_link"
        assert row["source"] in fresh2.SHIPPED  # the 2021 PhishTank lines are not redistributed
        assert row["part"] in (TUNING, VALIDATION)
        assert row["text"] in candidates


def test_a_campaign_lies_wholly_in_one_part_and_both_parts_are_held() -> None:
    rows = _rows()
    parts: dict[str, set[str]] = defaultdict(set)
    for row, name in zip(rows, families(rows), strict=True):
        parts[name].add(row["part"])
    assert all(len(held) == 1 for held in parts.values())
    assert {row["part"] for row in rows} == {TUNING, VALIDATION}


def test_no_site_is_shared_with_the_corpus_the_first_set_or_itself() -> None:
    sites = [owner(row["text"])[0] for row in _rows()]
    assert len(sites) == len(set(sites))
    corpus = {owner(row["text"])[0] for row in load(BUNDLED) if row["category"] == "phishing_link"}
    first = {owner(row["text"])[0] for row in load(FIRST_OUT)}
    assert not (corpus | first) & set(sites)


def test_domains_reads_one_a_line_without_comments_case_or_root_dot() -> None:
    assert fresh2.domains("# header\nExample.COM.\n\n  wallet-fix.xyz  # note\n") == ["example.com", "wallet-fix.xyz"]


def test_build_leaves_out_excluded_known_and_repeated_sites_and_writes_parts() -> None:
    first_site = json.loads(FIRST_OUT.read_text(encoding="utf-8").splitlines()[0])["text"]
    urls = ["http://login.parcel-notice-qzx.com/track", "https://parcel-notice-qzx.com/again",
            "http://203.0.113.9/bank/login.php"]
    candidates = ["airdrop-claim-vvq.xyz", "excluded-one.top", first_site, "AIRDROP-claim-vvq.xyz",
                  "rpcfix-zzq.online"]
    rows = fresh2.build(urls, fresh2.domains("\n".join(candidates)), {"excluded-one.top"}, count=10)
    texts = [row["text"] for row in rows]
    assert texts[:2] == ["http://login.parcel-notice-qzx.com/track", "http://203.0.113.9/bank/login.php"]
    assert set(texts[2:]) == {"airdrop-claim-vvq.xyz", "rpcfix-zzq.online"}
    assert [row["source"] for row in rows] == [fresh2.PHISHTANK] * 2 + [fresh2.POLKADOT_SOURCE] * 2
    assert all(row["part"] in (TUNING, VALIDATION) for row in rows)


def test_build_keeps_at_most_count_candidates() -> None:
    candidates = [f"{word}-wallet{n}.xyz" for n, word in enumerate(("alpha", "bravo", "charlie", "delta", "echo"))]
    rows = fresh2.build([], candidates, set(), count=2)
    assert len(rows) == 2 and all(row["source"] == fresh2.POLKADOT_SOURCE for row in rows)
