"""The browser side of sign-in: login, second-factor and TOTP enrolment pages, and sign-out.

The pages drive the same `AuthService` flows as the JSON endpoints and end by putting the
access token in the session cookie that `Identifier` reads, so browser chat apps behind
the gateway work unchanged. Every form POST carries a CSRF token bound to a pre-session
cookie (an HMAC of it, so a token cannot be planted without the cookie) and must not come
from another site; the return path (`next`) is only ever a same-origin relative path.
Pages live under `/auth/page/` so the JSON endpoints keep their paths.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from importlib import resources
from string import Template
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

from aiohttp import web
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.auth import templates as t
from gateway.auth.errors import STORE_DOWN_RETRY
from gateway.auth.identify import Identifier, Identity
from gateway.auth.service import AuthError, AuthService
from gateway.proxy.bodies import BodyTooLarge, read_limited
from gateway.state import StateUnavailable
from gateway.tls.security_headers import PAGE_HEADERS

log = logging.getLogger("chatguard.auth")

PAGES = "/auth/page"
STATIC = "/auth/static"
PRESESSION_COOKIE = "chatguard_presession"
TICKET_COOKIE = "chatguard_ticket"

_MAX_FORM = 8 * 1024
_LIMITS = {"csrf": 64, "next": 2048, "username": 64, "password": 1024, "code": 64}
_PRESESSION = re.compile(r"^[A-Za-z0-9_-]{43}$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
_DROPPED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

ClientOf = Callable[[web.Request], str]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refused(Exception):
    """A request the pages answer with a plain error page (bad form, CSRF, rate limit)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` if it is a same-origin relative path, else `default`.

    Browsers treat `//host`, `/\\host` and tab/newline-laced variants as other origins, and
    a value may be decoded again later, so every decoding of it is checked too.
    """
    if not value or len(value) > _LIMITS["next"] or not value.isascii() or _UNSAFE.search(value):
        return default
    current = value
    for _ in range(4):
        parts = urlsplit(current)
        squeezed = _DROPPED.sub("", current)  # browsers drop tabs and newlines inside URLs
        if not squeezed.startswith("/") or squeezed[1:2] in ("/", "\\") or parts.scheme or parts.netloc:
            return default
        decoded = unquote(current)
        if _CONTROL.search(decoded):
            return default
        if decoded == current:
            return value
        current = decoded
    return default  # still changing after several decodings: an obfuscation attempt


class Csrf:
    """Double-submit tokens signed with a key: the form token is HMAC(key, pre-session cookie)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def token(self, presession: str) -> str:
        return hmac.new(self._key, b"csrf:" + presession.encode(), hashlib.sha256).hexdigest()

    def valid(self, presession: str | None, token: str | None) -> bool:
        if not presession or not token or not _PRESESSION.match(presession):
            return False
        return hmac.compare_digest(self.token(presession), token)


def csrf_key(service: AuthService) -> bytes:
    """Derived from the TOTP key so every gateway instance accepts the others' forms; random without one."""
    if not service.settings.totp.encryption_key:
        return os.urandom(32)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"chatguard page csrf v1")
    return hkdf.derive(service.settings.totp.key_bytes())


def same_site(request: web.Request) -> bool:
    """Refuse POSTs a browser marks as cross-site; a missing header (non-browser) relies on the token."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or (urlsplit(origin).netloc == request.host and origin != "null")


async def read_form(request: web.Request) -> dict[str, str]:
    """A small urlencoded form; repeated or oversized fields are refused rather than guessed at."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise Refused(415, "This form must be sent by the page.")
    try:
        raw = await read_limited(request.content, request.content_length, _MAX_FORM)
    except BodyTooLarge:
        raise Refused(413, "The form is too large.") from None
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=16,
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "The form could not be read.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form or len(value) > _LIMITS.get(name, 256):
            raise Refused(400, "The form could not be read.")
        form[name] = value
    return form


def _with_next(path: str, next_path: str) -> str:
    return path if next_path == "/" else f"{path}?next={quote(next_path, safe='/')}"


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


