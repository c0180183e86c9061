"""What every check reads: the resolved settings, the raw YAML, and where each route came from.

The config is loaded the way `serve` loads it (so `_file` secrets and `${ENV}` resolve and a
broken file is a config error, exit 2), and the raw YAML is kept beside it: whether a secret
was written inline is only visible in the text, not in the resolved settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from gateway.config.presets import expand_presets
from gateway.config.settings import Settings, loads_settings
from gateway.tools.audit.findings import Finding


@dataclass(frozen=True)
class Subject:
    """What the checks read: the resolved settings, the raw YAML, and where each route came from."""

    settings: Settings
    raw: dict[str, Any]
    route_keys: tuple[str, ...]          # key path in the file of each (expanded) route
    route_presets: tuple[str | None, ...]  # the preset each route was expanded from, if any


Check = Callable[[Subject], Iterable[Finding]]


def _route_origins(raw: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    keys: list[str] = []
    presets: list[str | None] = []
    for i, entry in enumerate(raw.get("routes") or []):
        if isinstance(entry, dict) and "preset" in entry:
            count = len(expand_presets([entry]))
            keys += [f"routes[{i}]"] * count
            presets += [str(entry["preset"])] * count
        else:
            keys.append(f"routes[{i}]")
            presets.append(None)
    return tuple(keys), tuple(presets)


def subject_of(text: str, source: str = "") -> Subject:
    """Load `text` as `serve` would (raises OptionsError naming the key) and keep its raw form."""
    settings = loads_settings(text, source=source)
    raw = yaml.safe_load(text) or {}
    keys, presets = _route_origins(raw)
    return Subject(settings, raw, keys, presets)
