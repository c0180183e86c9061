"""Redis URLs for one server, a Sentinel-watched master and a Cluster: parsed, checked, never shown."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from filters.options import OptionsError, bind
from gateway.state import StateSettings
from gateway.state.connect import client, key_prefix, parse_target
from gateway.state.settings import redacted


@pytest.mark.parametrize(("url", "expected"), [
    ("redis+sentinel://s1,s2:26380/mymaster", {"topology": "sentinel", "master": "mymaster", "db": 0,
                                               "nodes": (("s1", 26379), ("s2", 26380))}),
    ("rediss+sentinel://:pw@s1:1/m/3?sentinel_password=sp", {"tls": True, "db": 3, "password": "pw",
                                                             "sentinel_password": "sp"}),
    ("redis+cluster://u:p%40ss@[::1]:7000,10.0.0.2", {"topology": "cluster", "username": "u", "password": "p@ss",
                                                     "nodes": (("::1", 7000), ("10.0.0.2", 6379))}),
    ("redis://127.0.0.1:6379/0", {"topology": "server", "nodes": ()}),
    ("unix:///run/redis.sock", {"topology": "server"}),
])
def test_urls_are_read(url: str, expected: dict[str, Any]) -> None:
    target = parse_target(url)
    for name, value in expected.items():
        assert getattr(target, name) == value, name


@pytest.mark.parametrize(("url", "problem"), [
    ("redis+sentinel://s1:26379", "name the master"),
    ("redis+sentinel://s1/m/x", "database number"),
    ("redis+sentinel://s1/m?password=x", "unknown URL option"),
    ("redis+cluster://c1/2", "only database 0"),
    ("redis+cluster://c1:0", "bad port"),
    ("redis+cluster://c1,,c2", "host is missing"),
    ("redis+cluster://[::1:7000", "unclosed"),
    ("memcached://x", "expected redis://"),
])
def test_bad_urls_are_refused_in_the_config_with_the_key(url: str, problem: str) -> None:
    with pytest.raises(OptionsError) as raised:
        bind(StateSettings, {"backend": "redis", "url": url}, "state")
    assert raised.value.path == "state.url" and problem in str(raised.value)


def test_passwords_never_appear_in_errors_or_logs() -> None:
    url = "redis+sentinel://admin:hunter2@s1,s2/m/x?sentinel_password=hunter3"
    with pytest.raises(OptionsError) as raised:
        bind(StateSettings, {"backend": "redis", "url": url}, "state")
    assert "hunter2" not in str(raised.value) and "hunter3" not in str(raised.value)
    assert redacted("redis+cluster://:pw@c1,c2") == "redis+cluster://:***@c1,c2"
    assert "pw" not in redacted("redis+cluster://pw@c1,c2")


def test_clients_follow_the_topology() -> None:
    assert isinstance(client("redis://127.0.0.1:6379/0", 1.0), Redis)
    assert isinstance(client("redis+sentinel://127.0.0.1:26379/m", 1.0), Redis)  # the master, via Sentinel
    assert isinstance(client("redis+cluster://127.0.0.1:7000", 1.0), RedisCluster)


@pytest.mark.parametrize(("url", "prefix", "stored"), [
    ("redis://r:6379/0", "chatguard:", "chatguard:"),
    ("redis+sentinel://s/m", "chatguard:", "chatguard:"),
    ("redis+cluster://c1,c2", "chatguard:", "{chatguard:}"),
    ("redis+cluster://c1,c2", "{cg}:", "{cg}:"),  # a hash tag the operator chose is kept
])
def test_cluster_keys_share_one_slot(url: str, prefix: str, stored: str) -> None:
    assert key_prefix(url, prefix) == stored
