"""YAML regression cases: attack payloads and benign look-alikes, per sink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from filters import Action, Message
from filters.threat import ThreatFilter, ThreatOptions

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            params.append(pytest.param(case, id=f"{path.stem}[{index}]"))
    return params


FILTERS = {sink: ThreatFilter(ThreatOptions(sink=sink)) for sink in ("plain", "html", "bot")}


@pytest.mark.parametrize("case", _load())
async def test_case(case: dict[str, Any]) -> None:
    verdict = await FILTERS[case.get("sink", "plain")].inspect(Message(case["text"]))
    expect = case["expect"]
    if expect == "pass":
        assert verdict.action is Action.PASS and not verdict.hints.alert, verdict
    elif expect == "flag":
        assert verdict.action is not Action.PASS or verdict.hints.alert, verdict
    elif expect == "block":
        assert verdict.action is Action.BLOCK, verdict
    else:
        assert verdict.action is Action.MODIFY, verdict
    for label in case.get("labels", []):
        assert label in verdict.hints.labels, verdict
