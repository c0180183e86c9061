"""The fresh phishing set as shipped (the sources whose licence allows it): well formed, split by campaign,
and sharing no site with the bundled corpus."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from benchmarks.threat.fresh import OUT, SHIPPED, owner
from benchmarks.threat.split import TUNING, VALIDATION, families, load

BUNDLED = Path(__file__).resolve().parents[3] / "tests" / "data" / "threat_cases.jsonl"


def _rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines()]


def test_every_line_is_a_labelled_phishing_link_with_its_source_and_part() -> None:
    rows = _rows()
    assert len(rows) >= 100
    for row in rows:
        assert row["label"] == "attack" and row["category"] == "phishing_link"
        assert row["source"] in SHIPPED  # PhishTank's lines are not redistributed (data/README.md)
        assert row["part"] in (TUNING, VALIDATION)


def test_a_campaign_lies_wholly_in_one_part_and_both_parts_hold_each_source() -> None:
    rows = _rows()
    parts: dict[str, set[str]] = defaultdict(set)
    for row, name in zip(rows, families(rows), strict=True):
        parts[name].add(row["part"])
    assert all(len(held) == 1 for held in parts.values())
    assert {(row["source"], row["part"]) for row in rows} == {
        (source, part) for source in SHIPPED for part in (TUNING, VALIDATION)}


def test_no_site_is_shared_with_the_corpus_or_repeated() -> None:
    sites = [owner(row["text"])[0] for row in _rows()]
    assert len(sites) == len(set(sites))
    corpus = {owner(row["text"])[0] for row in load(BUNDLED) if row["category"] == "phishing_link"}
    assert not corpus & set(sites)
