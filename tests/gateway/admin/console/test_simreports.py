"""Attack-simulation reports on the Reports page: only reports of the right shape, chosen by listed
name only, failures first, everything escaped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from gateway.admin.console.simreports import listing, section


def report(failed: str = "jwt.alg-none", evidence: str = "401") -> dict[str, Any]:
    probes = [{"id": "path.dotdot", "category": "path", "route": "chat", "title": "Dot segments refused",
               "severity": "high", "outcome": "held", "evidence": "400", "reason": "", "duration_ms": 3},
              {"id": failed, "category": "jwt", "route": None, "title": "alg none refused", "severity": "critical",
               "outcome": "failed", "evidence": evidence, "reason": "", "duration_ms": 4}]
    return {"format": "chatguard-attack-sim/1", "target": "https://127.0.0.1:8443", "config": "/etc/cg.yaml",
            "started_at": "2026-12-06T11:00:00Z", "finished_at": "2026-12-06T11:00:42Z", "duration_s": 42.0,
            "summary": {"total": 2, "held": 1, "failed": 1, "skipped": 0},
            "routes": [{"route": "chat", "total": 1, "held": 1, "failed": 0, "skipped": 0}], "probes": probes,
            "trend": {"previous_started_at": "2026-12-05T11:00:00Z", "newly_failed": [failed], "fixed": []}}


def test_only_reports_of_the_shape_are_listed_newest_first(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_bytes(orjson.dumps(report()))
    (tmp_path / "new.json").write_bytes(orjson.dumps(report()))
    os.utime(tmp_path / "old.json", (1, 1))
    (tmp_path / "other.json").write_bytes(orjson.dumps({"format": "something-else"}))
    (tmp_path / "broken.json").write_bytes(b"{not json")
    (tmp_path / "notes.txt").write_bytes(orjson.dumps(report()))
    assert [r.name for r in listing(str(tmp_path))] == ["new.json", "old.json"]
    assert listing(str(tmp_path / "missing")) == []


async def test_failures_come_first_and_everything_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_bytes(orjson.dumps(report("<script>x</script>", "<img src=x onerror=y>")))
    page = await section(str(tmp_path / "run.json"), "../../etc/passwd")  # not a listed name: the configured one
    assert "<script>x" not in page and "<img src=x" not in page and "&lt;img src=x onerror=y&gt;" in page
    assert page.index("&lt;script&gt;x") < page.index("path.dotdot")  # failed before held
    assert "newly failed: &lt;script&gt;x&lt;/script&gt;" in page


async def test_the_configured_report_is_shown_unless_another_listed_one_is_chosen(tmp_path: Path) -> None:
    (tmp_path / "latest.json").write_bytes(orjson.dumps(report("latest.probe")))
    (tmp_path / "newer-copy.json").write_bytes(orjson.dumps(report("copy.probe")))
    assert "latest.probe" in await section(str(tmp_path / "latest.json"), "")
    assert "copy.probe" in await section(str(tmp_path / "latest.json"), "newer-copy.json")


async def test_without_a_report_the_page_says_where_it_would_come_from() -> None:
    assert "attacksim_report" in await section("", "")
