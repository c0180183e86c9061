"""`e2ee`, `encrypted` and `encrypt_fields` route keys: bad values stop startup naming the key (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import main
from gateway.config.settings import ConfigError, parse_settings

KEK = "00" * 32


def config(**route: Any) -> dict[str, Any]:
    return {"upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
            "routes": [{"match": {"path": "/m"}, "upstream": "chat", "allow": ["anonymous"], **route}]}


@pytest.mark.parametrize(("route", "key"), [
    ({"e2ee": "required"}, "routes[0].e2ee"),
    ({"e2ee": "require"}, "routes[0].encrypted"),        # a policy that could never act
    ({"e2ee": "require", "encrypted": {"omemo": True}}, "routes[0].encrypted.omemo"),
    ({"encrypted": {"json": ["/c"]}, "e2ee": "forbid"}, "routes[0].encrypted.json"),
    ({"encrypted": {"json": ["c"]}, "messages": {"inbound": {"json": ["/t"]}}}, "routes[0].encrypted.json[0]"),
    ({"encrypted": {"event_type": "a-b"}}, "routes[0].encrypted.event_type"),
    ({"encrypt_fields": {"json": ["/t"]}}, "routes[0].encrypt_fields"),   # no key service configured
    ({"encrypt_fields": {"text": True}}, "routes[0].encrypt_fields.text"),
    ({"encrypt_fields": {"json": ["/a/@json/b"]}}, "routes[0].encrypt_fields.json[0]"),
    ({"encrypt_fields": {"json": ["a"]}}, "routes[0].encrypt_fields.json[0]"),
    ({"encrypt_fields": {"json": ["/t"], "xmpp": True}}, "routes[0].encrypt_fields.xmpp"),
    ({"encrypt_fields": {"xmpp": True}}, "routes[0].encrypt_fields.xmpp"),   # not a WebSocket route (BOSH)
])
def test_bad_route_keys_name_the_key(route: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config(**route), environ={})
    assert caught.value.path == key


def test_check_config_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config(e2ee="sometimes")))
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "routes[0].e2ee" in err and "Traceback" not in err


def test_valid_keys_and_presets() -> None:
    settings = parse_settings({
        **config(e2ee="require", encrypted={"json": ["/ciphertext"]}, messages={"inbound": {"json": ["/text"]}},
                 encrypt_fields={"json": ["/text"]}),
        "keys": {"kek": KEK, "store": "sqlite:///:memory:"},
    }, environ={})
    assert settings.routes[0].e2ee == "require"
    # a preset under a policy: its message routes know how to recognise encryption, the others carry none
    matrix = parse_settings({"upstreams": {"chat": {"url": "http://127.0.0.1:9"}}, "routes": [
        {"preset": "matrix", "upstream": "chat", "allow": ["anonymous"], "e2ee": "require"},
        {"preset": "xmpp", "upstream": "chat", "allow": ["anonymous"], "e2ee": "forbid"}]}, environ={})
    by_name = {route.name: route for route in matrix.routes}
    assert by_name["matrix.send"].encrypted.event_type == "type"
    assert not by_name["matrix.sync"].encrypted.messages
    assert by_name["xmpp.websocket"].encrypted.omemo
