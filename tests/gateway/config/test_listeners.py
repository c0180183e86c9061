"""`probes:` and the check that every listener gets an address of its own."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.config.listeners import is_loopback, listeners
from gateway.config.settings import ConfigError, parse_settings

UPSTREAMS = {"up": {"url": "http://127.0.0.1:8008"}}


def settings(**sections: Any) -> Any:
    return parse_settings({"upstreams": UPSTREAMS, **sections}, environ={})


def test_the_probe_listener_is_off_by_default() -> None:
    probes = settings().probes
    assert (probes.enabled, probes.host, probes.port, probes.metrics) == (False, "0.0.0.0", 9902, True)
    assert [key for key, _, _ in listeners(settings())] == ["listen.port", "admin.port"]


def test_listeners_in_start_order() -> None:
    found = listeners(settings(probes={"enabled": True}, listen={"port": 8443}))
    assert found == [("listen.port", "0.0.0.0", 8443), ("admin.port", "127.0.0.1", 9901),
                     ("probes.port", "0.0.0.0", 9902)]


CLASHES = {
    "probes on the admin port": ({"probes": {"enabled": True, "host": "127.0.0.1", "port": 9901}},
                                 "probes.port: port 9901 is already taken by admin.port"),
    "probes wildcard over admin": ({"probes": {"enabled": True, "port": 9901}},
                                   "probes.port: port 9901 is already taken by admin.port"),
    "probes on the gateway port": ({"probes": {"enabled": True, "port": 8080}},
                                   "probes.port: port 8080 is already taken by listen.port"),
    "admin on the gateway port": ({"admin": {"port": 8080}}, "admin.port: port 8080 is already taken by listen.port"),
    "same IPv6 address written twice": ({"listen": {"host": "::1", "port": 7000},
                                         "admin": {"host": "0:0:0:0:0:0:0:1", "port": 7000}},
                                        "admin.port: port 7000 is already taken"),
    "bad port": ({"probes": {"enabled": True, "port": 70000}}, "probes.port: expected a port 0-65535"),
    "unknown key": ({"probes": {"enabled": True, "path": "/metrics"}}, "probes.path"),
}


@pytest.mark.parametrize("name", list(CLASHES))
def test_mistakes_name_the_key(name: str) -> None:
    sections, expected = CLASHES[name]
    with pytest.raises(ConfigError) as caught:
        settings(**sections)
    assert expected in str(caught.value)


ALLOWED = {
    "distinct ports": {"probes": {"enabled": True, "port": 9902}},
    "same port, different addresses": {"admin": {"host": "127.0.0.1", "port": 9902},
                                       "probes": {"enabled": True, "host": "10.1.2.3", "port": 9902}},
    "disabled listener may share": {"admin": {"enabled": False, "port": 8080}},
    "ephemeral ports": {"listen": {"port": 0}, "admin": {"port": 0}, "probes": {"enabled": True, "port": 0}},
}


@pytest.mark.parametrize("name", list(ALLOWED))
def test_distinct_addresses_are_accepted(name: str) -> None:
    settings(**ALLOWED[name])


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False), ("10.0.0.1", False),
                                                ("admin.internal", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
