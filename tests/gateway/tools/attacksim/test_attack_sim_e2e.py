"""attack-sim against real deployments: the hardened example holds; each weakness is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.gateway.tools.attacksim.deployment import attack, deployed, enrol_totp
from tests.gateway.tools.audit.conftest import make_secrets

pytestmark = pytest.mark.slow


def outcomes(tmp: Path) -> dict[str, str]:
    report = orjson.loads((tmp / "report.json").read_bytes())
    return {p["id"]: p["outcome"] for p in report["probes"]}


async def test_hardened_example_holds(tmp_path: Path) -> None:
    secrets = make_secrets(tmp_path / "secrets")
    async with deployed(tmp_path, secrets) as deployment:
        secret = await enrol_totp(deployment)
        code, output = await attack(deployment, tmp_path, secret=secret)
    found = outcomes(tmp_path)
    assert [i for i, o in found.items() if o != "held"] == [], output
    assert code == 0


def _weaken(config: dict[str, Any]) -> None:
    config["filters"]["crash"] = {"use": "crash"}
    for route in config["routes"]:
        if route["name"] == "widget":      # a crashing filter, failing open
            route["filters"], route["fail"] = ["crash"], "open"
        elif route["name"] == "agent":     # access control only logged
            route["mode"] = "shadow"
        elif route["name"] == "live":      # no Origin check
            route["websocket"]["origins"] = ["*"]


def _crash_plugin(directory: Path) -> str:
    dist = directory / "cgsim_crash-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cgsim-crash\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(
        "[chatguard.filters]\ncrash = tests.gateway.tools.attacksim.crashing:Crash\n")
    return str(directory)


async def test_each_weakness_is_caught(tmp_path: Path) -> None:
    secrets = make_secrets(tmp_path / "secrets")
    async with deployed(tmp_path, secrets, _weaken, pythonpath=_crash_plugin(tmp_path / "plugins")) as deployment:
        secret = await enrol_totp(deployment)
        code, output = await attack(deployment, tmp_path, secret=secret)
    found = outcomes(tmp_path)
    caught = {"inject.widget": "failed", "sensitive.widget": "failed", "ws.origin.live": "failed",
              "authz.no-role.agent": "failed"}
    assert {i: found.get(i) for i in caught} == caught, output
    assert found["jwt.alg-none.agent"] == "held"
    assert code == 1
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html.replace("&lt;script", "") and "http://" not in html and "src=" not in html
