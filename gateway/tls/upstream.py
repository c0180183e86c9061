"""Client TLS towards backends: verified by default, mTLS when configured.

The proxy passes `ssl=upstream_context(cfg, path)` and `server_hostname=cfg.server_name`
to aiohttp. A failed verification surfaces as `aiohttp.ClientSSLError`;
`upstream_tls_error()` turns it into the one-line reason the proxy puts in its 502.
"""

from __future__ import annotations

import ssl

import aiohttp

from filters.options import OptionsError, join
from gateway.tls.server import check_pair, harden
from gateway.tls.settings import CertPair, UpstreamTLS

__all__ = ["upstream_context", "upstream_tls_error", "warnings"]


def upstream_context(cfg: UpstreamTLS, path: str) -> ssl.SSLContext:
    """A client context for one upstream; file problems raise OptionsError naming the key."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # hostname check and CERT_REQUIRED by default
    harden(ctx, cfg.min_version)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    if cfg.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif cfg.ca_file:
        # Only the configured CA: trusting a private backend CA must not also trust every public CA.
        try:
            ctx.load_verify_locations(cafile=cfg.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise OptionsError(join(path, "ca_file"), f"cannot load {cfg.ca_file!r}: {exc}") from None
    else:
        ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if cfg.cert and cfg.key:
        check_pair(CertPair(cfg.cert, cfg.key), path)
        try:
            ctx.load_cert_chain(cfg.cert, cfg.key)
        except (OSError, ssl.SSLError) as exc:
            raise OptionsError(join(path, "cert"), f"OpenSSL refused {cfg.cert!r}: {exc}") from None
    return ctx


def warnings(cfg: UpstreamTLS, path: str) -> list[str]:
    """Lines for `check-config`: settings that are allowed but weaken security."""
    found = []
    if cfg.insecure_skip_verify:
        found.append(f"{join(path, 'insecure_skip_verify')}: certificate verification is OFF; anyone on the "
                     "network path to this backend can read and change chat traffic")
    return found


def upstream_tls_error(exc: BaseException) -> str | None:
    """A clear reason for a 502 when `exc` is a TLS failure towards the backend, else None."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        detail = getattr(cert_error, "verify_message", None) or str(cert_error)
        return f"upstream TLS certificate rejected ({exc.host}:{exc.port}): {detail}"
    if isinstance(exc, aiohttp.ClientSSLError):
        reason = getattr(exc.os_error, "reason", None) or str(exc.os_error)
        return f"upstream TLS handshake failed ({exc.host}:{exc.port}): {reason}"
    if (isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.ssl, ssl.SSLContext)
            and isinstance(exc.os_error, ConnectionResetError | ssl.SSLError)):
        # TCP was up (a refusal would be ConnectionRefusedError), so the backend dropped the handshake:
        # many TLS stacks close without an alert on a version, suite or client-certificate mismatch.
        return (f"upstream TLS handshake failed ({exc.host}:{exc.port}): connection closed by the backend; "
                "check min_version, cipher support and the client certificate")
    return None
