from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.manifests import PLAIN, Doc, chart_cases, load_docs, render, rendered_docs


@pytest.fixture(scope="session")
def chart_renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Rendering of every chart value file, plus the chart's lint report."""
    return render(chart_cases(), tmp_path_factory.mktemp("chart"))


@pytest.fixture(scope="session")
def all_manifests(chart_renders: dict[str, Any]) -> dict[str, list[Doc]]:
    """Source name -> resources, for the plain examples and each chart rendering."""
    found: dict[str, list[Doc]] = {path.name: load_docs(path.read_text()) for path in PLAIN}
    for case in chart_cases():
        assert "manifests" in chart_renders[case], chart_renders[case].get("error")
        found[f"chart:{case}"] = rendered_docs(chart_renders[case])
    return found


@pytest.fixture(scope="session")
def repo() -> Path:
    return Path(__file__).resolve().parents[2]
