"""HTTPS enforcement on the wire: HSTS, hardening headers for the gateway's own pages, HTTP->HTTPS redirect.

Wiring: `app.on_response_prepare.append(security_headers_hook(cfg.hsts))` on the TLS
listener; the proxy calls `mark_proxied(response)` on responses relayed from a backend
(those keep the backend's own page policy, only HSTS is enforced). Anything not marked
is a gateway page and gets the strict set: forgetting to mark fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType

from aiohttp import hdrs, web, web_response

from gateway.tls.settings import HSTSSettings, RedirectHTTP

__all__ = [
    "GATEWAY_CSP", "PAGE_HEADERS", "PROXIED", "SERVER_NAME", "hide_server_software", "mark_proxied", "redirect_app",
    "security_headers_hook",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Hook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]

PROXIED = web.ResponseKey("chatguard.proxied", bool)

# Gateway pages (login, MFA enrolment, errors) load only their own scripts, styles and images
# (QR codes come as data: images); nothing may frame them or be posted elsewhere.
GATEWAY_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS: Mapping[str, str] = MappingProxyType({
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": GATEWAY_CSP,
    "Cross-Origin-Opener-Policy": "same-origin",
})


# What the gateway's own answers say in `Server`: the product, never the Python and aiohttp versions
# aiohttp would name (a free map of what to attack). A backend's own `Server`, when it sends one, is relayed.
SERVER_NAME = "chatguard"


def hide_server_software() -> None:
    """Make aiohttp's default `Server` value ours, for every listener of this process.

    aiohttp fills in `Server` after the `on_response_prepare` hooks and also answers requests its
    parser refuses (400) without any app hook, so the one place that covers every answer is the
    default it reads (`aiohttp.web_response.SERVER_SOFTWARE`); tests/gateway/tls/test_server_header.py
    reads the raw bytes of each kind of answer to hold this to account on every aiohttp upgrade."""
    setattr(web_response, "SERVER_SOFTWARE", SERVER_NAME)  # noqa: B010 - not exported: mypy would refuse the name


def mark_proxied(response: web.StreamResponse) -> None:
    """Declare `response` a relayed backend response (before it is prepared)."""
    response[PROXIED] = True


def security_headers_hook(hsts: HSTSSettings, page_headers: Mapping[str, str] = PAGE_HEADERS) -> Hook:
    """An `on_response_prepare` callback adding HSTS on TLS and `page_headers` on gateway pages.

    HSTS replaces any backend value: the gateway terminates TLS, so its policy is the one
    that holds. Page headers a gateway handler set itself (a page-specific CSP) are kept.
    """
    hsts_value = hsts.header_value()

    async def on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if hsts_value and request.secure:
            response.headers[hdrs.STRICT_TRANSPORT_SECURITY] = hsts_value
        if not response.get(PROXIED, False):
            for name, value in page_headers.items():
                response.headers.setdefault(name, value)

    return on_response_prepare


_HOST = re.compile(r"^(?P<name>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::\d{1,5})?$")


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


def redirect_app(cfg: RedirectHTTP, https_port: int, probe: Handler | None = None) -> web.Application:
    """The plain-HTTP listener: 308 to the same path on HTTPS, except `cfg.probe_paths`.

    Probes go to `probe` (the health module's handler) or get a bare 200: a load balancer
    checking over HTTP must not be bounced. The target host is `cfg.canonical_host` or
    the request's own Host header after strict validation (no userinfo, no path tricks).
    """
    port = cfg.https_port or https_port
    suffix = "" if port == 443 else f":{port}"
    probes = frozenset(cfg.probe_paths)
    answer_probe = probe or _ok

    async def redirect(request: web.Request) -> web.StreamResponse:
        if request.path in probes and request.method in ("GET", "HEAD"):
            return await answer_probe(request)
        host = cfg.canonical_host
        if host is None:
            found = _HOST.match(request.headers.get(hdrs.HOST, ""))
            if not found:
                raise web.HTTPBadRequest(text="missing or invalid Host header\n")
            host = found.group("name").lower()
        target = request.rel_url.raw_path_qs   # origin form even for absolute-form request targets
        if not target.startswith("/"):
            target = "/"
        location = f"https://{host}{suffix}{target}"
        return web.Response(status=308, headers={hdrs.LOCATION: location, hdrs.CACHE_CONTROL: "no-store"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app
