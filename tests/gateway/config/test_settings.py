"""Config validation: one test per kind of mistake, each naming the exact key path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from filters.options import OptionsError
from gateway.config.settings import load_settings, parse_settings

BASE: dict[str, Any] = {
    "upstreams": {"chat": {"url": "http://127.0.0.1:8008"}},
    "routes": [
        {"name": "widget", "match": {"path": "/api/{room}", "methods": ["POST"]}, "upstream": "chat",
         "allow": ["anonymous"]},
        {"name": "admin", "match": {"path": "/admin"}, "upstream": "chat", "allow": ["admin"]},
        {"match": {"path": "/x"}, "upstream": "chat", "allow": ["anonymous"], "timeout": "30s"},
    ],
}


def config(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        target: Any = data
        keys = dotted.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return data


def error_of(data: Any, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(OptionsError) as caught:
        parse_settings(data, environ=environ or {})
    return str(caught.value)


def test_valid_config_loads_with_defaults() -> None:
    settings = parse_settings(config(), environ={})
    assert settings.routes[2].name == "route-2"
    assert settings.routes[2].timeout == 30
    assert settings.listen.port == 8080 and settings.admin.host == "127.0.0.1"
    assert settings.limits.max_body == 1024 * 1024


def test_settings_are_frozen() -> None:
    settings = parse_settings(config(), environ={})
    with pytest.raises(AttributeError):
        settings.workers = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.upstreams["other"] = settings.upstreams["chat"]  # type: ignore[index]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"routes__2__upstream": "chta"}, "routes[2].upstream: unknown upstream 'chta' (known: chat)"),
    ({"routes__0__timeout": "soon"}, "routes[0].timeout: expected a duration such as 30s, 15m or 250ms, got 'soon'"),
    ({"routes__1__allow": []}, "routes[1].allow: must list at least one role"),
    ({"routes__0__match": {"path": "/x", "methods": ["GTE"]}}, "routes[0].match.methods[0]: unknown method 'GTE'"),
    ({"routes__0__fial": "open"}, "routes[0].fial: unknown key (known: "),
    ({"routes__0__fail": "sometimes"}, "routes[0].fail: expected 'closed' | 'open', got 'sometimes'"),
    ({"routes__0__match": {"path": "api"}}, "routes[0].match.path: must start with '/'"),
    ({"routes__0__filters": ["mask"]}, "routes[0].filters[0]: unknown filter 'mask' (known: none configured)"),
    ({"listen__port": 70000}, "listen.port: expected a port 0-65535, got 70000"),
    ({"listen__port": "8080"}, "listen.port: expected int, got '8080'"),
    ({"limits__max_body": "lots"}, "limits.max_body: expected a size such as 1MiB"),
    ({"upstreams__chat__url": "ftp://x"}, "upstreams.chat.url: expected an http:// or https:// URL"),
    ({"upstreams__chat__url": "http://127.0.0.1:!9"}, "upstreams.chat.url: not a URL"),
    ({"upstreams__chat__url": "http://x/base"}, "upstreams.chat.url: must be scheme://host[:port] only"),
    ({"upstreams": {}}, "upstreams: at least one upstream is required"),
    ({"trusted_proxies": ["10.0.0.0/33"]}, "trusted_proxies[0]: not an IP network: '10.0.0.0/33'"),
    ({"routes__1__name": "widget"}, "routes[1].name: duplicate route name 'widget'"),
    ({"routes__0__upstream": 7}, "routes[0].upstream: expected str, got 7"),
    ({"routes__0__messages": {"inbound": {"json": "/text"}}}, "routes[0].messages.inbound.json: expected a list"),
    ({"logging__level": "loud"}, "logging.level: expected 'debug' | 'info' | 'warning' | 'error', got 'loud'"),
    ({"workers": 0}, "workers: expected >= 1, got 0"),
    ({"limits__max_connections": 10**20}, "limits.max_connections: expected at most 1048576, got 100000000000000000000"),
    ({"websocket__max_connections_per_ip": 2**31}, "websocket.max_connections_per_ip: expected at most 1048576"),
    ({"routes__0__match": {}}, "routes[0].match.path: required key missing"),
    ({"routes__1__messages": {"inbound": {"json": ["text"]}}},
     "routes[1].messages.inbound.json[0]: a JSON pointer starts with '/', got 'text'"),
])
def test_each_mistake_names_its_key(changes: dict[str, Any], expected: str) -> None:
    assert expected in error_of(config(**changes))


def test_env_references_are_expanded() -> None:
    settings = parse_settings(config(upstreams__chat__url="${CHAT_URL}"), environ={"CHAT_URL": "http://10.0.0.5:80"})
    assert settings.upstreams["chat"].url == "http://10.0.0.5:80"


def test_env_default_is_used_when_unset() -> None:
    settings = parse_settings(config(upstreams__chat__url="${CHAT_URL:-http://127.0.0.1:9}"), environ={})
    assert settings.upstreams["chat"].url == "http://127.0.0.1:9"


def test_missing_env_names_key_and_variable() -> None:
    message = error_of(config(upstreams__chat__url="${CHAT_URL}"))
    assert message == "upstreams.chat.url: environment variable CHAT_URL is not set"


def test_file_reference_reads_secret(tmp_path: Path) -> None:
    secret = tmp_path / "url"
    secret.write_text("http://127.0.0.1:7000\n")
    data = config()
    del data["upstreams"]["chat"]["url"]
    data["upstreams"]["chat"]["url_file"] = str(secret)
    assert parse_settings(data, environ={}).upstreams["chat"].url == "http://127.0.0.1:7000"


def test_file_reference_unreadable(tmp_path: Path) -> None:
    data = config()
    del data["upstreams"]["chat"]["url"]
    data["upstreams"]["chat"]["url_file"] = str(tmp_path / "missing")
    assert error_of(data).startswith("upstreams.chat.url_file: cannot read")


def test_value_and_file_reference_together_is_an_error(tmp_path: Path) -> None:
    data = config()
    data["upstreams"]["chat"]["url_file"] = str(tmp_path / "x")
    assert "give either url or url_file, not both" in error_of(data)


def test_top_level_must_be_a_mapping() -> None:
    assert "expected a mapping" in error_of(["not", "a", "mapping"])


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("upstreams:\n  chat: {url: http://x\n")
    with pytest.raises(OptionsError, match="invalid YAML at line"):
        load_settings(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="cannot read config file"):
        load_settings(tmp_path / "nope.yaml")


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(OptionsError, match="invalid YAML"):
        load_settings(hostile)
