"""Browsers get pages, scripts get JSON: `login_redirect: true` on a route.

A browser that asks for a page of such a route without credentials is sent (303) to the login page,
with the page it asked for as `next`; the login page sends it back there once the session cookie is
set. What counts as a browser asking for a page: a GET or HEAD that is not a WebSocket upgrade and
whose `Accept` names `text/html`. Everything else (fetch/XHR asking for JSON, curl, bots) keeps the
401 JSON answer, so API clients never receive an HTML login page they cannot use.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from gateway.auth.pages import PAGES, safe_next
from gateway.edge.request_id import REQUEST_ID

_MAX_NEXT = 2048


def wants_a_page(request: web.Request, websocket: bool) -> bool:
    if websocket or request.method not in ("GET", "HEAD"):
        return False
    accept = ",".join(request.headers.getall("Accept", [])).lower()
    return any(part.split(";", 1)[0].strip() == "text/html" for part in accept.split(","))


def to_login_page(request: web.Request, request_id: str) -> web.Response:
    """303 to the login page; `next` is the requested path and query, if it is a safe same-origin path."""
    wanted = safe_next(request.raw_path if len(request.raw_path) <= _MAX_NEXT else "/")
    location = f"{PAGES}/login" if wanted == "/" else f"{PAGES}/login?next={quote(wanted, safe='/')}"
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store",
                                             REQUEST_ID: request_id})
