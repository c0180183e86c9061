"""Replays the YAML event streams in `cases/` through the behaviour filter with their own timestamps.

The store's clock follows the stream too, so expiries (sets, baselines) happen in stream time and a
case spanning an hour runs in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from filters import Action, FilterContext, Principal, Verdict
from filters.behaviour import BehaviourFilter, BehaviourOptions
from filters.options import bind
from filters.testing import tmessage
from gateway.state import MemoryStore

CASES = Path(__file__).parent / "cases"
T0 = 1_700_000_000.0
EXPECTS = frozenset({"pass", "flag", "block", "ban"})
# Ordinary, varied chat lines for benign streams: "{chat}" in a text takes line n (round robin).
CHAT = (CASES / "chat_lines.txt").read_text().splitlines()
_RUN = re.compile(r"^(pass|flag|block|ban)(?:\*(\d+))?$")


@dataclass(frozen=True)
class Event:
    t: float
    subject: str | None
    address: str
    room: str
    text: str
    expect: str
    labels: tuple[str, ...]
    agent: str = ""
    route: str = "chat"


def runs(spec: str, count: int, where: str) -> list[str]:
    """`"pass*3 block"` -> ["pass", "pass", "pass", "block"], checked against the repeat count."""
    out: list[str] = []
    for token in spec.split():
        found = _RUN.match(token)
        assert found, f"{where}: bad expect token {token!r}"
        out += [found[1]] * int(found[2] or 1)
    assert len(out) == count, f"{where}: expect lists {len(out)} results for {count} events"
    return out


def text(template: str, n: int) -> str:
    return template.replace("{chat}", CHAT[n % len(CHAT)]).replace("{n}", str(n))


def expand(entry: dict[str, Any], where: str) -> list[Event]:
    count = int(entry.get("repeat", 1))
    every = float(entry.get("every", 0))
    cycle: dict[str, list[Any]] = entry.get("cycle", {})
    expects = runs(str(entry["expect"]), count, where)
    events = []
    for n in range(count):
        value = {**entry, **{key: options[n % len(options)] for key, options in cycle.items()}}
        events.append(Event(float(entry["t"]) + n * every, value.get("subject"), str(value.get("address", "unknown")),
                            str(value.get("room", "-")), text(str(value["text"]), n), expects[n],
                            tuple(value.get("labels", ())), str(value.get("agent", "")),
                            str(value.get("route", "chat"))))
    return events


def load() -> list[Any]:
    params = []
    for file in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text()):
            assert case["kind"] in ("attack", "benign"), f"{file.name}: {case['name']}: kind"
            where = f"{file.name}: {case['name']}"
            events = [e for i, entry in enumerate(case["events"]) for e in expand(entry, f"{where} #{i}")]
            params.append(pytest.param(case, events, id=f"{file.stem}:{case['kind']}:{case['name']}"))
    return params


def outcome(verdict: Verdict) -> str:
    if verdict.action is Action.BLOCK:
        return "ban" if verdict.hints.ban else "block"
    return "flag" if verdict.findings else "pass"


@pytest.mark.parametrize(("case", "events"), load())
async def test_case(case: dict[str, Any], events: list[Event]) -> None:
    clock = [T0]
    flt = BehaviourFilter(bind(BehaviourOptions, case.get("options", {}), "options"),
                          FilterContext(store=MemoryStore(clock=lambda: clock[0])))
    got = []
    for event in sorted(events, key=lambda e: e.t):
        clock[0] = T0 + event.t
        principal = Principal(event.subject, frozenset({"user"})) if event.subject else Principal()
        message = tmessage(event.text, principal=principal, client=event.address, conversation=event.room,
                           route=event.route,
                           metadata={"user_agent": event.agent} if event.agent else {})
        verdict = await flt.check(message, T0 + event.t)
        got.append((event.t, outcome(verdict)))
        missing = set(event.labels) - set(verdict.hints.labels) if event.expect != "pass" else set()
        assert not missing, f"t={event.t}: labels {sorted(missing)} not in {verdict.hints.labels}"
    assert got == [(e.t, e.expect) for e in sorted(events, key=lambda e: e.t)]
    if case["kind"] == "benign":
        assert all(result in ("pass", "flag") for _, result in got)


def test_every_file_has_attacks_and_benign_look_alikes() -> None:
    kinds: dict[str, set[str]] = {}
    for file in CASES.glob("*.yaml"):
        kinds[file.stem] = {case["kind"] for case in yaml.safe_load(file.read_text())}
    assert kinds and all(found == {"attack", "benign"} for found in kinds.values()), kinds
    assert EXPECTS >= {"pass", "flag", "block", "ban"}
