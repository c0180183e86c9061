"""The sign-in pages over real HTTP on loopback: CSRF, return paths, cookies, and every hostile form."""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.auth.pages import PRESESSION_COOKIE, TICKET_COOKIE, Csrf, safe_next
from gateway.auth.routes import AuthRoutes
from gateway.auth.service import AuthService
from gateway.tls.certs import create_dev_certs
from tests.gateway.auth.conftest import add_user, code_at, serve
from tests.helpers import serve_app

Client = TestClient[Any, Any]
LOGIN = "/auth/page/login"
PASSWORD = "correct horse"  # noqa: S105


@pytest.fixture
async def client(service: AuthService) -> AsyncIterator[Client]:
    http = await serve(service)
    yield http
    await http.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page
    return found.group(1)


def set_cookies(response: aiohttp.ClientResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        jar.load(header)
    return jar


async def form_post(client: Client, path: str, fields: dict[str, str], page: str = LOGIN,
                    headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
    """GET `page` for a token, then POST `fields` with it, as a browser on the same site would."""
    token = csrf_of(await (await client.get(page)).text())
    return await client.post(path, data={"csrf": token, **fields}, allow_redirects=False, headers=headers)


@pytest.mark.parametrize("value", ["/", "/app/home", "/app?room=1&x=%20y", "/a/b#frag"])
def test_safe_next_keeps_same_origin_paths(value: str) -> None:
    assert safe_next(value) == value


@pytest.mark.parametrize("value", [
    None, "", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "http:/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "evil.example",
    "/%2F%2Fevil.example", "/%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil",
    "/\t/evil.example", "/\n/evil.example", "/ok\r\nSet-Cookie: x=1", "/%0d%0aLocation:%20//evil",
    "/%09/evil.example", "/%0a%5cevil.example", "/caf\u00e9", "/" + "a" * 3000, "/%25252525252F%25252525252Fevil",
])
def test_safe_next_refuses_other_origins_and_obfuscations(value: str | None) -> None:
    assert safe_next(value) == "/"


def test_csrf_token_is_bound_to_its_presession() -> None:
    csrf, other = Csrf(b"k" * 32), Csrf(b"j" * 32)
    session = "A" * 43
    assert csrf.valid(session, csrf.token(session))
    assert not csrf.valid("B" * 43, csrf.token(session))
    assert not csrf.valid(session, other.token(session))
    assert not csrf.valid(None, csrf.token(session)) and not csrf.valid(session, None)
    assert not csrf.valid("short", csrf.token("short"))


async def test_login_page_sets_a_strict_presession_and_page_headers(client: Client) -> None:
    response = await client.get(LOGIN + "?next=//evil.example")
    page = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"  # keeps `Origin` on its own form posts
    assert 'name="next" value="/"' in page and "evil" not in page
    cookie = set_cookies(response)[PRESESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/auth/page"
    assert not cookie["secure"]


@pytest.mark.parametrize("case", ["no-token", "wrong-token", "no-cookie", "cross-origin", "cross-site",
                                  "null-origin"])
async def test_posts_without_a_valid_same_site_token_are_refused(client: Client, service: AuthService,
                                                                 case: str) -> None:
    await add_user(service)
    token = csrf_of(await (await client.get(LOGIN)).text())
    fields = {"username": "alice", "password": PASSWORD, "csrf": token}
    headers: dict[str, str] = {}
    if case == "no-token":
        del fields["csrf"]
    elif case == "wrong-token":
        fields["csrf"] = Csrf(b"x" * 32).token("A" * 43)
    elif case == "no-cookie":
        client.session.cookie_jar.clear()
    elif case == "cross-origin":
        headers["Origin"] = "http://evil.example"
    elif case == "cross-site":
        headers["Sec-Fetch-Site"] = "cross-site"
    else:
        headers["Origin"] = "null"
    response = await client.post(LOGIN, data=fields, headers=headers, allow_redirects=False)
    assert response.status == 403
    assert "did not come from this site" in await response.text()
    assert service.settings.cookie_name not in set_cookies(response)


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("username=a&username=b&password=x", "application/x-www-form-urlencoded", 400),
    ("username=" + "a" * 9000, "application/x-www-form-urlencoded", 413),
    ('{"username": "alice"}', "application/json", 415),
    ("username=%ff%fe", "application/x-www-form-urlencoded", 400),
])
async def test_malformed_forms_are_refused(client: Client, body: str, content_type: str, status: int) -> None:
    await client.get(LOGIN)
    response = await client.post(LOGIN, data=body.encode(), headers={"Content-Type": content_type})
    assert response.status == status


async def test_password_login_sets_the_session_cookie_and_goes_to_next(client: Client,
                                                                       service: AuthService) -> None:
    await add_user(service)
    response = await form_post(client, LOGIN, {"username": "alice", "password": PASSWORD, "next": "/app/home"})
    assert response.status == 303 and response.headers["Location"] == "/app/home"
    cookies = set_cookies(response)
    session = cookies[service.settings.cookie_name]
    assert session["httponly"] and session["samesite"] == "Lax" and session["path"] == "/"
    assert int(session["max-age"]) == 900 and not session["secure"]
    assert service.issuer.verify(session.value)["sub"] == "alice"
    assert cookies[PRESESSION_COOKIE].value != client.session.cookie_jar.filter_cookies(
        client.make_url("/auth/page/login")).get(PRESESSION_COOKIE, "")  # rotated after sign-in


@pytest.mark.parametrize("unsafe", ["//evil.example/x", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "/%2F%2Fevil.example"])
async def test_login_never_redirects_off_site(client: Client, service: AuthService, unsafe: str) -> None:
    await add_user(service)
    response = await form_post(client, LOGIN, {"username": "alice", "password": PASSWORD, "next": unsafe})
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_failed_login_does_not_reveal_whether_the_user_exists(client: Client,
                                                                    service: AuthService) -> None:
    await add_user(service)
    answers = []
    for name in ("alice", "nobody"):
        response = await form_post(client, LOGIN, {"username": name, "password": "wrong password"})
        answers.append((response.status, (await response.text()).replace(name, "NAME")))
    assert answers[0][0] == answers[1][0] == 401
    assert re.sub(r'value="[0-9a-f]{64}"', "", answers[0][1]) == re.sub(r'value="[0-9a-f]{64}"', "", answers[1][1])
    assert "Invalid username or password." in answers[0][1]


async def test_hostile_username_is_escaped_on_the_page(client: Client) -> None:
    hostile = '"><script>alert(1)</script>'
    response = await form_post(client, LOGIN, {"username": hostile, "password": "x"})
    page = await response.text()
    assert "<script>" not in page and "&quot;&gt;&lt;script&gt;" in page


async def test_enrolment_mfa_and_logout_over_http(client: Client, service: AuthService) -> None:
    await add_user(service, roles=frozenset({"admin"}))  # admin requires two-factor
    response = await form_post(client, LOGIN, {"username": "alice", "password": PASSWORD, "next": "/x"})
    assert response.headers["Location"] == "/auth/page/enrol?next=/x"
    assert set_cookies(response)[TICKET_COOKIE]["samesite"] == "Strict"
    page = await (await client.get("/auth/page/enrol?next=/x")).text()
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    done = await client.post("/auth/page/enrol", data={"csrf": csrf_of(page), "next": "/x",
                                                       "code": code_at(secret)})
    text = await done.text()
    assert done.status == 200 and text.count("<li><code>") == 10 and 'href="/x"' in text
    assert service.issuer.verify(set_cookies(done)[service.settings.cookie_name].value)["amr"] == ["pwd", "otp"]

    # second sign-in: the code step; a wrong code spends the ticket and starts over
    response = await form_post(client, LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/page/mfa"
    page = await (await client.get("/auth/page/mfa")).text()
    wrong = await client.post("/auth/page/mfa", data={"csrf": csrf_of(page), "code": "000000"
                                                      if code_at(secret) != "000000" else "111111"})
    assert wrong.status == 401 and "Please sign in again" in await wrong.text()
    assert (await client.get("/auth/page/mfa", allow_redirects=False)).status == 303

    response = await form_post(client, LOGIN, {"username": "alice", "password": PASSWORD})
    page = await (await client.get("/auth/page/mfa")).text()
    right = await client.post("/auth/page/mfa", data={"csrf": csrf_of(page), "code": code_at(secret, 1)},
                              allow_redirects=False)
    assert right.status == 303 and right.headers["Location"] == "/"
    sid = service.issuer.verify(set_cookies(right)[service.settings.cookie_name].value)["sid"]

    out = await form_post(client, "/auth/page/logout", {}, page="/auth/page/logout")
    assert out.status == 303 and out.headers["Location"] == "/auth/page/login?out=1"
    assert await service.is_revoked(sid)
    assert set_cookies(out)[service.settings.cookie_name]["max-age"] == "0"


async def test_pages_need_a_ticket_or_session(client: Client) -> None:
    for path in ("/auth/page/mfa?next=/x", "/auth/page/enrol?next=/x"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/auth/page/login?next=/x"
    response = await client.get("/auth/login?next=https://evil.example", allow_redirects=False)
    assert response.headers["Location"] == "/auth/page/login"


async def test_session_cookie_is_secure_over_tls(tmp_path: Path, service: AuthService) -> None:
    certs = create_dev_certs(tmp_path / "pki")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(certs.server_cert, certs.server_key)
    app = web.Application()
    app.add_routes(AuthRoutes(service).routes())
    await add_user(service)
    jar = aiohttp.CookieJar(unsafe=True)
    async with serve_app(app, ssl_context=server) as url, aiohttp.ClientSession(
            cookie_jar=jar, connector=aiohttp.TCPConnector(
                ssl=ssl.create_default_context(cafile=str(certs.ca_cert)))) as http:
        token = csrf_of(await (await http.get(url + LOGIN)).text())
        response = await http.post(url + LOGIN, data={"csrf": token, "username": "alice", "password": PASSWORD},
                                   allow_redirects=False)
        assert response.status == 303
        assert set_cookies(response)[service.settings.cookie_name]["secure"]
