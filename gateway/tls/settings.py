"""Frozen TLS settings for the listener and for each upstream.

Kept apart from `gateway.config.settings` so the TLS code and its tests depend only on
these shapes. `validate()` checks what can be checked without touching files
(pairs complete, names well formed, policy consistent); file contents are
checked when `gateway.tls.ServerTLS.load` / `gateway.tls.upstream` build contexts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from filters.options import Duration, OptionsError, join

__all__ = ["CertPair", "HSTSSettings", "ListenerTLS", "RedirectHTTP", "UpstreamTLS", "check_hostname"]

TLSVersion = Literal["1.2", "1.3"]
ONE_YEAR = Duration(365 * 86400)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_hostname(name: str, path: str, *, wildcard: bool = False) -> None:
    """Reject anything that is not a DNS name (or `*.name` when `wildcard`)."""
    labels = name.split(".")
    if wildcard and labels[0] == "*" and len(labels) > 2:
        labels = labels[1:]
    if name != name.lower() or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise OptionsError(path, f"expected a lower-case DNS name{' or *.name' if wildcard else ''}, got {name!r}")


@dataclass(frozen=True)
class CertPair:
    """A PEM certificate chain (leaf first) and its private key."""

    cert: str
    key: str


@dataclass(frozen=True)
class HSTSSettings:
    """Strict-Transport-Security sent on every TLS response."""

    enabled: bool = True
    max_age: Duration = ONE_YEAR
    include_subdomains: bool = True
    preload: bool = False

    def validate(self, path: str) -> None:
        # Browsers' preload lists refuse entries without these, so a half-set preload is a mistake.
        if self.preload and (self.max_age < ONE_YEAR or not self.include_subdomains):
            raise OptionsError(join(path, "preload"), "needs max_age >= 365d and include_subdomains: true")

    def header_value(self) -> str | None:
        if not self.enabled:
            return None
        parts = [f"max-age={int(self.max_age)}"]
        if self.include_subdomains:
            parts.append("includeSubDomains")
        if self.preload:
            parts.append("preload")
        return "; ".join(parts)


@dataclass(frozen=True)
class RedirectHTTP:
    """Optional plain-HTTP listener that only redirects to HTTPS (308) and answers health probes."""

    enabled: bool = False
    host: str = "0.0.0.0"
    port: int = 8080
    https_port: int | None = None        # port written into Location; None means the TLS listener's port
    canonical_host: str | None = None    # always redirect to this host instead of echoing Host
    probe_paths: tuple[str, ...] = ("/healthz", "/readyz")

    def validate(self, path: str) -> None:
        for key, port in (("port", self.port), ("https_port", self.https_port)):
            if port is not None and not 0 <= port <= 65535:
                raise OptionsError(join(path, key), f"expected a port 0-65535, got {port}")
        if self.canonical_host is not None:
            check_hostname(self.canonical_host, join(path, "canonical_host"))
        for i, probe in enumerate(self.probe_paths):
            if not probe.startswith("/") or "?" in probe:
                raise OptionsError(join(join(path, "probe_paths"), i), f"expected an absolute path, got {probe!r}")


@dataclass(frozen=True)
class ListenerTLS:
    """TLS termination on the client-facing listener."""

    cert: str
    key: str
    min_version: TLSVersion = "1.2"
    sni: Mapping[str, CertPair] = field(default_factory=lambda: MappingProxyType({}))
    client_ca: str | None = None
    client_cert: Literal["none", "optional", "required"] = "none"
    principal_from: Literal["cn", "uri", "dns"] = "cn"
    hsts: HSTSSettings = field(default_factory=HSTSSettings)
    reload_interval: Duration = Duration(5)
    redirect_http: RedirectHTTP = field(default_factory=RedirectHTTP)

    def validate(self, path: str) -> None:
        for name in self.sni:
            check_hostname(name, join(join(path, "sni"), name), wildcard=True)
        if self.client_cert != "none" and not self.client_ca:
            raise OptionsError(join(path, "client_ca"), f"required when client_cert is {self.client_cert!r}")
        if self.client_ca and self.client_cert == "none":
            # A CA that is never consulted looks like protection and is not: refuse the ambiguity.
            raise OptionsError(join(path, "client_cert"), "set 'optional' or 'required' to use client_ca")
        if 0 < float(self.reload_interval) < 0.1:
            raise OptionsError(join(path, "reload_interval"), "expected 0 (off) or at least 100ms")

    def files(self) -> tuple[str, ...]:
        """Every file the listener reads, for reload polling."""
        names = [self.cert, self.key, *(p for pair in self.sni.values() for p in (pair.cert, pair.key))]
        if self.client_ca:
            names.append(self.client_ca)
        return tuple(names)


@dataclass(frozen=True)
class UpstreamTLS:
    """How the gateway verifies (and optionally authenticates to) an https:// backend."""

    ca_file: str | None = None           # None: the system trust store
    cert: str | None = None              # client certificate for mTLS to the backend
    key: str | None = None
    server_name: str | None = None       # SNI and name to verify, when the URL host differs
    min_version: TLSVersion = "1.2"
    insecure_skip_verify: bool = False

    def validate(self, path: str) -> None:
        if (self.cert is None) != (self.key is None):
            missing = "key" if self.key is None else "cert"
            raise OptionsError(join(path, missing), "cert and key must be given together")
        if self.server_name is not None:
            try:
                ipaddress.ip_address(self.server_name)
            except ValueError:
                check_hostname(self.server_name, join(path, "server_name"))
        if self.insecure_skip_verify and (self.ca_file or self.server_name):
            raise OptionsError(join(path, "insecure_skip_verify"),
                               "contradicts ca_file/server_name, which only matter when verifying")
