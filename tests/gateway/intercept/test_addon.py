"""The intercept addon with mitmproxy's own test helpers: every flow goes to the gateway, unforgeable."""

from __future__ import annotations

import pytest
from mitmproxy.http import HTTPFlow
from mitmproxy.test import taddons, tflow

from gateway.intercept.addon import GatewayAddon

GATEWAY = ("127.0.0.1", 47001)
SECRET = "s" * 43


async def _through(flow: HTTPFlow) -> HTTPFlow:
    addon = GatewayAddon(*GATEWAY, SECRET)
    with taddons.context(addon) as context:
        await context.cycle(addon, flow)
    return flow


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_flows_go_to_the_gateway_keeping_the_host_the_app_called(scheme: str) -> None:
    flow = tflow.tflow()
    flow.request.scheme = scheme
    flow.request.host, flow.request.port = "chat.example.org", 443 if scheme == "https" else 80
    flow.request.path = "/_matrix/client/v3/rooms/!r:x/send/m.room.message/1"
    flow.client_conn.peername = ("203.0.113.5", 50000)
    await _through(flow)
    request = flow.request
    assert (request.scheme, request.host, request.port) == ("http", *GATEWAY)
    assert request.host_header == "chat.example.org"  # the gateway routes on it
    assert request.path == "/_matrix/client/v3/rooms/!r:x/send/m.room.message/1"
    assert request.headers["X-Forwarded-For"] == "203.0.113.5"
    assert request.headers["X-Forwarded-Proto"] == scheme


async def test_a_client_cannot_choose_its_address_or_scheme() -> None:
    flow = tflow.tflow()
    flow.client_conn.peername = ("203.0.113.9", 50000)
    for name, value in (("X-Forwarded-For", "10.0.0.1"), ("Forwarded", "for=10.0.0.1;proto=https"),
                        ("X-Real-IP", "10.0.0.1"), ("X-Forwarded-Host", "admin.internal"),
                        ("X-Forwarded-Proto", "https")):
        flow.request.headers[name] = value
    await _through(flow)
    headers = flow.request.headers
    assert headers.get_all("X-Forwarded-For") == ["203.0.113.9"]
    assert headers["X-Forwarded-Proto"] == "http"
    assert "Forwarded" not in headers and "X-Real-IP" not in headers and "X-Forwarded-Host" not in headers


async def test_websocket_upgrades_take_the_same_way() -> None:
    flow = tflow.twebsocketflow()
    flow.client_conn.peername = ("198.51.100.4", 50000)
    authority = flow.request.host_header or flow.request.pretty_host  # no Host header: the URL's host
    await _through(flow)
    assert (flow.request.host, flow.request.port) == GATEWAY
    assert flow.request.host_header == authority
    assert flow.request.headers["Upgrade"].lower() == "websocket"
    assert flow.request.headers["X-Forwarded-For"] == "198.51.100.4"


async def test_a_host_with_a_port_keeps_its_port() -> None:
    flow = tflow.tflow()
    flow.request.host, flow.request.port = "chat.example.org", 8448
    flow.request.host_header = "chat.example.org:8448"
    await _through(flow)
    assert flow.request.host_header == "chat.example.org:8448"


async def test_every_flow_carries_the_hop_secret_and_no_client_can_bring_its_own() -> None:
    flow = tflow.tflow()
    for name, value in (("X-Chatguard-Hop", "guessed"), ("x-chatguard-hop", "another"),
                        ("X-Chatguard-Subject", "admin"), ("X-Chatguard-Roles", "admin"),
                        ("X-CHATGUARD-ASSERTION", "forged.jwt.value")):
        flow.request.headers.add(name, value)
    await _through(flow)
    headers = flow.request.headers
    assert headers.get_all("X-Chatguard-Hop") == [SECRET]
    assert not [n for n in headers if n.lower().startswith("x-chatguard-") and n.lower() != "x-chatguard-hop"]


async def test_websocket_upgrades_carry_the_hop_secret_too() -> None:
    flow = tflow.twebsocketflow()
    await _through(flow)
    assert flow.request.headers.get_all("X-Chatguard-Hop") == [SECRET]
