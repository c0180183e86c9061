"""The link-sign ablation: signals gathered per link as the judgement combines them, one sign left out at a time."""

from __future__ import annotations

from benchmarks.threat.ablate import flagged_without, link_signals
from filters.threat import links


def test_a_links_signals_are_gathered_and_the_judgement_left_as_it_was() -> None:
    finish = links._finish
    gathered = link_signals("see https://www.quiet-tenant.vercel.app/ and https://example.org/")
    assert links._finish is finish
    assert len(gathered) == 2
    assert {why for _, why in gathered[0]} == {"free-hosting:vercel.app", "www-on-free-host"}
    assert gathered[1] == []


def test_a_line_flagged_only_with_a_sign_is_lost_without_it() -> None:
    lines = [link_signals("https://www.quiet-tenant.vercel.app/")]
    assert flagged_without(lines, None, 0.5) == 1
    assert flagged_without(lines, "www-on-free-host", 0.5) == 0
    assert flagged_without(lines, "tld", 0.5) == 1
