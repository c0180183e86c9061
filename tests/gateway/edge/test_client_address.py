"""The client address: forwarding headers believed only from trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.client_address import client_address

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"),)


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


@pytest.mark.parametrize("forged", ["not-an-ip", "", " , ", "10.0.0.3"])
def test_client_address_never_trusts_garbage(forged: str) -> None:
    assert client_address("10.0.0.2", headers(("X-Forwarded-For", forged)), TRUSTED) == "10.0.0.2"