class AuthPages:
    def __init__(self, service: AuthService, identifier: Identifier | None = None,
                 client_of: ClientOf | None = None, key: bytes | None = None) -> None:
        self.service = service
        self.identifier = identifier or Identifier(service)
        self._client_of = client_of or (lambda request: request.remote or "-")
        self.csrf = Csrf(key or csrf_key(service))
        self._css = resources.files("gateway.auth").joinpath("static/pages.css").read_bytes()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/auth/login", self.to_login),
            web.get(f"{PAGES}/login", self._guard("page_login", self.login_page)),
            web.post(f"{PAGES}/login", self._guard("page_login", self.login, post=True)),
            web.get(f"{PAGES}/mfa", self._guard("page_mfa", self.mfa_page)),
            web.post(f"{PAGES}/mfa", self._guard("page_mfa", self.mfa, post=True)),
            web.get(f"{PAGES}/enrol", self._guard("page_enrol", self.enrol_page)),
            web.post(f"{PAGES}/enrol", self._guard("page_enrol", self.confirm, post=True)),
            web.get(f"{PAGES}/logout", self._guard("page_logout", self.logout_page)),
            web.post(f"{PAGES}/logout", self._guard("page_logout", self.logout, post=True)),
            web.get(f"{STATIC}/pages.css", self.css),
        ]

    # -- plumbing ---------------------------------------------------------------------------------

    def _guard(self, endpoint: str, handler: Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse]],
               post: bool = False) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                if not await self.service.rate.allow(endpoint, self.service.client_key(self._client_of(request))):
                    raise Refused(429, "Too many requests. Please wait a minute and try again.")
                form: dict[str, str] = {}
                if post:
                    form = await read_form(request)
                    if not same_site(request) or not self.csrf.valid(
                            request.cookies.get(PRESESSION_COOKIE), form.get("csrf")):
                        log.warning("page form refused: csrf", extra={"endpoint": endpoint})
                        raise Refused(403, "This form has expired or did not come from this site. "
                                           "Please reload the page and try again.")
                return await handler(request, form)
            except Refused as refused:
                return self._message(request, "Request refused", refused.message, refused.status)
            except StateUnavailable:  # limits and replay guards cannot be checked: refuse, retry later
                log.warning("auth page refused: state store unavailable", extra={"endpoint": endpoint})
                page = self._message(request, "Temporarily unavailable",
                                     "Sign-in is temporarily unavailable. Please try again in a moment.", 503)
                page.headers["Retry-After"] = str(STORE_DOWN_RETRY)
                return page
            except Exception as exc:  # fail closed with a plain page; the type only, never values
                log.error("auth page failed", extra={"endpoint": endpoint, "error": type(exc).__name__})
                return self._message(request, "Something went wrong", "Please try again later.", 500)

        return guarded

    def _presession(self, request: web.Request) -> tuple[str, bool]:
        current = request.cookies.get(PRESESSION_COOKIE, "")
        if _PRESESSION.match(current):
            return current, False
        return secrets.token_urlsafe(32), True

    def _cookie(self, request: web.Request, response: web.StreamResponse, name: str, value: str,
                path: str, max_age: int, samesite: str) -> None:
        response.set_cookie(name, value, path=path, max_age=max_age, httponly=True,
                            secure=request.secure, samesite=samesite)

    def _page(self, request: web.Request, title: str, template: Template, status: int = 200,
              error: str = "", info: str = "", **values: object) -> web.Response:
        """Render a page whose forms carry a CSRF token for this browser's pre-session cookie."""
        presession, fresh = self._presession(request)
        notice = t.render(t.ERROR, message=error) if error else t.render(t.INFO, message=info) if info else ""
        content = t.render(template, csrf=self.csrf.token(presession), **values)
        body = t.render(t.LAYOUT, title=title, static=STATIC, notice=t.Safe(notice), content=content)
        # "same-origin" rather than "no-referrer": under the latter browsers send `Origin: null`
        # on the page's own form posts, and the Origin check below needs the real one
        response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"})
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        if fresh:
            self._cookie(request, response, PRESESSION_COOKIE, presession, PAGES, 86400, "Strict")
        return response

    def _message(self, request: web.Request, title: str, message: str, status: int,
                 link: tuple[str, str] = (f"{PAGES}/login", "Back to sign-in")) -> web.Response:
        return self._page(request, title, t.LINK, status, error=message, href=link[0], text=link[1])

    def _signed_in(self, request: web.Request, response: web.StreamResponse, tokens: dict[str, object]) -> None:
        """The session cookie `Identifier` reads: the access token, for the token's lifetime."""
        max_age = int(str(tokens["expires_in"]))
        self._cookie(request, response, self.service.settings.cookie_name, str(tokens["access_token"]),
                     "/", max_age, "Lax")
        response.del_cookie(TICKET_COOKIE, path=PAGES)

    def _ticket(self, request: web.Request, kind: str) -> str | None:
        value = request.cookies.get(TICKET_COOKIE, "")
        prefix = f"{kind}."
        return value[len(prefix):] if value.startswith(prefix) and len(value) <= 300 else None

    async def _identity(self, request: web.Request) -> Identity | None:
        try:
            return await self.identifier.identify(request)
        except AuthError:
            return None

    def _login_form(self, request: web.Request, next_path: str, status: int = 200, error: str = "",
                    info: str = "", username: str = "") -> web.Response:
        return self._page(request, "Sign in", t.LOGIN, status, error=error, info=info,
                          action=f"{PAGES}/login", next=next_path, username=username)

    def _start_over(self, request: web.Request, next_path: str, refused: AuthError) -> web.Response:
        """A spent or failed ticket: back to the password step, without saying more than needed."""
        error = ("Too many failed attempts. Please try again later." if refused.status == 429
                 else "The code was not accepted. Please sign in again.")
        response = self._login_form(request, next_path, refused.status, error=error)
        response.del_cookie(TICKET_COOKIE, path=PAGES)
        return response

    # -- handlers ---------------------------------------------------------------------------------

    async def to_login(self, request: web.Request) -> web.StreamResponse:
        return _redirect(_with_next(f"{PAGES}/login", safe_next(request.query.get("next"))))

    async def css(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self._css, content_type="text/css", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=3600"})

    async def login_page(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        info = "You have signed out." if request.query.get("out") == "1" else ""
        return self._login_form(request, safe_next(request.query.get("next")), info=info)

    async def login(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        next_path = safe_next(form.get("next"))
        username, password = form.get("username", ""), form.get("password", "")
        if not username or not password:
            return self._login_form(request, next_path, 400, "Enter your username and password.", username=username)
        try:
            result = await self.service.login(username, password, self._client_of(request))
        except AuthError as refused:
            error = ("Too many failed attempts. Please try again later." if refused.status == 429
                     else "Invalid username or password.")
            return self._login_form(request, next_path, refused.status, error, username=username)
        if result.get("mfa_required"):
            kind = "enrol" if result.get("enrolment_required") else "mfa"
            response = _redirect(_with_next(f"{PAGES}/{kind}", next_path))
            self._cookie(request, response, TICKET_COOKIE, f"{kind}.{result['ticket']}", PAGES,
                         int(self.service.settings.ticket_ttl), "Strict")
        else:
            response = _redirect(next_path)
            self._signed_in(request, response, result)
        # a new pre-session after the password step: a CSRF token seen before sign-in is worth nothing after
        self._cookie(request, response, PRESESSION_COOKIE, secrets.token_urlsafe(32), PAGES, 86400, "Strict")
        return response

    async def mfa_page(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        next_path = safe_next(request.query.get("next"))
        if self._ticket(request, "mfa") is None:
            return _redirect(_with_next(f"{PAGES}/login", next_path))
        return self._page(request, "Two-factor sign-in", t.MFA, action=f"{PAGES}/mfa", next=next_path)

    async def mfa(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        next_path = safe_next(form.get("next"))
        ticket = self._ticket(request, "mfa")
        if ticket is None:
            return self._start_over(request, next_path, AuthError(401, "no ticket"))
        try:
            tokens = await self.service.mfa(ticket, form.get("code", ""), self._client_of(request))
        except AuthError as refused:
            return self._start_over(request, next_path, refused)
        response = _redirect(next_path)
        self._signed_in(request, response, tokens)
        return response

    async def _enroller(self, request: web.Request) -> tuple[str | None, Identity | None]:
        """Who is enrolling: a password-step ticket, else the signed-in session."""
        ticket = self._ticket(request, "enrol")
        return (ticket, None) if ticket else (None, await self._identity(request))

    async def enrol_page(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        next_path = safe_next(request.query.get("next"))
        ticket, identity = await self._enroller(request)
        if ticket is None and identity is None:
            return _redirect(_with_next(f"{PAGES}/login", next_path))
        try:
            started = await self.service.enrol(identity.principal if identity else None, ticket)
        except AuthError as refused:
            return self._message(request, "Two-factor sign-in", refused.message, refused.status)
        secret = parse_qs(urlsplit(str(started["otpauth_uri"])).query)["secret"][0]
        grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        return self._page(request, "Set up two-factor sign-in", t.ENROL, action=f"{PAGES}/enrol",
                          next=next_path, qr=str(started["qr_svg"]), secret=grouped)

    async def confirm(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        next_path = safe_next(form.get("next"))
        ticket, identity = await self._enroller(request)
        if ticket is None and identity is None:
            return self._start_over(request, next_path, AuthError(401, "no ticket"))
        try:
            answer = await self.service.confirm(identity.principal if identity else None, ticket,
                                                form.get("code", ""), self._client_of(request))
        except AuthError as refused:
            if ticket:
                return self._start_over(request, next_path, refused)
            return self._message(request, "Two-factor sign-in", "The code was not accepted.", refused.status,
                                 (_with_next(f"{PAGES}/enrol", next_path), "Try again"))
        codes = t.Safe("".join(t.render(t.CODE, code=c) for c in answer["recovery_codes"]))
        response = self._page(request, "Save your recovery codes", t.RECOVERY, next=next_path, codes=codes)
        if "access_token" in answer:
            self._signed_in(request, response, answer)
        return response

    async def logout_page(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        return self._page(request, "Sign out", t.LOGOUT, action=f"{PAGES}/logout")

    async def logout(self, request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        identity = await self._identity(request)
        if identity is not None and identity.session_id is not None:
            await self.service.logout(identity.session_id, identity.principal.subject)
        response = _redirect(f"{PAGES}/login?out=1")
        response.del_cookie(self.service.settings.cookie_name, path="/")
        response.del_cookie(TICKET_COOKIE, path=PAGES)
        return response


def page_routes(service: AuthService, identifier: Identifier | None = None,
                client_of: ClientOf | None = None) -> list[web.RouteDef]:
    """The page routes, to add next to `AuthRoutes(service).routes()`."""
    return AuthPages(service, identifier, client_of).routes()
