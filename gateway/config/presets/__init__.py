"""Route presets: `{preset: matrix, upstream: chat, ...}` expands to the routes of a chat protocol.

Each preset is a YAML file beside this module (shipped as package data, so an installed gateway
finds them as the source tree does), `NAME.yaml`:

    description: one line
    options: {name: default, ...}     # what a user may set under `options:`
    may_be_empty: [name, ...]         # list options a user may empty (a list is non-empty otherwise)
    routes: [...]                     # routes as in the config, without upstream and allow

In the routes, a string `$name` is replaced by the option's value, and a mapping key `$name`
whose option is a list becomes one key per item (Socket.IO event names). In a list, an item
`{under: [prefixes], read: [pointers]}` becomes every prefix joined to every pointer, so a
protocol's event shape is written once (a YAML anchor under `definitions:`) and read under each
place events travel. The keys given beside `preset:` are merged into every route (mappings
merged, other values replaced: the user wins), and each route is named `<name or preset>.<route>`.
A preset route without `encrypted:` carries no message events an `e2ee` policy applies to.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from filters.options import OptionsError, join

__all__ = ["PRESET_DIR", "expand_presets", "known_presets", "load_preset"]

PRESET_DIR = Path(__file__).resolve().parent
_RESERVED = frozenset({"preset", "name", "options"})


def known_presets() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


@functools.cache
def load_preset(name: str) -> dict[str, Any]:
    """The parsed preset file (cached; callers deep-copy before changing anything)."""
    if name not in known_presets():
        raise KeyError(name)
    data = yaml.safe_load((PRESET_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not (isinstance(data, dict) and isinstance(data.get("routes"), list)
            and isinstance(data.get("options", {}), dict)):
        raise OptionsError(f"preset {name}", "a preset file is a mapping with `routes` (a list) and `options`")
    return data


def expand_presets(routes: Any) -> Any:
    """Replace every `{preset: NAME, ...}` entry of the `routes` list by the routes NAME defines."""
    if not isinstance(routes, list):
        return routes
    expanded: list[Any] = []
    for i, route in enumerate(routes):
        if isinstance(route, dict) and "preset" in route:
            expanded += _expand(route, join("routes", i))
        else:
            expanded.append(route)
    return expanded


def _expand(entry: dict[str, Any], path: str) -> list[dict[str, Any]]:
    name = entry["preset"]
    known = known_presets()
    if not isinstance(name, str) or name not in known:
        raise OptionsError(join(path, "preset"), f"unknown preset {name!r} (known: {', '.join(known)})")
    preset = load_preset(name)
    options = _options(preset.get("options") or {}, entry.get("options"), join(path, "options"),
                       frozenset(preset.get("may_be_empty") or ()))
    prefix = entry.get("name", name)
    if not isinstance(prefix, str) or not prefix:
        raise OptionsError(join(path, "name"), f"expected a non-empty string, got {prefix!r}")
    user = {key: value for key, value in entry.items() if key not in _RESERVED}
    result = []
    for route in preset["routes"]:
        filled = _substitute(copy.deepcopy(route), options, name)
        filled.setdefault("encrypted", {"messages": False})  # no message events unless the preset says how
        filled = _merge(filled, copy.deepcopy(user))
        filled["name"] = f"{prefix}.{route['name']}"
        result.append(filled)
    return result


def _options(defaults: dict[str, Any], given: Any, path: str, may_be_empty: frozenset[str] = frozenset()) -> dict[str, Any]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise OptionsError(path, f"expected a mapping, got {type(given).__name__}")
    options = dict(defaults)
    for key, value in given.items():
        key_path = join(path, str(key))
        if key not in defaults:
            known = ", ".join(sorted(defaults)) or "none"
            raise OptionsError(key_path, f"unknown option (known: {known})")
        default = defaults[key]
        if isinstance(default, list):
            if not (isinstance(value, list) and (value or key in may_be_empty)
                    and all(isinstance(item, str) for item in value)):
                kind = "a list of strings" if key in may_be_empty else "a non-empty list of strings"
                raise OptionsError(key_path, f"expected {kind}, got {value!r}")
        elif type(value) is not type(default):
            raise OptionsError(key_path, f"expected {type(default).__name__}, got {value!r}")
        options[key] = value
    return options


def _substitute(value: Any, options: dict[str, Any], preset: str) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in options:
            raise OptionsError(f"preset {preset}", f"{value} names no option")
        return copy.deepcopy(options[value[1:]])
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            item = _substitute(item, options, preset)
            items += _joined(item, preset) if isinstance(item, dict) and set(item) == {"under", "read"} else [item]
        return items
    if isinstance(value, dict):
        result: dict[Any, Any] = {}
        for key, item in value.items():
            item = _substitute(item, options, preset)
            keys = _substitute(key, options, preset) if isinstance(key, str) else key
            for one in keys if isinstance(keys, list) else [keys]:
                result[one] = copy.deepcopy(item)
        return result
    return value


def _joined(item: dict[str, Any], preset: str) -> list[str]:
    under, read = item["under"], item["read"]
    if not (isinstance(under, list) and isinstance(read, list)
            and all(isinstance(p, str) for p in [*under, *read])):
        raise OptionsError(f"preset {preset}", "`under` and `read` are lists of pointers")
    return [prefix + pointer for prefix in under for pointer in read]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` merged into `base`: nested mappings merge, anything else replaces."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        else:
            base[key] = value
    return base
