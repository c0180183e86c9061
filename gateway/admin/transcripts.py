"""Transcript endpoints on the admin listener: search, read, export, erase; each behind a permission and 2FA.

Who may do what is the config's business, not the `admin` role's: `transcripts:read` lists,
searches and reads; `transcripts:export` exports (a subject access request); `transcripts:erase`
erases (right to erasure; refused with 409 under legal hold). A caller without 2FA gets 401
`step-up required`. Masked text stays masked unless the caller holds `unmask:<type>` for every
type masked in a message (and it was kept `full`). Every call, refused or not, writes one audit
entry (`transcripts.access`) naming who asked, for what, and which conversations it touched.
The shapes are documented in docs/transcripts-api.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from filters import Principal
from gateway.access.rbac import STEP_UP
from gateway.admin.caller import Refused, admin_caller
from gateway.database import DatabaseError
from gateway.keyring import KeyUnavailable
from gateway.keys import TRANSCRIPTS
from gateway.transcripts import queries
from gateway.transcripts.access import UnderHold, iso
from gateway.transcripts.mount import Transcripts
from gateway.transcripts.queries import BadQuery, Search

audit = logging.getLogger("chatguard.audit")

READ, EXPORT, ERASE = "transcripts:read", "transcripts:export", "transcripts:erase"
WILDCARD = "transcripts:*"   # every transcript permission
PREFIX = "/admin/transcripts"
DEFAULT_PAGE = 50
DEFAULT_MESSAGES = 200
_SEARCH_KEYS = ("subject", "route", "finding", "since", "until", "limit", "cursor")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json",
                        headers={"Cache-Control": "no-store", **(headers or {})})


@dataclass
class Call:
    """One allowed call: the request, who made it, the transcripts, and what the audit entry should name."""

    request: web.Request
    principal: Principal
    transcripts: Transcripts
    noted: dict[str, Any] = field(default_factory=dict)

    @property
    def permissions(self) -> frozenset[str]:
        return self.principal.roles


Handler = Callable[[Call], Awaitable[web.Response]]


def _int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadQuery(f"{name}: expected a positive integer, got {raw[:40]!r}")
    return int(raw)


def _time_us(request: web.Request, name: str) -> int | None:
    """ISO 8601 (`2026-12-01T00:00:00Z`, a date alone is midnight UTC) or epoch seconds."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(float(raw) * 1_000_000)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadQuery(f"{name}: expected ISO 8601 (2026-12-01T00:00:00Z) or epoch seconds") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1_000_000)


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("1", "true", "yes")


# handlers ------------------------------------------------------------------------------------

async def _status(call: Call) -> web.Response:
    return _json({"enabled": True, **call.transcripts.sink.status()})


async def _search(call: Call) -> web.Response:
    request = call.request
    q = Search(subject=request.query.get("subject") or None, route=request.query.get("route") or None,
               finding=request.query.get("finding") or None, since_us=_time_us(request, "since"),
               until_us=_time_us(request, "until"), limit=_int(request, "limit", DEFAULT_PAGE),
               cursor=request.query.get("cursor") or None)
    found = await call.transcripts.access.search(q)
    call.noted["conversations"] = [c["conversation"] for c in found["conversations"]]
    return _json(found)


async def _read(call: Call) -> web.Response:
    conversation = call.request.match_info["conversation"]
    call.noted["conversations"] = [conversation]
    reader = call.transcripts.access.reader(call.permissions)
    found = await call.transcripts.access.read(reader, conversation, call.request.query.get("cursor") or None,
                                               _int(call.request, "limit", DEFAULT_MESSAGES))
    if found is None:
        return _json({"error": "no such conversation"}, 404)
    call.noted.update(messages=len(found["messages"]), unmasked=reader.unmasked)
    return _json(found)


def _attachment(name: str) -> dict[str, str]:
    safe = _FILENAME_UNSAFE.sub("_", name)[:80] or "conversation"
    return {"Content-Disposition": f'attachment; filename="transcript-{safe}.json"'}


async def _export(call: Call) -> web.Response:
    conversation = call.request.match_info["conversation"]
    call.noted["conversations"] = [conversation]
    reader = call.transcripts.access.reader(call.permissions)
    found = await call.transcripts.access.export(reader, conversation)
    if found is None:
        return _json({"error": "no such conversation"}, 404)
    call.noted.update(messages=len(found["messages"]), unmasked=reader.unmasked)
    stamped = {**found, "exported_at": _now(), "exported_by": call.principal.subject}
    return _json(stamped, headers=_attachment(conversation))


