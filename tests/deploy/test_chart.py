"""The Helm chart, rendered by Helm's own engine: lint, schema, both shapes, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import CHART, chatguard_config, pod_specs, render, rendered_docs

UPSTREAMS = {"chat": {"url": "http://chat:8008"}}


def test_lint_is_clean(chart_renders: dict[str, Any]) -> None:
    report = chart_renders["lint"]
    serious = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error (strict lint)
    assert not serious and not report["errors"], report


def test_every_value_is_typed_and_described() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())

    def walk(node: dict[str, Any], path: str) -> None:
        for key, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{path}{key}: no description"
            assert "type" in sub or "oneOf" in sub, f"{path}{key}: no type"
            walk(sub, f"{path}{key}.")

    walk(schema, "")
    assert set(values) <= set(schema["properties"]), set(values) - set(schema["properties"])


def test_every_top_level_value_is_commented() -> None:
    lines = (CHART / "values.yaml").read_text().splitlines()
    for i, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith("#"):
            key = line.split(":")[0]
            assert lines[i - 1].startswith("#") or "#" in line or lines[i + 1].lstrip().startswith("#"), key


def test_sidecar_shape_puts_the_backend_behind_chatguard(chart_renders: dict[str, Any]) -> None:
    docs = rendered_docs(chart_renders["sidecar-values"])
    [(_, spec)] = list(pod_specs(docs))
    names = [c["name"] for c in spec["containers"]]
    assert names == ["backend", "chatguard"]
    config = chatguard_config(docs)
    assert config["upstreams"]["chat"]["url"] == "http://127.0.0.1:8008"
    assert config["listen"]["tls"]["cert"].startswith("/run/secrets/chatguard-tls/")
    [service] = [d for d in docs if d["kind"] == "Service"]
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["gateway"]
    assert not any(d["kind"] == "HorizontalPodAutoscaler" for d in docs)


def test_standalone_default_scales_on_shared_state(chart_renders: dict[str, Any]) -> None:
    docs = rendered_docs(chart_renders["default"])
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy",
                     "PodDisruptionBudget", "Service", "ServiceAccount"]
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    assert "replicas" not in deployment["spec"]  # the autoscaler owns the count
    assert chatguard_config(docs)["state"]["backend"] == "redis"


def test_digest_pins_the_image_and_needs_no_skip(chart_renders: dict[str, Any]) -> None:
    default = [d for d in rendered_docs(chart_renders["default"]) if d["kind"] == "Deployment"][0]
    pinned = [d for d in rendered_docs(chart_renders["standalone-values"]) if d["kind"] == "Deployment"][0]
    assert default["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.org/chatguard:0.1.0"
    assert "checkov.io/skip1" in default["metadata"]["annotations"]
    assert pinned["spec"]["template"]["spec"]["containers"][0]["image"].startswith("registry.example.org/chatguard@sha256:")
    assert "annotations" not in pinned["metadata"]


def test_config_changes_roll_the_pods(tmp_path: Path) -> None:
    base = {"config": {"upstreams": UPSTREAMS, "state": {"backend": "redis", "url": "redis://r:6379/0"}}}
    changed = {"config": {**base["config"], "logging": {"level": "debug"}}}
    found = render({"a": base, "b": changed}, tmp_path)
    sums = [next(d for d in rendered_docs(found[k]) if d["kind"] == "Deployment")
            ["spec"]["template"]["metadata"]["annotations"]["checksum/config"] for k in ("a", "b")]
    assert sums[0] != sums[1]


REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "unknown shape": ({"shape": "daemonset"}, "/shape"),
    "unknown value": ({"replicas": 3}, "additional properties 'replicas'"),
    "listen written by hand": ({"config": {"upstreams": UPSTREAMS, "listen": {"port": 1}}},
                               "config.listen is written by the chart"),
    "probes written by hand": ({"config": {"upstreams": UPSTREAMS, "probes": {"port": 1}}},
                               "config.probes is written by the chart"),
    "several pods on memory state": ({"config": {"upstreams": UPSTREAMS, "state": {"backend": "memory"}}},
                                     "config.state.backend must be redis"),
    "bad digest": ({"image": {"repository": "r", "digest": "latest"}}, "/image/digest"),
    "no upstream": ({"config": {"upstreams": None}}, "missing property 'upstreams'"),
}


def test_mistakes_are_refused_with_the_key(tmp_path: Path) -> None:
    found = render({name: values for name, (values, _) in REFUSED.items()}, tmp_path)
    for name, (_, expected) in REFUSED.items():
        assert "error" in found[name], f"{name}: rendered"
        assert expected in found[name]["error"], f"{name}: {found[name]['error']}"


@pytest.mark.parametrize("template", sorted(p.name for p in (CHART / "templates").glob("*.yaml")))
def test_every_template_renders_in_some_case(chart_renders: dict[str, Any], template: str) -> None:
    outputs = [r["manifests"].get(f"chatguard/templates/{template}", "") for k, r in chart_renders.items()
               if k != "lint"]
    assert any(text.strip() for text in outputs), f"{template} renders nothing in any ci/ values file"
