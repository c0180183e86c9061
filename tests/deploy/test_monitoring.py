"""deploy/monitoring: alert rules and dashboard use only documented metrics; promtool checks the rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
SERIES = re.compile(r"\b(chatguard_[a-z0-9_]+|up)\b(?!\s*\()")
HISTOGRAM_PARTS = ("_bucket", "_sum", "_count")


def documented() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Metric -> (type, labels) from the table in deploy/monitoring/README.md."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in (MONITORING / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            labels = tuple(sorted(label.strip() for label in cells[2].split(",") if label.strip()))
            table[cells[0].strip("`")] = (cells[1], labels)
    return table


def _base(name: str, table: dict[str, Any]) -> str:
    for part in HISTOGRAM_PARTS:
        if name.endswith(part) and name.removesuffix(part) in table:
            return name.removesuffix(part)
    return name


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return loaded


def dashboard_exprs() -> list[str]:
    exprs = [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard()["templating"]["list"] if "definition" in v]
    return exprs


def test_rules_are_complete() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)) and len(names) >= 10
    for rule in rules():
        assert re.fullmatch(r"Chatguard[A-Z][A-Za-z]+", rule["alert"])
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_series_used_is_documented(source: str) -> None:
    table = documented()
    exprs = [rule["expr"] for rule in rules()] if source == "rules" else dashboard_exprs()
    used = {_base(name, table) for expr in exprs for name in SERIES.findall(re.sub(r'"[^"]*"', '""', expr))}
    assert used - set(table) == set(), "document these in deploy/monitoring/README.md"
    assert len(used) >= 10


def test_documented_metrics_match_what_the_gateway_defines() -> None:
    """A metric the gateway defines carries the documented name and type, and no undocumented label.

    A documented label the gateway does not set yet only leaves a
    dashboard legend empty; an unknown one would split the series the rules add up."""
    from prometheus_client.metrics import MetricWrapperBase

    from gateway.metrics import Metrics

    table = documented()
    defined = 0
    for metric in vars(Metrics()).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        wire = metric._name + ("_total" if metric._type == "counter" else "")
        assert wire in table, f"{wire} is not documented in deploy/monitoring/README.md"
        kind, labels = table[wire]
        assert metric._type == kind, wire
        assert set(metric._labelnames) <= set(labels), (wire, metric._labelnames, labels)
        defined += 1
    assert defined >= 5


def test_dashboard_is_importable() -> None:
    board = dashboard()
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert board["uid"] and board["title"] == "chatguard"
    for panel in board["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["description"], panel["title"]
        for target in panel["targets"]:
            assert 'job=~"$job"' in target["expr"] and 'instance=~"$instance"' in target["expr"], panel["title"]


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool not installed (.ci/run installs it from Debian's prometheus package)")
    return found


@pytest.mark.parametrize("command", [["check", "rules", "alerts.yaml"], ["test", "rules", "alerts.test.yaml"]])
def test_promtool(command: list[str]) -> None:
    done = subprocess.run([_promtool(), *command], cwd=MONITORING, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
