"""Links into the server's own network, read as URL parsers read a host: spelt to dodge a list, or two hosts."""

from __future__ import annotations

import ipaddress

import pytest

from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.internal import CONFUSED, SPELT, ipv4, reached


@pytest.mark.parametrize(("host", "address", "plain"), [
    ("127.0.0.1", "127.0.0.1", True), ("127.1", "127.0.0.1", False), ("2130706433", "127.0.0.1", False),
    ("0x7f000001", "127.0.0.1", False), ("0177.0.0.1", "127.0.0.1", False), ("0x7f.1", "127.0.0.1", False),
    ("0", "0.0.0.0", False), ("169.254.43518", "169.254.169.254", False), ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254", False),
    ("127.000.000.001", "127.0.0.1", False), ("10.0.0.1.", "10.0.0.1", True),
])
def test_hosts_are_read_as_whatwg_reads_ipv4(host: str, address: str, plain: bool) -> None:
    assert ipv4(host) == (ipaddress.IPv4Address(address), plain)


@pytest.mark.parametrize("host", ["example.com", "v1.2.3", "2024.12", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "3.x"])
def test_names_and_impossible_numbers_are_no_address(host: str) -> None:
    assert ipv4(host) is None or not ipv4(host)[0].is_private  # type: ignore[index]


@pytest.mark.parametrize("text", [
    "http://2130706433/admin", "http://0x7f000001:6379/", "http://0177.0.0.1/", "http://127.1:22/",
    "https://0/", "http://169.254.43518/latest/meta-data/", "http://[::ffff:127.0.0.1]:8080/",
    "http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::ffff:a9fe:a9fe]/", "http://x.127.0.0.1.nip.io/",
    "http://127-0-0-1.sslip.io/", "gopher://0x7f.1:25/_helo", "http://3232235777/router",
])
def test_internal_addresses_spelt_unplainly_are_ssrf(text: str) -> None:
    assert [each.weight for each in reached(text)] == [SPELT]


@pytest.mark.parametrize("text", [
    "http://trusted.example@127.0.0.1/", "http://127.0.0.1\\@trusted.example/", "http://127.0.0.1:80#trusted.example",
    "http://0.0.0.0/#@example.com", "http://api.partner.test@localhost/",
])
def test_internal_addresses_where_parsers_read_two_hosts_are_ssrf(text: str) -> None:
    assert [each.weight for each in reached(text)] == [CONFUSED]


@pytest.mark.parametrize("text", [
    "open http://localhost:3000 after npm start", "the router is at http://192.168.1.1",
    "Serving HTTP on :: port 8000 (http://[::]:8000/)", "Listening on http://0.0.0.0:8000",
    "postgres://app:secret@localhost:5432/app", "http://[::1]:9090/metrics", "http://127.0.0.1:8000/docs/api.html#requests.get",
    "https://example.com/ and http://1.2.3.4/", "http://10.0.0.5:8080/health", "see https://3.14/pi", "http://localhost/#/dashboard",
    "ftp://user@files.example.com/pub", "http://ip-10-0-0-1.ec2.internal:8080/",
])
def test_plain_internal_and_ordinary_links_are_not(text: str) -> None:
    assert reached(text) == []


@pytest.mark.parametrize("text", [
    "http%3A%2F%2F2130706433%2Fadmin", "http&#58;&#47;&#47;0x7f000001&#47;", "http%3A%2F%2Ftrusted.example%40127.0.0.1%2F",
])
def test_the_filter_reads_them_behind_escapes(text: str) -> None:
    verdict = ThreatFilter(ThreatOptions()).decide(text)
    assert verdict.findings and verdict.findings[0].type == "ssrf" and verdict.hints.alert