async def _export_subject(call: Call) -> web.Response:
    subject = call.request.match_info["subject"]
    call.noted["target_subject"] = subject
    access = call.transcripts.access
    conversations = await queries.conversations_of(access.db, subject)
    if not conversations:
        return _json({"error": "no such subject"}, 404)
    reader = access.reader(call.permissions)
    exports = [found for c in conversations if (found := await access.export(reader, c)) is not None]
    call.noted.update(conversations=conversations, messages=sum(len(e["messages"]) for e in exports),
                      unmasked=reader.unmasked)
    body = {"subject": subject, "conversations": exports, "exported_at": _now(),
            "exported_by": call.principal.subject}
    return _json(body, headers=_attachment(f"subject-{subject}"))


async def _erase(call: Call) -> web.Response:
    conversation = call.request.match_info.get("conversation")
    subject = call.request.match_info.get("subject")
    dry_run = _flag(call.request, "dry_run")
    call.noted.update(dry_run=dry_run, **({"target_subject": subject} if subject is not None else
                                          {"conversations": [conversation]}))
    try:
        erased = await call.transcripts.access.erase(conversation=conversation, subject=subject, dry_run=dry_run)
    except UnderHold as held:
        call.noted["held"] = held.held
        return _json({"error": "under legal hold", "held": held.held}, 409)
    if conversation is not None and not erased.conversations:
        return _json({"error": "no such conversation"}, 404)
    call.noted.update(conversations=list(erased.conversations), rows=erased.rows,
                      archived_rows=erased.archived_rows)
    return _json({"erased": list(erased.conversations), "rows": erased.rows,
                  "archived_rows": erased.archived_rows, "dry_run": erased.dry_run})


def _now() -> str:
    return iso(int(datetime.now(UTC).timestamp() * 1_000_000))


# the gate ------------------------------------------------------------------------------------

def _guarded(gateway_app: web.Application, action: str, permission: str, handler: Handler
             ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def answer(request: web.Request, noted: dict[str, Any]) -> web.Response:
        principal = await admin_caller(gateway_app, request)
        if isinstance(principal, Refused):
            return _json({"error": principal.error}, principal.status)
        noted["subject"] = principal.subject
        if permission not in principal.roles and WILDCARD not in principal.roles:
            noted["missing"] = permission
            return _json({"error": "forbidden"}, 403)
        if not principal.mfa:
            return _json({"error": STEP_UP}, 401)
        transcripts = gateway_app.get(TRANSCRIPTS)
        if transcripts is None:
            if action == "status":
                return _json({"enabled": False})
            return _json({"error": "transcripts are not configured"}, 404)
        call = Call(request, principal, transcripts, noted)
        try:
            return await handler(call)
        except BadQuery as bad:
            return _json({"error": str(bad)}, 400)
        except (DatabaseError, KeyUnavailable, OSError):
            return _json({"error": "transcript store unavailable"}, 503)

    async def endpoint(request: web.Request) -> web.StreamResponse:
        noted: dict[str, Any] = {}
        response = await answer(request, noted)
        outcome = "ok" if response.status < 400 else "refused"
        query = {k: request.query[k] for k in _SEARCH_KEYS if k in request.query}
        (audit.info if outcome == "ok" else audit.warning)(
            "transcripts access", extra={"event": "transcripts.access", "action": action, "outcome": outcome,
                                         "status": response.status, "permission": permission,
                                         "client": request.remote or "", "method": request.method,
                                         "path": request.path, "query": query, "subject": None, **noted})
        return response

    return endpoint


ROUTES: tuple[tuple[str, str, str, str, Handler], ...] = (
    ("GET", f"{PREFIX}/status", "status", READ, _status),
    ("GET", f"{PREFIX}/conversations", "search", READ, _search),
    ("GET", f"{PREFIX}/conversations/{{conversation}}", "read", READ, _read),
    ("GET", f"{PREFIX}/conversations/{{conversation}}/export", "export", EXPORT, _export),
    ("GET", f"{PREFIX}/subjects/{{subject}}/export", "export", EXPORT, _export_subject),
    ("DELETE", f"{PREFIX}/conversations/{{conversation}}", "erase", ERASE, _erase),
    ("DELETE", f"{PREFIX}/subjects/{{subject}}", "erase", ERASE, _erase),
)


def mount(admin: web.Application, gateway_app: web.Application) -> None:
    """Add the transcript endpoints to the admin listener's app (call before it starts)."""
    for method, path, action, permission, handler in ROUTES:
        admin.router.add_route(method, path, _guarded(gateway_app, action, permission, handler))
