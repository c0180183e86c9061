"""Every Kubernetes manifest the repository ships: the plain examples and the chart's renderings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CHART = DEPLOY / "helm" / "chatguard"
PLAIN = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
# Manifests that run beside a gateway and hold none of their own (the feed download CronJob).
BESIDE = sorted((DEPLOY / "kubernetes" / "feeds").glob("*.yaml"))
RENDER = Path(__file__).with_name("render_chart.py")

Doc = dict[str, Any]


def load_docs(text: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def chart_cases() -> dict[str, dict[str, Any]]:
    """The chart's own value files: the defaults and every file in ci/."""
    cases: dict[str, dict[str, Any]] = {"default": {}}
    for path in sorted((CHART / "ci").glob("*.yaml")):
        cases[path.stem] = yaml.safe_load(path.read_text()) or {}
    return cases


def render(cases: dict[str, dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """Render each case with Helm's engine (one process for all of them)."""
    spec = tmp / "cases.json"
    spec.write_text(json.dumps(cases))
    done = subprocess.run([sys.executable, str(RENDER), str(CHART), str(spec)], capture_output=True,
                          text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"chart rendering failed: {done.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def rendered_docs(result: dict[str, Any]) -> list[Doc]:
    """Every resource of one rendered case (templates without output skipped)."""
    docs: list[Doc] = []
    for name, text in sorted(result["manifests"].items()):
        if name.endswith(".yaml"):
            docs.extend(load_docs(text))
    return docs


def pod_specs(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(workload, pod spec) for every Deployment."""
    for doc in docs:
        if doc.get("kind") == "Deployment":
            yield doc, doc["spec"]["template"]["spec"]


def chatguard_config(docs: list[Doc]) -> dict[str, Any]:
    """The chatguard.yaml held by the ConfigMap among `docs`."""
    maps = [doc for doc in docs if doc.get("kind") == "ConfigMap" and "chatguard.yaml" in doc.get("data", {})]
    assert len(maps) == 1, "expected one ConfigMap holding chatguard.yaml"
    config: dict[str, Any] = yaml.safe_load(maps[0]["data"]["chatguard.yaml"])
    return config
