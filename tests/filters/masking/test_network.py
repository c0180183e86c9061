import pytest

from filters.masking.network import IPDetector

DETECTOR = IPDetector()


def found(text: str) -> list[tuple[str, str]]:
    return [(d.detector, text[d.start:d.end]) for d in DETECTOR.detect(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("server 192.168.1.20 is down", [("ipv4", "192.168.1.20")]),
    ("from 10.0.0.1:8080.", [("ipv4", "10.0.0.1")]),
    ("http://203.0.113.7/admin", [("ipv4", "203.0.113.7")]),
    ("addr 2001:db8::8a2e:370:7334 ok", [("ipv6", "2001:db8::8a2e:370:7334")]),
    ("link fe80::1ff:fe23:4567:890a%eth0", [("ipv6", "fe80::1ff:fe23:4567:890a%eth0")]),
    ("mapped ::ffff:192.0.2.1", [("ipv6", "::ffff:192.0.2.1")]),
    ("full 2001:0db8:0000:0000:0000:ff00:0042:8329", [("ipv6", "2001:0db8:0000:0000:0000:ff00:0042:8329")]),
])
def test_addresses(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "version 1.2.3.4", "v1.2.3.4", "release 2.10.0.1", "256.1.1.1", "01.2.3.4", "1.2.3.4.5",
    "at 10:30:00", "MAC 00:1A:2B:3C:4D:5E", "std::vector", "a::b", "price 1.234.567.890",
])
def test_not_addresses(text: str) -> None:
    assert found(text) == []
