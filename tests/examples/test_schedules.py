"""examples/schedules: the CronJobs are valid Kubernetes and hardened like deploy/; every chatguard
command they and the crontab run parses with the real command line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gateway.cli import build_parser
from tests.deploy.test_kubernetes import KUBERNETES_VERSIONS

SCHEDULES = Path(__file__).resolve().parents[2] / "examples" / "schedules"
DOCS: list[dict[str, Any]] = [d for d in yaml.safe_load_all((SCHEDULES / "cronjobs.yaml").read_text()) if d]
JOBS = [d for d in DOCS if d["kind"] == "CronJob"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_are_valid_for_kubernetes(version: str) -> None:
    for doc in DOCS:
        kubernetes_validate.validate(doc, version, strict=True)


def test_there_is_one_job_per_audit() -> None:
    assert {j["metadata"]["name"] for j in JOBS} == {"chatguard-audit-config", "chatguard-attack-sim"}


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j["metadata"]["name"])
def test_job_pods_are_hardened(job: dict[str, Any]) -> None:
    spec = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["limits"]
        for env in container.get("env", []):
            assert "value" not in env, "secrets come from a Secret, never inline"


def _commands(text: str) -> list[list[str]]:
    """Every `chatguard ...` invocation in a shell text, as argv (redirections and `$(...)` dropped)."""
    found = []
    for match in re.finditer(r"(?:chatguard|\$CHATGUARD) ((?:audit-config|attack-sim)[^;&|>\n]*)",
                             re.sub(r"\$\([^)]*\)", "", text.replace("\n", " "))):
        found.append(shlex.split(match.group(1)))
    return found


def _sources() -> list[tuple[str, str]]:
    texts = [("crontab", (SCHEDULES / "crontab").read_text())]
    for job in JOBS:
        container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
        texts.append((job["metadata"]["name"], " ".join(container["args"])))
    return texts


@pytest.mark.parametrize(("name", "text"), _sources(), ids=lambda v: v if len(v) < 40 else "")
def test_commands_parse(name: str, text: str) -> None:
    commands = _commands(text)
    assert commands, name
    parser = build_parser()
    for argv in commands:
        argv = [a.replace("$CONFIG", "/etc/chatguard/chatguard.yaml").replace("$REPORTS", "/tmp") for a in argv]
        args = parser.parse_args(argv)
        assert args.command in ("audit-config", "attack-sim")
        if args.command == "attack-sim":
            assert args.rate <= 20 and args.max_duration <= 600 and args.json
