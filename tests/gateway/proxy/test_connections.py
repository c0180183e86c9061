"""Connection limits: per client address and in total, each slot given back exactly once."""

from __future__ import annotations

import pytest

from gateway.app import build_app
from gateway.config.settings import parse_settings
from gateway.proxy.connections import Connections, Refused
from gateway.proxy.websocket import connections


def test_the_per_client_limit_answers_429_and_leaves_others_alone() -> None:
    registry = Connections()
    registry.admit("10.0.0.1", 10, 2)
    registry.admit("10.0.0.1", 10, 2)
    with pytest.raises(Refused) as refused:
        registry.admit("10.0.0.1", 10, 2)
    assert refused.value.status == 429
    registry.admit("10.0.0.2", 10, 2)
    assert registry.total == 3


def test_the_total_limit_answers_503() -> None:
    registry = Connections()
    registry.admit("10.0.0.1", 1, 5)
    with pytest.raises(Refused) as refused:
        registry.admit("10.0.0.2", 1, 5)
    assert refused.value.status == 503


def test_a_slot_is_given_back_once_however_often_release_runs() -> None:
    registry = Connections()
    first = registry.admit("10.0.0.1", 2, 2)
    registry.admit("10.0.0.1", 2, 2)
    first()
    first()
    assert registry.total == 1 and registry.per_client == {"10.0.0.1": 1}
    registry.admit("10.0.0.1", 2, 2)


def test_released_clients_leave_no_entry_behind() -> None:
    registry = Connections()
    registry.admit("10.0.0.9", 5, 5)()
    assert registry.per_client == {} and registry.total == 0


def test_each_gateway_app_has_its_own_registry() -> None:
    settings = parse_settings({"upstreams": {"up": {"url": "http://127.0.0.1:9"}}, "routes": []}, environ={})
    one, two = build_app(settings), build_app(settings)
    assert connections(one) is connections(one)
    assert connections(one) is not connections(two)
