"""`chatguard explain` prints the decision and the rule behind it, from a real config file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.tools.explain import _parser, run

PLAIN: dict[str, Any] = {
    "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
    "routes": [
        {"name": "public", "match": {"path": "/public"}, "upstream": "up", "allow": ["anonymous"]},
        {"name": "queue", "match": {"path": "/agents/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
    ],
}
RULES: dict[str, Any] = {
    **PLAIN,
    "roles": {"visitor": {}, "agent": {"inherits": ["visitor"]}, "admin": {"inherits": ["agent"]}},
    "routes": [{"name": "tickets", "match": {"path": "/tickets/{id}"}, "upstream": "up", "allow": ["agent"],
                "methods_allow": {"PUT": ["admin"]}, "mfa": "required"}],
}


def explain(tmp_path: Path, config: dict[str, Any], *args: str) -> tuple[int, str]:
    file = tmp_path / "chatguard.yaml"
    file.write_text(yaml.safe_dump(config))
    out = io.StringIO()
    code = run(_parser().parse_args(["--config", str(file), *args]), out)
    return code, out.getvalue()


@pytest.mark.parametrize(("args", "code", "last"), [
    (["--path", "/public"], 0, "ALLOW by rule allow: allowed by anonymous"),
    (["--roles", "agent", "--path", "/agents/q"], 0, "ALLOW by rule allow: allowed by agent"),
    (["--roles", "visitor", "--path", "/agents/q"], 1, "DENY 403 by rule allow"),
    (["--path", "/agents/q"], 1, "DENY 401 by rule allow"),
    (["--path", "/nowhere"], 1, "DENY 404 by rule route: no route matches"),
    (["--path", "/agents/%2e%2e/x"], 1, "DENY 400 by rule path"),
])
def test_plain_config(tmp_path: Path, args: list[str], code: int, last: str) -> None:
    got, out = explain(tmp_path, PLAIN, *args)
    assert got == code
    assert out.strip().splitlines()[-1].startswith(last)


def test_bad_config_exits_2(tmp_path: Path) -> None:
    assert explain(tmp_path, {"routes": "nope"}, "--path", "/")[0] == 2


@pytest.mark.parametrize(("args", "code", "last"), [
    (["--roles", "admin", "--mfa", "--method", "PUT", "--path", "/tickets/1"], 0, "ALLOW"),
    (["--roles", "agent", "--mfa", "--method", "PUT", "--path", "/tickets/1"], 1,
     "DENY 403 by rule methods_allow.PUT: PUT needs one of admin"),
    (["--roles", "admin", "--method", "GET", "--path", "/tickets/1"], 1, "DENY 401 by rule mfa: step-up required"),
])
def test_rules_config(tmp_path: Path, args: list[str], code: int, last: str) -> None:
    got, out = explain(tmp_path, RULES, *args)
    assert (got, out.strip().splitlines()[-1][:len(last)]) == (code, last)
