"""The parts of attack-sim that need no target: safety checks, probe plan, bodies, report and trend."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gateway.config.settings import parse_settings
from gateway.tools.attacksim import html, report
from gateway.tools.attacksim.model import Probe, Ran, Result, held
from gateway.tools.attacksim.probes_http import luhn_card
from gateway.tools.attacksim.runner import plan
from gateway.tools.attacksim.safety import Pace, TargetRefused, check_target
from gateway.tools.attacksim.targets import body_for

CONFIG: dict[str, Any] = {
    "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
    "filters": {"words": {"use": "keyword", "options": {"words": ["x"]}}},
    "routes": [
        {"name": "widget", "match": {"path": "/w/{room}", "methods": ["POST"]}, "upstream": "up",
         "allow": ["anonymous"], "filters": ["words"], "messages": {"inbound": {"json": ["/messages/*/text"]}}},
        {"name": "agent", "match": {"path": "/a/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
        {"name": "live", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["anonymous"]},
    ],
}


@pytest.mark.parametrize(("url", "owned", "ok"), [
    ("http://127.0.0.1:8080", False, True), ("https://10.1.2.3", False, True), ("http://[::1]:1", False, True),
    ("http://8.8.8.8", False, False), ("http://8.8.8.8", True, True), ("ftp://127.0.0.1", True, False),
    ("http://localhost:9", False, True),
])
def test_targets_outside_private_ranges_need_the_flag(url: str, owned: bool, ok: bool) -> None:
    if ok:
        check_target(url, owned)
    else:
        with pytest.raises(TargetRefused):
            check_target(url, owned)


async def test_pace_bounds_the_rate() -> None:
    pace = Pace(rate=1000.0, max_duration=60)
    await pace.take(1000)  # the bucket's worth goes at once
    loop = asyncio.get_running_loop()
    waited = loop.time()
    await pace.take(100)   # the next hundred wait for the bucket to refill
    assert loop.time() - waited > 0.05
    assert not pace.expired and Pace(1, 0).expired


def test_plan_follows_the_config() -> None:
    ids = [p.id for p in plan(parse_settings(CONFIG, environ={}))]
    assert len(ids) == len(set(ids))
    for expected in ("smuggling.framing", "path.spellings.agent", "authn.none.agent", "headers.identity.agent",
                     "inject.widget", "sensitive.widget", "jwt.alg-none.agent", "ws.origin.live", "ws.flood.live",
                     "slow.header"):
        assert expected in ids
    assert not any(i.endswith(".widget") and i.startswith(("authn", "path")) for i in ids)  # public: no authn probes
    assert not any(i.startswith("totp") for i in ids)  # no auth section


def test_body_puts_text_where_the_route_reads() -> None:
    route = parse_settings(CONFIG, environ={}).routes[0]
    assert body_for(route, "hi") == (b'{"messages": [{"text": "hi"}]}', "application/json")


def test_card_number_passes_luhn() -> None:
    digits = [int(c) for c in luhn_card().replace(" ", "")]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    assert len(digits) == 16 and total % 10 == 0


async def _noop(session: Any) -> Result:
    return held("")


def _runs(outcomes: dict[str, str]) -> list[Ran]:
    return [Ran(Probe(i, "path", f"title {i}", "high", _noop, "r" if i != "g" else None), Result(o, "ev <b>"), 3)  # type: ignore[arg-type]
            for i, o in outcomes.items()]


def _report(outcomes: dict[str, str], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    now = time.time()
    return report.build(_runs(outcomes), target="https://127.0.0.1:1", config="c.yaml", version="1", started=now,
                        finished=now + 2, rate=20, max_duration=300, previous=previous)


def test_report_shape_and_trend() -> None:
    before = _report({"a": "failed", "b": "held", "c": "failed", "gone": "held"})
    now = _report({"a": "held", "b": "failed", "c": "failed", "new": "skipped", "g": "held"}, before)
    assert now["format"] == "chatguard-attack-sim/1"
    assert now["summary"] == {"total": 5, "held": 2, "failed": 2, "skipped": 1}
    assert {r["route"] for r in now["routes"]} == {"r", "(gateway)"}
    assert set(now["probes"][0]) == {"id", "category", "route", "title", "severity", "outcome", "evidence",
                                     "reason", "duration_ms"}
    trend = now["trend"]
    assert trend["newly_failed"] == ["b"] and trend["fixed"] == ["a"]
    assert trend["new"] == ["g", "new"] and trend["gone"] == ["gone"]
    assert trend["delta"] == {"held": 0, "failed": 0, "skipped": 1}


def test_html_is_self_contained_and_escaped() -> None:
    page = html.render(_report({"a": "failed", "b": "held"}, _report({"a": "held"})))
    assert "ev &lt;b&gt;" in page and "<b>" in page  # evidence escaped, own markup kept
    for outside in ("<script", "<link", "src=", "url(", "@import"):
        assert outside not in page
    assert "Newly failed: a" in page
