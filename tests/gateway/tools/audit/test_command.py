"""`chatguard audit-config` end to end: formats, exit status, SARIF 2.1.0 shape, config errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml

from tests.gateway.tools.audit.conftest import HARDENED
from tests.gateway.tools.audit.test_review import BASE, changed

# The parts of the OASIS SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that a result log must meet:
# required properties, the version constant, level values and location shapes, written out here so
# the test runs offline.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_OBJECT = {"type": "object"}
_RULE = {"type": "object", "required": ["id"],
         "properties": {"id": {"type": "string"}, "shortDescription": _MESSAGE, "fullDescription": _MESSAGE,
                        "help": _MESSAGE, "properties": _OBJECT,
                        "defaultConfiguration": {"type": "object", "properties": {"level": _LEVEL}}}}
_DRIVER = {"type": "object", "required": ["name"],
           "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                          "informationUri": {"type": "string", "format": "uri"},
                          "rules": {"type": "array", "uniqueItems": True, "items": _RULE}}}
_PHYSICAL = {"type": "object",
             "properties": {"artifactLocation": {"type": "object", "properties": {"uri": {"type": "string"}}},
                            "region": {"type": "object",
                                       "properties": {"startLine": {"type": "integer", "minimum": 1}}}}}
_LOGICAL = {"type": "object", "properties": {"fullyQualifiedName": {"type": "string"}, "kind": {"type": "string"}}}
_LOCATION = {"type": "object", "properties": {"physicalLocation": _PHYSICAL,
                                              "logicalLocations": {"type": "array", "items": _LOGICAL}}}
_RESULT = {"type": "object", "required": ["message"],
           "properties": {"ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
                          "level": _LEVEL, "message": _MESSAGE, "properties": _OBJECT,
                          "locations": {"type": "array", "items": _LOCATION}}}
_RUN = {"type": "object", "required": ["tool"],
        "properties": {"tool": {"type": "object", "required": ["driver"], "properties": {"driver": _DRIVER}},
                       "results": {"type": "array", "items": _RESULT}}}
SARIF_2_1_0: dict[str, Any] = {
    "type": "object", "required": ["version", "runs"],
    "properties": {"$schema": {"type": "string", "format": "uri"}, "version": {"const": "2.1.0"},
                   "runs": {"type": "array", "items": _RUN}},
}


def chatguard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def write(tmp_path: Path, config: dict[str, Any]) -> str:
    file = tmp_path / "chatguard.yaml"
    file.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(file)


@pytest.mark.parametrize(("config", "status"), [
    (changed(audit={"path": ""}, routes__0__fail="open"), 2),
    (changed(routes__0__mode="shadow"), 1),
])
def test_exit_status_gates_ci(tmp_path: Path, config: dict[str, Any], status: int) -> None:
    done = chatguard("audit-config", "--config", write(tmp_path, config))
    assert done.returncode == status, done.stderr
    assert "why:" in done.stdout and "fix:" in done.stdout


def test_hardened_example_exits_zero(hardened_env: Path) -> None:
    done = chatguard("audit-config", "--config", str(HARDENED))
    assert (done.returncode, done.stdout.strip()) == (0, f"{HARDENED}: no findings"), done.stderr


def test_json_lists_every_field(tmp_path: Path) -> None:
    done = chatguard("audit-config", "--config", write(tmp_path, changed(routes__0__fail="open")), "--format", "json")
    report = orjson.loads(done.stdout)
    ids = {f["id"] for f in report["findings"]}
    assert ids == {"fail-open", "audit-disabled"}
    assert set(report["findings"][0]) == {"id", "severity", "path", "line", "title", "detail", "why", "fix"}
    assert report["summary"]["high"] == 1 and report["summary"]["medium"] == 1


def test_sarif_has_the_2_1_0_shape(tmp_path: Path) -> None:
    config = changed(routes__0__fail="open", admin={"host": "0.0.0.0"}, trusted_proxies=["8.8.8.0/24"])
    done = chatguard("audit-config", "--config", write(tmp_path, config), "--format", "sarif")
    log = orjson.loads(done.stdout)
    jsonschema.validate(log, SARIF_2_1_0, format_checker=jsonschema.FormatChecker())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"fail-open": "error", "admin-exposed": "error", "trusted-proxies-wide": "error",
                      "audit-disabled": "warning"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
               for r in run["results"] if r["ruleId"] != "audit-disabled")


def test_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = chatguard("audit-config", "--config", write(tmp_path, {**BASE, "workers": "many"}))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "workers" in done.stderr and "Traceback" not in done.stderr
