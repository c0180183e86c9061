"""Render the Helm chart with Helm's own engine, in a process of its own.

Run as `python tests/deploy/render_chart.py CHART CASES.json`: CASES maps a case name to its values; the
answer (stdout, JSON) maps each case to {"manifests": {template: text}} or {"error": message}, plus
"lint" for the chart as a whole. The engine (Helm's Go SDK, through helm-python-sdk) is a Go shared
library: it is loaded here rather than in the test process, which it would share signals with.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import helm_python as helm

NAMESPACE = "chat"
RELEASE = "cg"


def main(chart_dir: str, cases_file: str) -> None:
    with open(cases_file, encoding="utf-8") as handle:
        cases: dict[str, dict[str, Any]] = json.load(handle)
    chart = helm.Chart.load(chart_dir)
    answer: dict[str, Any] = {"lint": helm.lint(chart_dir, strict=True, kube_version="v1.30.0")}
    for name, values in cases.items():
        try:
            chart.validate_schema(values)
            answer[name] = {"manifests": chart.render(values=values, name=RELEASE, namespace=NAMESPACE,
                                                      is_install=True)}
        except helm.HelmError as exc:
            answer[name] = {"error": str(exc)}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
