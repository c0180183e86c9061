"""`chatguard intercept` refuses mistakes before listening (exit 2, one line) and hands mitmproxy the CA."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gateway.cli import main
from gateway.config.settings import parse_settings
from gateway.intercept.command import gateway_settings, mitm_confdir, parse_mode
from gateway.tls.certs import create_dev_certs

CONFIG = {"upstreams": {"chat": {"url": "http://127.0.0.1:8008"}},
          "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.parametrize(("extra", "config", "expected"), [
    (["--mode", "socks5"], CONFIG, "--mode: expected regular, transparent or upstream:http://HOST:PORT, got 'socks5'"),
    (["--mode", "upstream:https://proxy.example:3128"], CONFIG, "--mode upstream: expected http://HOST:PORT"),
    (["--mode", "upstream:http://proxy.example:3128/path"], CONFIG, "--mode upstream: must be http://HOST:PORT only"),
    (["--mode", "upstream:"], CONFIG, "--mode upstream: expected http://HOST:PORT"),
    (["--ca-dir", "/nonexistent"], CONFIG, "--ca-dir: '/nonexistent' holds neither ca.crt + ca.key"),
    ([], {**CONFIG, "routes": [{"match": {"path": "/"}, "upstream": "chta", "allow": ["anonymous"]}]},
     "config error: routes[0].upstream: unknown upstream 'chta'"),
])
def test_mistakes_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                       config: object, expected: str) -> None:
    assert main(["intercept", "--config", write(tmp_path, config), *extra]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_the_operators_ca_becomes_mitmproxys(tmp_path: Path) -> None:
    certs = create_dev_certs(tmp_path / "ca", client_name=None)
    (tmp_path / "conf").mkdir()
    confdir = mitm_confdir(str(certs.ca_cert.parent), tmp_path / "conf")
    bundle = (confdir / "mitmproxy-ca.pem").read_bytes()
    assert bundle == certs.ca_key.read_bytes() + certs.ca_cert.read_bytes()
    assert (confdir / "mitmproxy-ca.pem").stat().st_mode & 0o077 == 0  # a private key: owner only


def test_a_broken_ca_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ca.crt").write_text("not a certificate")
    (tmp_path / "ca.key").write_text("not a key")
    assert main(["intercept", "--config", write(tmp_path, CONFIG), "--ca-dir", str(tmp_path)]) == 2
    assert "--ca-dir: cannot read the CA" in capsys.readouterr().err


def test_the_gateway_behind_the_proxy_listens_on_loopback_and_believes_only_it() -> None:
    settings = gateway_settings(parse_settings({**CONFIG, "listen": {"host": "0.0.0.0", "port": 443},
                                                "trusted_proxies": ["10.0.0.0/8"]}, environ={}))
    assert settings.listen.host == "127.0.0.1" and settings.listen.port not in (0, 443)
    assert settings.listen.tls is None
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1/32")


def test_upstream_mode_sends_every_upstream_through_the_proxy() -> None:
    mode, proxy = parse_mode("upstream:http://proxy.internal:3128")
    assert (mode, proxy) == ("regular", "http://proxy.internal:3128")  # the app side stays a regular proxy
    settings = gateway_settings(parse_settings({**CONFIG, "upstreams": {
        "chat": {"url": "http://127.0.0.1:8008"}, "bot": {"url": "https://bot.example"}}}, environ={}), proxy)
    assert {name: u.proxy for name, u in settings.upstreams.items()} == {
        "chat": "http://proxy.internal:3128", "bot": "http://proxy.internal:3128"}
    assert all(u.proxy is None for u in gateway_settings(parse_settings(CONFIG, environ={})).upstreams.values())
