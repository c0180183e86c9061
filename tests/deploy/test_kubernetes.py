"""Every shipped manifest, plain or rendered: valid for Kubernetes and hardened as the README promises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.manifests import Doc, chatguard_config, pod_specs

# The oldest release the manifests support (native preStop sleep) and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
CUSTOM_KINDS = {"ServiceMonitor"}  # Prometheus Operator resources: no schema in the Kubernetes API


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_kubernetes(all_manifests: dict[str, list[Doc]], version: str) -> None:
    errors: list[str] = []
    for source, docs in all_manifests.items():
        for doc in docs:
            if doc["kind"] in CUSTOM_KINDS:
                continue
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                errors.append(f"{source} {doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_the_validator_is_not_a_rubber_stamp() -> None:
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
           "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "x", "imagePullPolicy": 3}]}}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[0], strict=True)


def test_every_source_has_a_gateway_deployment(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        containers = [c["name"] for _, spec in pod_specs(docs) for c in spec["containers"]]
        assert "chatguard" in containers, source


def _gateway(spec: Doc) -> Doc:
    found: Doc = next(c for c in spec["containers"] if c["name"] == "chatguard")
    return found


def test_pods_are_hardened(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        for workload, spec in pod_specs(docs):
            where = f"{source} {workload['metadata']['name']}"
            assert spec["automountServiceAccountToken"] is False, where
            assert spec["securityContext"]["runAsNonRoot"] is True, where
            assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
            for container in spec["containers"]:
                context = container["securityContext"]
                assert context["readOnlyRootFilesystem"] is True, where
                assert context["allowPrivilegeEscalation"] is False, where
                assert context["runAsNonRoot"] is True, where
                assert context["capabilities"]["drop"] == ["ALL"] and "add" not in context["capabilities"], where
                assert context["seccompProfile"]["type"] == "RuntimeDefault", where
                assert {"requests", "limits"} <= set(container["resources"]), where
                assert "livenessProbe" in container and "readinessProbe" in container, where


def _image_cache_dir() -> str:
    """The compiled rule cache the image names (`CHATGUARD_CACHE_DIR` in the Dockerfile's final stage)."""
    text = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text(encoding="utf-8")
    found = re.findall(r"CHATGUARD_CACHE_DIR=(\S+)", text)
    assert found and len(set(found)) == 1, found
    return str(found[0])


def test_the_compiled_rule_cache_is_a_writable_volume(all_manifests: dict[str, list[Doc]]) -> None:
    """On a read-only root, without a volume at the image's cache directory every worker of every pod
    would compile the threat rules again at each start and reload (seconds of CPU each)."""
    where = _image_cache_dir()
    for source, docs in all_manifests.items():
        for workload, spec in pod_specs(docs):
            mounts = {m["mountPath"]: m for m in _gateway(spec)["volumeMounts"]}
            assert where in mounts and not mounts[where].get("readOnly"), f"{source} {workload['metadata']['name']}"
            volume = next(v for v in spec["volumes"] if v["name"] == mounts[where]["name"])
            assert "emptyDir" in volume and volume["emptyDir"].get("sizeLimit"), source


def _port(container: Doc, name: str) -> int:
    port: int = next(p["containerPort"] for p in container["ports"] if p["name"] == name)
    return port


def test_probes_and_metrics_use_the_probe_listener_not_the_admin_api(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        config = chatguard_config(docs)
        for workload, spec in pod_specs(docs):
            gateway = _gateway(spec)
            probes = config["probes"]
            assert probes["enabled"] is True and probes["host"] == "0.0.0.0", source
            assert _port(gateway, "metrics") == probes["port"], source
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert gateway[kind]["httpGet"]["port"] == "metrics", (source, kind)
            assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
            annotations: dict[str, Any] = workload["spec"]["template"]["metadata"].get("annotations", {})
            if "prometheus.io/port" in annotations:
                assert int(annotations["prometheus.io/port"]) == probes["port"], source
            # The admin API never leaves the pod: loopback, and no container port names it.
            assert config["admin"]["host"] == "127.0.0.1", source
            assert config["admin"]["port"] not in [p["containerPort"] for p in gateway["ports"]], source


def test_services_and_network_policies_expose_only_the_gateway(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        config = chatguard_config(docs)
        allowed = {config["listen"]["port"], config["probes"]["port"]}
        for _, spec in pod_specs(docs):
            gateway = _gateway(spec)
            by_name = {p["name"]: p["containerPort"] for c in spec["containers"] for p in c.get("ports", [])}
            assert by_name[gateway["ports"][0]["name"]] == config["listen"]["port"], source
            for service in (d for d in docs if d["kind"] == "Service"):
                for port in service["spec"]["ports"]:
                    target = port["targetPort"]
                    assert by_name.get(target, target) in allowed, (source, service["metadata"]["name"], port)
        policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
        assert policies, source
        for policy in policies:
            ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
            assert ports == allowed, (source, ports)


def test_drain_time_covers_the_shutdown_timeout(all_manifests: dict[str, list[Doc]]) -> None:
    from filters.options import Duration

    for source, docs in all_manifests.items():
        config = chatguard_config(docs)
        drain = float(Duration.parse(config.get("shutdown_timeout", "30s"), "shutdown_timeout"))
        for _, spec in pod_specs(docs):
            pre_stop = _gateway(spec).get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
            assert spec["terminationGracePeriodSeconds"] > drain + pre_stop, source


def test_replicated_shapes_share_state_in_redis(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        scaled = any(d["kind"] == "HorizontalPodAutoscaler" for d in docs) or any(
            d["kind"] == "Deployment" and d["spec"].get("replicas", 1) > 1 for d in docs)
        if scaled:
            assert chatguard_config(docs)["state"]["backend"] == "redis", source
            assert any(d["kind"] == "PodDisruptionBudget" for d in docs), source


def test_secrets_are_files_never_environment(all_manifests: dict[str, list[Doc]]) -> None:
    for source, docs in all_manifests.items():
        for _, spec in pod_specs(docs):
            for container in spec["containers"]:
                for env in container.get("env", []):
                    assert "secretKeyRef" not in env.get("valueFrom", {}), source
                assert "envFrom" not in container, source
            secrets = [v for v in spec["volumes"] if "secret" in v]
            assert secrets and all(v["secret"]["defaultMode"] == 0o440 for v in secrets), source
            mounts = {m["name"]: m for m in _gateway(spec)["volumeMounts"]}
            assert all(mounts[v["name"]]["readOnly"] is True for v in secrets), source
