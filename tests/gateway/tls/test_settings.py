"""TLS settings bound from config data: defaults, and every refusal naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from filters.options import OptionsError, bind
from gateway.tls.server import listener_warnings
from gateway.tls.settings import CertPair, HSTSSettings, ListenerTLS, UpstreamTLS

BASE = {"cert": "/tls/a.crt", "key": "/tls/a.key"}


def test_defaults_are_secure() -> None:
    cfg = bind(ListenerTLS, BASE, "listen.tls")
    assert cfg.min_version == "1.2" and cfg.client_cert == "none"
    assert cfg.hsts.header_value() == "max-age=31536000; includeSubDomains"
    assert cfg.redirect_http.enabled is False
    assert float(cfg.reload_interval) == 5
    upstream = bind(UpstreamTLS, {}, "upstreams.chat.tls")
    assert upstream.insecure_skip_verify is False and upstream.min_version == "1.2"


def test_full_listener() -> None:
    cfg = bind(ListenerTLS, {
        **BASE, "min_version": "1.3", "client_ca": "/tls/ca.pem", "client_cert": "optional",
        "sni": {"chat.example.test": {"cert": "/tls/c.crt", "key": "/tls/c.key"},
                "*.example.test": {"cert": "/tls/w.crt", "key": "/tls/w.key"}},
        "hsts": {"max_age": "730d", "preload": True}, "reload_interval": "250ms",
        "redirect_http": {"enabled": True, "port": 80, "canonical_host": "chat.example.test"},
    }, "listen.tls")
    assert cfg.sni["chat.example.test"] == CertPair("/tls/c.crt", "/tls/c.key")
    assert cfg.hsts.header_value() == "max-age=63072000; includeSubDomains; preload"
    assert cfg.files() == ("/tls/a.crt", "/tls/a.key", "/tls/c.crt", "/tls/c.key", "/tls/w.crt", "/tls/w.key",
                           "/tls/ca.pem")


@pytest.mark.parametrize(("data", "path"), [
    ({"min_version": "1.1"}, "listen.tls.min_version"),
    ({"min_version": "1.0"}, "listen.tls.min_version"),
    ({"ciphers": "ALL"}, "listen.tls.ciphers"),
    ({"sni": {"Chat.Example.test": {"cert": "a", "key": "b"}}}, "listen.tls.sni.Chat.Example.test"),
    ({"sni": {"*.test": {"cert": "a", "key": "b"}}}, "listen.tls.sni.*.test"),
    ({"sni": {"bad_name.test": {"cert": "a", "key": "b"}}}, "listen.tls.sni.bad_name.test"),
    ({"sni": {"chat.test": {"cert": "a"}}}, "listen.tls.sni.chat.test.key"),
    ({"client_cert": "required"}, "listen.tls.client_ca"),
    ({"client_ca": "/tls/ca.pem"}, "listen.tls.client_cert"),
    ({"client_cert": "maybe", "client_ca": "/x"}, "listen.tls.client_cert"),
    ({"principal_from": "email"}, "listen.tls.principal_from"),
    ({"reload_interval": "10ms"}, "listen.tls.reload_interval"),
    ({"hsts": {"preload": True, "include_subdomains": False}}, "listen.tls.hsts.preload"),
    ({"hsts": {"preload": True, "max_age": "30d"}}, "listen.tls.hsts.preload"),
    ({"redirect_http": {"port": 70000}}, "listen.tls.redirect_http.port"),
    ({"redirect_http": {"canonical_host": "evil.test/x"}}, "listen.tls.redirect_http.canonical_host"),
    ({"redirect_http": {"probe_paths": ["healthz"]}}, "listen.tls.redirect_http.probe_paths[0]"),
])
def test_listener_errors_name_the_key(data: dict[str, Any], path: str) -> None:
    with pytest.raises(OptionsError) as caught:
        bind(ListenerTLS, {**BASE, **data}, "listen.tls")
    assert caught.value.path == path


@pytest.mark.parametrize(("data", "path"), [
    ({"cert": "/c.crt"}, "upstreams.chat.tls.key"),
    ({"key": "/c.key"}, "upstreams.chat.tls.cert"),
    ({"server_name": "Bad Name"}, "upstreams.chat.tls.server_name"),
    ({"insecure_skip_verify": True, "ca_file": "/ca.pem"}, "upstreams.chat.tls.insecure_skip_verify"),
    ({"insecure_skip_verify": "yes"}, "upstreams.chat.tls.insecure_skip_verify"),
    ({"min_version": "1.1"}, "upstreams.chat.tls.min_version"),
])
def test_upstream_errors_name_the_key(data: dict[str, Any], path: str) -> None:
    with pytest.raises(OptionsError) as caught:
        bind(UpstreamTLS, data, "upstreams.chat.tls")
    assert caught.value.path == path


@pytest.mark.parametrize("name", ["backend.internal", "10.0.0.7", "fd00::7"])
def test_upstream_server_name_accepts_hosts_and_ips(name: str) -> None:
    assert bind(UpstreamTLS, {"server_name": name}, "u").server_name == name


def test_hsts_disabled_sends_nothing() -> None:
    assert HSTSSettings(enabled=False).header_value() is None


def test_listener_warnings() -> None:
    assert listener_warnings(bind(ListenerTLS, BASE, "listen.tls")) == []
    lines = listener_warnings(bind(ListenerTLS, {**BASE, "hsts": {"enabled": False}, "reload_interval": 0}, "x"))
    assert [line.split(":")[0] for line in lines] == ["listen.tls.hsts.enabled", "listen.tls.reload_interval"]
