"""The connection caps' one rule (gateway.edge.connection_count), which the guard and the supervisor share."""

from __future__ import annotations

import ipaddress

from gateway.edge.client_keys import ClientKeys
from gateway.edge.connection_count import PER_CLIENT, TOTAL, ConnectionCount


def test_a_client_is_capped_and_a_release_makes_room() -> None:
    count = ConnectionCount(10, 2)
    assert count.admit("10.0.0.1") == ("10.0.0.1", "")
    assert count.admit("10.0.0.1") == ("10.0.0.1", "")
    assert count.admit("10.0.0.1") == (None, PER_CLIENT)
    assert count.admit("10.0.0.2") == ("10.0.0.2", "")
    count.release("10.0.0.1")
    assert count.admit("10.0.0.1") == ("10.0.0.1", "")
    assert (count.total, count.per_client) == (3, {"10.0.0.1": 2, "10.0.0.2": 1})


def test_the_total_is_capped_before_any_client() -> None:
    count = ConnectionCount(2, 5)
    count.admit("10.0.0.1")
    count.admit("10.0.0.2")
    assert count.admit("10.0.0.3") == (None, TOTAL)
    assert count.per_client == {"10.0.0.1": 1, "10.0.0.2": 1}


def test_ipv6_addresses_of_one_prefix_are_one_client() -> None:
    count = ConnectionCount(10, 2, client_key=ClientKeys().key)
    assert count.admit("2001:db8:1:2::1")[0] == "2001:db8:1:2::/64"
    assert count.admit("2001:db8:1:2:ffff::9")[0] == "2001:db8:1:2::/64"
    assert count.admit("2001:db8:1:2::abcd") == (None, PER_CLIENT)
    assert count.admit("2001:db8:1:3::1")[0] == "2001:db8:1:3::/64"


def test_trusted_peers_count_towards_the_total_only() -> None:
    count = ConnectionCount(3, 1, trusted=(ipaddress.ip_network("10.9.0.0/16"),))
    assert [count.admit("10.9.0.1") for _ in range(3)] == [("", "")] * 3
    assert count.admit("10.9.0.1") == (None, TOTAL)
    count.release("")
    assert count.per_client == {} and count.total == 2
