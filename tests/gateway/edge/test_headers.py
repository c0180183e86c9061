"""Header hygiene: hop-by-hop removal, forged forwarding headers."""

from __future__ import annotations

import ipaddress

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.client_address import client_address
from gateway.edge.headers import (
    HOP_BY_HOP,
    add_forwarding,
    client_headers,
    end_to_end,
    identity_encoded,
    is_websocket_upgrade,
)

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"),)


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def test_hop_by_hop_and_connection_listed_headers_are_dropped() -> None:
    incoming = headers(("Connection", "keep-alive, X-Secret-Hop"), ("Keep-Alive", "timeout=5"),
                       ("TE", "trailers"), ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"),
                       ("Proxy-Authorization", "Basic eA=="), ("X-Secret-Hop", "1"), ("Accept", "*/*"),
                       ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"))
    out = end_to_end(incoming)
    assert [name for name, _ in out.items()] == ["Accept", "Set-Cookie", "Set-Cookie"]
    assert out.getall("Set-Cookie") == ["a=1", "b=2"]


def test_gateway_owned_headers_cannot_be_forged() -> None:
    out = end_to_end(headers(("X-Chatguard-User", "admin"), ("x-chatguard-roles", "admin"), ("A", "1")))
    assert list(out.keys()) == ["A"]


def test_untrusted_peer_forwarding_headers_are_replaced() -> None:
    incoming = headers(("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"),
                       ("X-Forwarded-Host", "evil.example"))
    out: CIMultiDict[str] = CIMultiDict()
    add_forwarding(out, incoming, peer="192.0.2.7", scheme="http", host="chat.example", trusted=TRUSTED)
    assert out["X-Forwarded-For"] == "192.0.2.7"
    assert out["X-Forwarded-Proto"] == "http"
    assert out["X-Forwarded-Host"] == "chat.example"
    assert client_address("192.0.2.7", incoming, TRUSTED) == "192.0.2.7"


def test_trusted_peer_forwarding_headers_are_extended() -> None:
    incoming = headers(("X-Forwarded-For", "203.0.113.9, 10.1.1.1"), ("X-Forwarded-Proto", "https"),
                       ("X-Forwarded-Host", "chat.example"))
    out: CIMultiDict[str] = CIMultiDict()
    add_forwarding(out, incoming, peer="10.0.0.2", scheme="http", host="internal", trusted=TRUSTED)
    assert out["X-Forwarded-For"] == "203.0.113.9, 10.1.1.1, 10.0.0.2"
    assert out["X-Forwarded-Proto"] == "https"
    assert out["X-Forwarded-Host"] == "chat.example"
    assert client_address("10.0.0.2", incoming, TRUSTED) == "203.0.113.9"


@pytest.mark.parametrize("name", [
    "X_Chatguard_Subject", "x_chatguard_roles", "X-Chatguard_Assertion", "X_CHATGUARD_SUBJECT",
])
def test_gateway_owned_headers_cannot_be_forged_in_underscore_spelling(name: str) -> None:
    assert list(client_headers(headers((name, "admin"), ("A", "1")), HOP_BY_HOP).keys()) == ["A"]


@pytest.mark.parametrize("name", [
    "X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method", "x_http_method_override",
    "X-Original-URL", "X-Rewrite-URL", "X-Original-URI", "X-Forwarded-Uri", "X-Forwarded-Path",
    "X-Forwarded-Prefix", "X-Envoy-Original-Path", "X_Original_URL",
    "True-Client-IP", "X-Client-IP", "CF-Connecting-IP", "X-Real-IP", "X_Real_IP", "X-Forwarded-Port",
])
def test_override_rewrite_and_address_headers_never_reach_the_backend(name: str) -> None:
    out = client_headers(headers((name, "/admin/delete"), ("Accept", "*/*")), HOP_BY_HOP)
    assert list(out.keys()) == ["Accept"]


@pytest.mark.parametrize("name", [
    "Content_Type", "Content_Length", "Transfer_Encoding", "X_Forwarded_For", "Accept_Encoding", "Host_",
    "Authorization_",
])
def test_underscore_spellings_of_headers_the_gateway_reads_are_dropped(name: str) -> None:
    out = client_headers(headers((name, "x"), ("Content-Type", "application/json")), HOP_BY_HOP)
    assert [n for n in out if n.lower() != "content-type"] == ([name] if name.endswith("_") else [])


def test_connection_listed_names_are_normalised() -> None:
    out = end_to_end(headers(("Connection", "X_Secret"), ("X-Secret", "1"), ("Keep_Alive", "x"), ("A", "1")))
    assert list(out.keys()) == ["A"]


def test_ordinary_underscore_headers_pass() -> None:
    out = client_headers(headers(("X_Api_Version", "2"), ("Accept", "*/*")), HOP_BY_HOP)
    assert list(out.keys()) == ["X_Api_Version", "Accept"]


@pytest.mark.parametrize(("values", "identity"), [
    ((), True), (("identity",), True), (("",), True), (("IDENTITY",), True), ((" identity , ",), True),
    (("gzip",), False), (("identity, gzip",), False), (("identity", "gzip"), False), (("br",), False),
])
def test_identity_encoding_reads_every_header_and_token(values: tuple[str, ...], identity: bool) -> None:
    """A backend joins repeated Content-Encoding headers: `identity` then `gzip` is a gzip body."""
    assert identity_encoded(headers(*(("Content-Encoding", v) for v in values))) is identity


@pytest.mark.parametrize(("method", "pairs", "upgrade"), [
    ("GET", (("Upgrade", "websocket"), ("Connection", "Upgrade")), True),
    ("GET", (("Upgrade", "WebSocket"), ("Connection", "keep-alive, upgrade")), True),
    ("POST", (("Upgrade", "websocket"), ("Connection", "Upgrade")), False),  # RFC 6455: a GET only
    ("GET", (("Upgrade", "websocket"),), False),
    ("GET", (("Upgrade", "h2c"), ("Connection", "Upgrade")), False),
])
def test_websocket_upgrade(method: str, pairs: tuple[tuple[str, str], ...], upgrade: bool) -> None:
    assert is_websocket_upgrade(method, headers(*pairs)) is upgrade


def test_names_seen_again_are_judged_the_same_and_each_connection_list_on_its_own() -> None:
    for _ in range(2):  # the second pass meets what the first one remembered
        first = end_to_end(headers(("Connection", "X-One"), ("X-One", "1"), ("X-Two", "2"), ("X_Chatguard_Subject", "x")))
        assert [name for name, _ in first.items()] == ["X-Two"]
        second = end_to_end(headers(("Connection", "X-Two"), ("X-One", "1"), ("X-Two", "2")))
        assert [name for name, _ in second.items()] == ["X-One"]
        assert [n for n, _ in client_headers(headers(("X-Real-IP", "1.2.3.4"), ("Accept", "*/*")),
                                             HOP_BY_HOP).items()] == ["Accept"]


def test_what_is_remembered_stays_bounded() -> None:
    from gateway.edge import headers as module

    for i in range(3 * module._CACHED):
        end_to_end(headers(("Connection", f"X-Hop-{i}"), (f"X-Name-{i}", "v")))
    end_to_end(headers(("Connection", "x" * 500), ("y" * 500, "v")))  # long ones are never kept
    assert len(module._NORMALISED) <= module._CACHED and len(module._SKIPS) <= module._CACHED
    assert "y" * 500 not in module._NORMALISED
