"""deploy/kubernetes/feeds: the CronJob that keeps feed files current, valid for Kubernetes and as hardened
as the gateway's own pods, running the command the README documents."""

from __future__ import annotations

import kubernetes_validate
import pytest

from gateway.tools.feeds import build_parser
from tests.deploy.manifests import BESIDE, Doc, load_docs
from tests.deploy.test_kubernetes import KUBERNETES_VERSIONS

DOCS: list[Doc] = [doc for path in BESIDE for doc in load_docs(path.read_text())]


def _job_pod() -> Doc:
    cronjob = next(doc for doc in DOCS if doc["kind"] == "CronJob")
    pod: Doc = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_valid_for_kubernetes(version: str) -> None:
    assert {doc["kind"] for doc in DOCS} == {"CronJob", "PersistentVolumeClaim"}
    for doc in DOCS:
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_job_is_hardened_and_bounded() -> None:
    cronjob = next(doc for doc in DOCS if doc["kind"] == "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
    pod = _job_pod()
    assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]} and context["runAsNonRoot"] is True
        assert {"requests", "limits"} <= set(container["resources"])


def test_it_runs_feeds_fetch_into_the_mounted_claim() -> None:
    pod = _job_pod()
    (container,) = pod["containers"]
    args = container["args"]
    assert args[:2] == ["feeds", "fetch"]
    parsed = build_parser().parse_args(args[1:])  # the image runs `chatguard`, which hands `feeds ...` on
    assert parsed.url.startswith("https://")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert parsed.out.startswith(mounts["feeds"] + "/")
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
    names = {doc["metadata"]["name"] for doc in DOCS if doc["kind"] == "PersistentVolumeClaim"}
    assert claims["feeds"] in names
