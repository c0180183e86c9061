"""Checks of what faces the network: listeners, TLS both ways, trusted proxies, key sources."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from gateway.config.listeners import is_loopback
from gateway.tools.audit.findings import RULES, Finding, Severity
from gateway.tools.audit.subject import Check, Subject

# What may be trusted to set X-Forwarded-*: addresses only one's own network can hold.
PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "100.64.0.0/10",
    "::1/128", "fc00::/7"))


def _finding(rule: str, path: str, detail: str, severity: Severity | None = None) -> Finding:
    return Finding(RULES[rule], path, detail, severity or RULES[rule].severity)


def tls_listener(s: Subject) -> Iterator[Finding]:
    listen = s.settings.listen
    if listen.tls is None:
        if not is_loopback(listen.host):
            yield _finding("tls-off", "listen.tls",
                           f"listen.host is {listen.host or '*'} and listen.tls is not set")
        return
    if listen.tls.min_version == "1.2":
        yield _finding("tls12-allowed", "listen.tls.min_version", "min_version is 1.2")
    if not listen.tls.hsts.enabled:
        yield _finding("hsts-off", "listen.tls.hsts.enabled", "hsts.enabled is false")


def upstreams(s: Subject) -> Iterator[Finding]:
    for name, upstream in s.settings.upstreams.items():
        path = f"upstreams.{name}.tls"
        if upstream.url.startswith("https:"):
            if upstream.tls.insecure_skip_verify:
                yield _finding("upstream-skip-verify", f"{path}.insecure_skip_verify",
                               f"upstream {name} ({upstream.url}) is not verified")
            if upstream.tls.min_version == "1.2":
                yield _finding("tls12-allowed", f"{path}.min_version", f"upstream {name} accepts TLS 1.2")


def admin(s: Subject) -> Iterator[Finding]:
    if s.settings.admin.enabled and not is_loopback(s.settings.admin.host):
        yield _finding("admin-exposed", "admin.host", f"admin.host is {s.settings.admin.host or '*'}")


def _private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(network.version == p.version and network.subnet_of(p) for p in PRIVATE)  # type: ignore[arg-type]


def trusted_proxies(s: Subject) -> Iterator[Finding]:
    for i, network in enumerate(s.settings.trusted_networks):
        if not _private(network):
            worst: Severity = "critical" if network.prefixlen == 0 else "high"
            yield _finding("trusted-proxies-wide", f"trusted_proxies[{i}]",
                           f"{network} is not within private ranges", worst)


def external_keys(s: Subject) -> Iterator[Finding]:
    auth = s.settings.auth
    if auth is None:
        return
    for i, issuer in enumerate(auth.external):
        if issuer.jwks_url.startswith("http://"):
            yield _finding("jwks-plain-http", f"auth.external[{i}].jwks_url", f"{issuer.jwks_url}")


CHECKS: tuple[Check, ...] = (tls_listener, upstreams, admin, trusted_proxies, external_keys)
