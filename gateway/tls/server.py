"""Listener TLS: hardened server contexts, SNI, client certificates and hot reload.

aiohttp's `TCPSite` keeps the one `SSLContext` it was given for its whole life, so
`ServerTLS.context` never changes. Its SNI callback (which OpenSSL runs on every
handshake, with or without a server name) moves each new connection onto a context
of the current *generation*. A reload builds and checks a complete new generation
off to the side and then swaps one reference: new handshakes see the new
certificates (and client CA), established connections and WebSockets keep theirs,
and a broken file never leaves a half-loaded context behind.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from filters import files
from filters.options import OptionsError, join
from gateway.tls.settings import CertPair, ListenerTLS

__all__ = ["TLS12_CIPHERS", "ServerTLS", "harden", "listener_warnings", "tls_version"]

log = logging.getLogger("chatguard.tls")

# TLS 1.2: forward-secret ECDHE with AEAD only, 256-bit ciphers first. AES-128-GCM stays as the
# last choice because TLS 1.3 mandates it anyway; server preference makes it win only for clients
# that offer nothing stronger. TLS 1.3 suites are all ECDHE/AEAD (OpenSSL orders AES-256 first).
TLS12_CIPHERS = ":".join([
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
])
_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def tls_version(name: str) -> ssl.TLSVersion:
    return _VERSIONS[name]


def harden(ctx: ssl.SSLContext, min_version: str) -> None:
    """The protocol policy shared by the listener and upstream contexts."""
    ctx.minimum_version = tls_version(min_version)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_ciphers(TLS12_CIPHERS)
    ctx.options |= (ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
                    | ssl.OP_SINGLE_ECDH_USE | ssl.OP_NO_TICKET)  # no tickets: their key is never rotated
    ctx.set_alpn_protocols(["http/1.1"])


def listener_warnings(cfg: ListenerTLS, path: str = "listen.tls") -> list[str]:
    """Lines for `check-config`: allowed settings that weaken transport security."""
    found = []
    if not cfg.hsts.enabled:
        found.append(f"{join(path, 'hsts.enabled')}: HSTS is off; browsers may be downgraded to plain HTTP")
    if not float(cfg.reload_interval):
        found.append(f"{join(path, 'reload_interval')}: 0 turns certificate reload off; renewals need a restart")
    return found


def check_pair(pair: CertPair, path: str) -> x509.Certificate:
    """Parse both files so an error names the file at fault; returns the leaf certificate."""
    cert_path, key_path = join(path, "cert"), join(path, "key")
    cert_pem, key_pem = _read(pair.cert, cert_path), _read(pair.key, key_path)
    try:
        chain = x509.load_pem_x509_certificates(cert_pem)
    except ValueError:
        raise OptionsError(cert_path, f"{pair.cert!r} holds no valid PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise OptionsError(key_path, f"{pair.key!r} holds no unencrypted PEM private key") from None
    if key.public_key() != chain[0].public_key():
        raise OptionsError(key_path, f"{pair.key!r} does not match the certificate in {pair.cert!r}")
    expires = chain[0].not_valid_after_utc
    if expires <= datetime.now(UTC):
        # Every client would refuse it; on reload this keeps the still-valid certificate in service.
        raise OptionsError(cert_path, f"the certificate in {pair.cert!r} expired on {expires:%Y-%m-%d %H:%M} UTC")
    return chain[0]


def _read(filename: str, path: str) -> bytes:
    try:
        with open(filename, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise OptionsError(path, f"cannot read {filename!r}: {exc.strerror or exc}") from None


def _context(cfg: ListenerTLS, pair: CertPair, path: str) -> ssl.SSLContext:
    check_pair(pair, path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    harden(ctx, cfg.min_version)
    try:
        ctx.load_cert_chain(pair.cert, pair.key)
    except (OSError, ssl.SSLError) as exc:
        raise OptionsError(join(path, "cert"), f"OpenSSL refused {pair.cert!r}: {exc}") from None
    if cfg.client_cert != "none" and cfg.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED if cfg.client_cert == "required" else ssl.CERT_OPTIONAL
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
        try:
            ctx.load_verify_locations(cafile=cfg.client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise OptionsError(join(path, "client_ca"), f"cannot load {cfg.client_ca!r}: {exc}") from None
    return ctx


@dataclass(frozen=True)
class _Generation:
    default: ssl.SSLContext
    exact: dict[str, ssl.SSLContext]
    wildcard: dict[str, ssl.SSLContext]     # "example.com" for a "*.example.com" entry

    @classmethod
    def build(cls, cfg: ListenerTLS, path: str) -> _Generation:
        default = _context(cfg, CertPair(cfg.cert, cfg.key), path)
        exact: dict[str, ssl.SSLContext] = {}
        wildcard: dict[str, ssl.SSLContext] = {}
        for name, pair in cfg.sni.items():
            ctx = _context(cfg, pair, join(join(path, "sni"), name))
            if name.startswith("*."):
                wildcard[name[2:]] = ctx
            else:
                exact[name] = ctx
        return cls(default, exact, wildcard)

    def pick(self, server_name: str | None) -> ssl.SSLContext:
        if not server_name:
            return self.default
        name = server_name.lower().rstrip(".")
        if name in self.exact:
            return self.exact[name]
        parent = name.partition(".")[2]
        return self.wildcard.get(parent, self.default)


FileIdentity = tuple[files.FileIdentity, ...]


def _identity(names: tuple[str, ...]) -> FileIdentity:
    return tuple(files.identity(name) for name in names)


class ServerTLS:
    """Owns the listener's SSLContext and swaps certificates under it."""

    def __init__(self, cfg: ListenerTLS, path: str, generation: _Generation, identity: FileIdentity) -> None:
        self.cfg = cfg
        self.path = path
        self._generation = generation
        self._identity = identity
        self.context = _context(cfg, CertPair(cfg.cert, cfg.key), path)
        self.context.sni_callback = self._switch

    @classmethod
    def load(cls, cfg: ListenerTLS, path: str = "listen.tls") -> ServerTLS:
        """Build every context now; any unreadable or mismatched file raises OptionsError naming its key."""
        identity = _identity(cfg.files())
        return cls(cfg, path, _Generation.build(cfg, path), identity)

    def _switch(self, ssl_obj: ssl.SSLObject | ssl.SSLSocket, server_name: str | None,
                _ctx: ssl.SSLContext) -> None:
        ssl_obj.context = self._generation.pick(server_name)

    def reload(self) -> bool:
        """Load changed files into a new generation; True if it was installed."""
        identity = _identity(self.cfg.files())
        if identity == self._identity:
            return False
        self._identity = identity   # a broken file is reported once, then retried when it changes again
        try:
            generation = _Generation.build(self.cfg, self.path)
        except OptionsError as exc:
            log.error("TLS reload failed, keeping the current certificates: %s", exc)
            return False
        self._generation = generation
        log.info("TLS certificates reloaded from %s", self.cfg.cert)
        return True

    async def watch(self) -> None:
        """Poll the files every `reload_interval` until cancelled (run it as a named background task)."""
        interval = float(self.cfg.reload_interval)
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.reload)
            except Exception:   # the watcher must outlive any surprise; the old certificates stay
                log.exception("TLS reload check failed")

    def peer_principal(self, source: Any) -> str | None:
        """The verified client certificate's identity (`principal_from`), or None.

        `source` is an aiohttp request or a transport. Ambiguous certificates (two CNs,
        two URIs) give None: a caller must never be able to choose which one counts.
        """
        if self.cfg.client_cert == "none":
            return None
        transport = source if hasattr(source, "get_extra_info") else getattr(source, "transport", None)
        ssl_obj = transport.get_extra_info("ssl_object") if transport is not None else None
        cert = ssl_obj.getpeercert() if ssl_obj is not None else None
        if not cert:
            return None
        if self.cfg.principal_from == "cn":
            values = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
        else:
            kind = {"uri": "URI", "dns": "DNS"}[self.cfg.principal_from]
            values = [v for k, v in cert.get("subjectAltName", ()) if k == kind]
        return values[0] if len(values) == 1 and values[0] else None
