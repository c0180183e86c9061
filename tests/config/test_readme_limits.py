"""The README's limits tables say what the code does: each key's default, each constant's value, and
every option that bounds what a client can make the gateway do appears in a table.

A row's first cell names its keys in backquotes (before any parenthesis): the first one in full,
the ones after it beside it (`shield.requests`, `window`); `(use: masking)` says which filter's
options a `filters.<name>.options` key belongs to. The second cell starts with the defaults in
the same order, separated by ", " (the rest, after a parenthesis or `;`, is prose). A table whose
first column is `constant` names module attributes and their values instead.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from filters import load_filter
from filters.options import ByteSize, Duration
from gateway.config.settings import FilterRef, Settings

README = Path(__file__).resolve().parents[2] / "README.md"

# Every option of these sections bounds what a client can make the gateway do.
SECTIONS = ("limits", "websocket", "offload", "clients", "shield")
# Elsewhere, an option named like this is a bound until the README lists it (or it is exempted below).
BOUND_NAME = re.compile(r"^max_|timeout$|queue|^pending$|^processes$|^from_chars$|^stream_hold$|^heartbeat$"
                        r"|requests$|^connects$|^pool_size$|_ratio$|window$|_failures$|_lock|^per_|^users_per_")
# Filters whose options the walk reads (`filters.<name>.options.*`, with `(use: ...)` in the README).
FILTERS = ("masking", "threat", "behaviour")
EXEMPT = {
    "routes[].max_body": "a route's own value of limits.max_body, named in that row",
    "routes[].max_fields": "a route's own value of limits.max_fields, named in that row",
    "routes[].max_chars": "a route's own value of limits.max_chars, named in that row",
    "routes[].websocket.max_frame": "a route's own value of websocket.max_frame, named in that row",
    "shutdown_timeout": "how long in-flight requests may finish on SIGTERM: the operator's, not a client's",
    "alerts.timeout": "delivery of one alert to a webhook: no client waits for it",
    "alerts.max_backoff": "the longest pause between retries of one alert delivery",
    "listen.tls.hsts.max_age": "how long browsers keep to HTTPS: a header's value",
    "audit.postgres.timeout": "one copy to PostgreSQL: no client waits for it",
    "auth.totp.valid_window": "which TOTP steps are accepted: not a bound on load",
    "auth.external[].refetch_interval": "how often a key set may be fetched again",
    "transcripts.on_backlog": "what transcripts.queue does when full, named in that row",
}


@dataclass(frozen=True)
class Row:
    kind: str                    # "key" or "constant": the table's first column
    names: tuple[str, ...]
    values: tuple[str, ...]
    use: str | None
    line: str


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]


def _rows() -> list[Row]:
    rows: list[Row] = []
    header: str | None = None
    for line in _section().splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells[0]
            continue
        if not cells[0].strip("-"):
            continue  # the line under the header
        found = re.findall(r"`([^`]+)`", cells[0].split(" (", 1)[0])
        if not found:
            continue  # a row about a bound that has no key (server-sent events, send queues)
        first = found[0]
        names = (first, *(n if "." in n else f"{first.rsplit('.', 1)[0]}.{n}" for n in found[1:]))
        values = tuple(part.split()[0] if part.split() else "" for part in re.split(r"[(;]", cells[1])[0].split(", "))
        use = re.search(r"\(use: (\w+)\)", cells[0])
        rows.append(Row(header, names, values, use.group(1) if use else None, line))
    return rows


ROWS = _rows()
# A row with fewer defaults than keys fails test_each_row_gives_a_default_for_each_key.
KEYS = [(name, value, row.use) for row in ROWS if row.kind == "key"
        for name, value in zip(row.names, row.values, strict=False)]
CONSTANTS = [(name, value) for row in ROWS if row.kind == "constant"
             for name, value in zip(row.names, row.values, strict=False)]


def _unwrap(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return options[0] if len(options) == 1 else tp
    return tp


def _inner(tp: Any) -> Any:
    """The dataclass a mapping's values or a tuple's items are, else None."""
    args = get_args(tp)
    if get_origin(tp) in (Mapping, dict) and args:
        inner = _unwrap(args[-1])
    elif get_origin(tp) is tuple and args:
        inner = _unwrap(args[0])
    else:
        return None
    return inner if dataclasses.is_dataclass(inner) else None


def _default(key: str, use: str | None) -> tuple[Any, Any]:
    """The default of config key `key` and its declared type (KeyError: no such key)."""
    tp: Any = Settings
    value: Any = None
    for part in key.replace("[]", ".[]").split("."):
        if part in ("<name>", "[]"):
            tp, value = _inner(tp), None
            if tp is None:
                raise KeyError(key)
            continue
        if part == "options" and use is not None and tp is FilterRef:
            tp, value = load_filter(use, "filters.<name>.use").Options, None
            continue
        known = {f.name: f for f in dataclasses.fields(tp)}
        if part not in known:
            raise KeyError(key)
        spec = known[part]
        if value is not None:
            value = getattr(value, part)
        elif spec.default is not dataclasses.MISSING:
            value = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            value = spec.default_factory()
        tp = _unwrap(get_type_hints(tp)[part])
    return value, tp


def _parse(text: str, tp: Any) -> Any:
    if tp is Duration:
        return Duration.parse(text, "README")
    if tp is ByteSize:
        return ByteSize.parse(text, "README")
    if tp is int:
        return int(text)
    if tp is float:
        return float(text)
    return text


def _number(text: str) -> float:
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d+(\.\d+)?(ms|s|m|h|d)", text):
        return float(Duration.parse(text, "README"))
    return float(ByteSize.parse(text, "README"))


def _constant(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise AssertionError(f"{path}: no such module")


def _options(tp: Any, path: str) -> Iterator[str]:
    """Every leaf option under dataclass `tp`, as README keys (`<name>` for mappings, `[]` for lists)."""
    hints = get_type_hints(tp)
    for spec in dataclasses.fields(tp):
        if spec.name == "source":
            continue
        key = f"{path}.{spec.name}" if path else spec.name
        hint = _unwrap(hints[spec.name])
        inner = _inner(hint)
        if dataclasses.is_dataclass(hint):
            yield from _options(hint, key)
        elif inner is not None:
            yield from _options(inner, f"{key}.<name>" if get_origin(hint) in (Mapping, dict) else f"{key}[]")
        else:
            yield key


def _bounds() -> set[tuple[str, str | None]]:
    """Every option that bounds what a client can make the gateway do: whole sections, and names."""
    found: set[tuple[str, str | None]] = set()
    for key in _options(Settings, ""):
        name = key.rsplit(".", 1)[-1]
        if (key.split(".", 1)[0] in SECTIONS and name != "enabled") or BOUND_NAME.search(name):
            found.add((key, None))
    for use in FILTERS:
        for key in _options(load_filter(use, "filters.<name>.use").Options, "filters.<name>.options"):
            if BOUND_NAME.search(key.rsplit(".", 1)[-1]):
                found.add((key, use))
    return found


def test_the_tables_are_read() -> None:
    assert len(KEYS) >= 60 and len(CONSTANTS) >= 20
    assert ("limits.header_timeout", "10s", None) in KEYS


def test_each_row_gives_a_default_for_each_key() -> None:
    for row in ROWS:
        assert len(row.values) == len(row.names) and all(row.values), row.line


@pytest.mark.parametrize(("key", "text", "use"), KEYS, ids=[f"{k}@{u}" if u else k for k, _, u in KEYS])
def test_a_key_has_the_default_the_readme_states(key: str, text: str, use: str | None) -> None:
    try:
        default, tp = _default(key, use)
    except KeyError:
        pytest.fail(f"README names {key} (use: {use}), which is no config key")
    assert _parse(text, tp) == default, f"README says {key} defaults to {text}, the code to {default!r}"


@pytest.mark.parametrize(("path", "text"), CONSTANTS, ids=[c[0] for c in CONSTANTS])
def test_a_constant_has_the_value_the_readme_states(path: str, text: str) -> None:
    assert float(_constant(path)) == _number(text), f"README says {path} is {text}"


def test_every_bound_is_in_the_tables() -> None:
    documented = {(key, use) for key, _, use in KEYS}
    missing = sorted(f"{key} (use: {use})" if use else key for key, use in _bounds() - documented
                     if key not in EXEMPT)
    assert missing == [], "bounds the README's limits tables do not list (add a row, or exempt with a reason)"


def test_exemptions_are_still_options() -> None:
    """An exemption for an option that no longer exists hides nothing: remove it."""
    options = set(_options(Settings, ""))
    assert set(EXEMPT) <= options


# A bad value for each key: 0 for numbers and durations, a word no choice has for the others. Keys
# that take 0 (as the README's limits text says) get -1 instead.
ZERO_ALLOWED = {"websocket.heartbeat", "routes[].timeout", "routes[].max_upload", "offload.nice"}
# The concrete name a README placeholder stands for in the config below.
NAMES = {"upstreams": "chat", "masking": "mask", "threat": "threat", "behaviour": "behaviour", None: "mask"}


def _config(tmp_path: Path) -> dict[str, Any]:
    """A config that loads and passes check-config, with every section the tables name present."""
    from gateway.auth.tokens import generate_pem

    key = tmp_path / "signing.pem"
    key.write_bytes(generate_pem("EdDSA"))
    return {
        "upstreams": {"chat": {"url": "http://127.0.0.1:8008"}},
        "filters": {"mask": {"use": "masking"}, "threat": {"use": "threat"}, "behaviour": {"use": "behaviour"}},
        "auth": {"store": f"sqlite:///{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
                 "delegates": [{"routes": ["chat"], "path": "/whoami"}]},
        "audit": {"path": str(tmp_path / "audit.jsonl"), "signing_key_file": str(key),
                  "postgres": {"dsn": "postgresql://127.0.0.1/chatguard"}},
        "routes": [{"name": "chat", "match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"],
                    "filters": ["mask", "threat", "behaviour"]}],
    }


def _place(config: dict[str, Any], key: str, use: str | None, value: Any) -> str:
    """Put `value` at README key `key` in `config`; the key path an error must name."""
    node: Any = config
    named: list[str] = []
    parts = key.replace("[]", ".[]").split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "[]":
            node, named[-1] = node[0], f"{named[-1]}[0]"
            continue
        if part == "<name>":
            part = NAMES["upstreams" if parts[i - 1] == "upstreams" else use]
        named.append(part)
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, [{}] if parts[i + 1] == "[]" else {})
    return ".".join(named)


def _bad(key: str, use: str | None) -> Any:
    _, tp = _default(key, use)
    if tp in (int, float, Duration, ByteSize):
        return -1 if key in ZERO_ALLOWED else 0
    return "nonsense"


def _check_config(tmp_path: Path, config: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    import yaml

    from gateway.cli import main

    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config))
    status = main(["check-config", str(path)])
    return status, capsys.readouterr().err


def test_the_config_for_bad_values_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _check_config(tmp_path, _config(tmp_path), capsys)
    assert status == 0, err


@pytest.mark.parametrize(("key", "use"), [(k, u) for k, _, u in KEYS], ids=[f"{k}@{u}" if u else k for k, _, u in KEYS])
def test_a_bad_value_stops_startup_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   key: str, use: str | None) -> None:
    config = _config(tmp_path)
    bad = _bad(key, use)
    named = _place(config, key, use, bad)
    status, err = _check_config(tmp_path, config, capsys)
    assert status == 2, f"{named}: {bad!r} was accepted"
    assert err.count("\n") == 1 and err.startswith(f"chatguard: config error: {named}: "), err


@pytest.mark.parametrize("key", sorted(ZERO_ALLOWED))
def test_zero_is_taken_only_where_the_readme_says(tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str) -> None:
    config = _config(tmp_path)
    _place(config, key, None, 0)
    status, err = _check_config(tmp_path, config, capsys)
    assert status == 0, err
    assert f"`{key}`" in _section().split("\n\n", 1)[0], "the README's limits text names the keys that take 0"
