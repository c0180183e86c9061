"""Every shipped config file loads, builds, and the example documents every key."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
import yaml

from gateway.config.settings import Settings, load_settings
from gateway.runtime.runtime import Runtime

CONFIG = Path(__file__).resolve().parents[2] / "config"
FILES = sorted(p for p in CONFIG.glob("*.yaml"))


def test_there_are_config_files() -> None:
    assert {p.name for p in FILES} >= {"chatguard.example.yaml", "demo.yaml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_config_file_loads_and_builds(path: Path) -> None:
    settings = load_settings(path, environ={})
    runtime = Runtime(settings)  # routes, filters with their options, codecs, upstream TLS
    assert runtime.plans


def _unwrap(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return options[0] if len(options) == 1 else tp
    return tp


def _missing(cls: type, data: Mapping[str, Any], path: str) -> list[str]:
    missing: list[str] = []
    hints = get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.name == "source":
            continue
        key = f"{path}.{field.name}" if path else field.name
        if field.name not in data:
            missing.append(key)
            continue
        value, tp = data[field.name], _unwrap(hints[field.name])
        origin = get_origin(tp)
        if dataclasses.is_dataclass(tp) and isinstance(value, dict):
            missing += _missing(tp, value, key)
        elif origin in (Mapping, dict) and isinstance(value, dict) and value:
            inner = _unwrap(get_args(tp)[1])
            if dataclasses.is_dataclass(inner):
                first = next(iter(value))
                missing += _missing(inner, value[first], f"{key}.{first}")
        elif origin in (tuple, list) and isinstance(value, list) and value:
            inner = _unwrap(get_args(tp)[0])
            if dataclasses.is_dataclass(inner) and isinstance(value[0], dict):
                missing += _missing(inner, value[0], f"{key}[0]")
    return missing


def test_example_documents_every_key() -> None:
    data = yaml.safe_load((CONFIG / "chatguard.example.yaml").read_text())
    assert _missing(Settings, data, "") == []


def test_example_explains_every_setting() -> None:
    """Each line that sets a value carries a one-line comment saying what it does."""
    text = (CONFIG / "chatguard.example.yaml").read_text()
    bare = [line for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and "#" not in line
            and line.rstrip().endswith(":") is False and ":" in line
            and not line.lstrip().startswith(("upstream:", "allow:", "use:", "- preset", "filters: ["))]
    assert bare == []


def test_example_documents_every_option_of_each_builtin_filter() -> None:
    from filters import load_filter as load

    data = yaml.safe_load((CONFIG / "chatguard.example.yaml").read_text())
    used = {ref["use"]: (name, ref.get("options") or {}) for name, ref in data["filters"].items()}
    assert set(used) >= {"masking", "threat", "behaviour", "keyword", "size_limit"}
    missing: list[str] = []
    for use, (name, options) in used.items():
        if use in ("keyword", "size_limit"):
            continue  # small filters: the example shows the options an operator changes
        missing += _missing(load(use, f"filters.{name}.use").Options, options, f"filters.{name}.options")
    assert missing == []
