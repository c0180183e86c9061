"""The login flows, independent of HTTP: password, second factor, refresh, logout, enrolment.

`routes.py` turns requests into calls here and `AuthError` into JSON answers. Every
failure is audited on the `chatguard.audit` logger with the user name and client
address, never with a password, token, code or secret.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from filters import Principal
from gateway.auth import totp
from gateway.auth.abuse import CredentialAbuse
from gateway.auth.config import AuthSettings
from gateway.auth.delegate import Delegates
from gateway.auth.errors import AuthError
from gateway.auth.external import ExternalIssuers
from gateway.auth.limits import Lockout, RateLimiter
from gateway.auth.passwords import Passwords
from gateway.auth.refresh import RefreshRejected, Sessions, token_hash
from gateway.auth.state import AuthState
from gateway.auth.tokens import TokenIssuer, load_keys
from gateway.auth.users import User, UserStore, open_user_store
from gateway.state import StateStore
from gateway.state.events import StateEvent

__all__ = ["AuthError", "AuthService", "Ticket"]

audit = logging.getLogger("chatguard.audit")
# Visitor sessions live only in their token; the ':' never occurs in a stored session id.
VISITOR_SESSION = "v:"


@dataclass(frozen=True)
class Ticket:
    user_id: str
    username: str
    enrol: bool


def _event(name: str, **fields: Any) -> dict[str, Any]:
    return {"event": name, **fields}


class AuthService:
    def __init__(self, settings: AuthSettings, store: UserStore, state: AuthState, issuer: TokenIssuer,
                 external: ExternalIssuers | None = None, client_key: Callable[[str], str] | None = None) -> None:
        self.settings, self.store, self.state, self.issuer = settings, store, state, issuer
        # What limits, lockouts and abuse bans count by (an IPv6 client's /64); audit records keep the address.
        self.client_key: Callable[[str], str] = client_key or str
        self.external = external or ExternalIssuers(settings.external)
        self.passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
        announce = state.publish if isinstance(state, StateStore) else None  # tests may pass a bare AuthState
        self.sessions = Sessions(store, state, settings.refresh_ttl, max(settings.refresh_ttl, settings.jwt.ttl),
                                 announce)
        self.lockout = Lockout(state, settings.lockout)
        self.rate = RateLimiter(state, settings.rate_limit)
        self.visitor_rate = RateLimiter(state, settings.visitors.rate_limit)
        self.delegates = Delegates(settings.delegates, state)
        self._box = totp.SecretBox(settings.totp.key_bytes()) if settings.totp.encryption_key else None
        self.abuse = CredentialAbuse(state, settings.abuse,
                                     settings.totp.key_bytes() if settings.totp.encryption_key else None)

    @classmethod
    def from_settings(cls, settings: AuthSettings, state: AuthState,
                      client_key: Callable[[str], str] | None = None) -> AuthService:
        issuer = TokenIssuer(load_keys(settings.jwt.signing_keys), settings.jwt.issuer, settings.jwt.audience,
                             settings.jwt.ttl, settings.jwt.leeway)
        return cls(settings, open_user_store(settings.store), state, issuer, client_key=client_key)

    async def start(self) -> None:
        """Open the user store and fetch external JWKS; call before the listener opens."""
        await self.store.open()
        try:
            await self.external.start(required=True)  # a key set that cannot be fetched stops startup
        except BaseException:
            await self.store.aclose()
            raise

    async def aclose(self) -> None:
        await self.external.aclose()
        await self.store.aclose()

    @property
    def box(self) -> totp.SecretBox:
        if self._box is None:
            raise AuthError(400, "two-factor authentication is not configured")
        return self._box

    def principal(self, user: User, mfa: bool) -> Principal:
        """Roles that require 2FA are only granted to sessions that passed it."""
        roles = user.roles if mfa else user.roles - self.settings.totp.required_roles
        return Principal(subject=user.username, roles=frozenset(roles), mfa=mfa)

    async def _tokens(self, user: User, mfa: bool, client: str) -> dict[str, Any]:
        session_id, refresh = await self.sessions.start(user.id, mfa)
        access = self.issuer.issue(self.principal(user, mfa), session_id, {"uid": user.id})
        audit.info("login succeeded", extra=_event("auth.login", user=user.username, mfa=mfa, client=client,
                                                   session_id=session_id))
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": int(self.issuer.ttl)}

    async def _ticket(self, user: User, enrol: bool) -> str:
        ticket = "cgt_" + secrets.token_urlsafe(24)
        data = json.dumps({"uid": user.id, "u": user.username, "e": enrol}).encode()
        await self.state.put(f"auth:ticket:{token_hash(ticket)}", data, self.settings.ticket_ttl)
        return ticket

    async def _read_ticket(self, ticket: str, spend: bool) -> Ticket:
        key = token_hash(ticket)
        raw = await self.state.get(f"auth:ticket:{key}") if ticket.startswith("cgt_") else None
        if raw is None:
            raise AuthError(401, "invalid or expired ticket")
        if spend and not await self.state.add("auth:ticket-spent", key, self.settings.ticket_ttl):
            raise AuthError(401, "invalid or expired ticket")
        data = json.loads(raw)
        return Ticket(str(data["uid"]), str(data["u"]), bool(data["e"]))

    async def _refuse_banned(self, client: str) -> None:
        """An address banned for credential abuse (or anything else) gets no further guesses."""
        if await self.abuse.banned(self.client_key(client)):
            audit.warning("sign-in refused: address banned", extra=_event("auth.banned", client=client))
            raise AuthError(403, "banned")

    async def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        await self._refuse_banned(client)
        if await self.lockout.locked(username, self.client_key(client)):
            audit.warning("login refused: locked", extra=_event("auth.locked", user=username, client=client))
            raise AuthError(429, "too many failed attempts; try again later")
        user = await self.store.get_user(username)
        ok = await self.passwords.verify(user.password_hash if user else None, password)
        if user is None or not ok or user.disabled:
            await self.lockout.failure(username, self.client_key(client), "password")
            await self.abuse.failure(username, self.client_key(client), password, "password")
            audit.warning("login failed", extra=_event("auth.login_failed", user=username, client=client))
            raise AuthError(401, "invalid username or password")
        if self.passwords.needs_rehash(user.password_hash):
            await self.store.set_password(user.username, await self.passwords.hash(password))
        if user.totp_enrolled:
            return {"mfa_required": True, "ticket": await self._ticket(user, enrol=False)}
        if user.roles & self.settings.totp.required_roles:
            return {"mfa_required": True, "enrolment_required": True, "ticket": await self._ticket(user, enrol=True)}
        return await self._tokens(user, mfa=False, client=client)

    async def mfa(self, ticket: str, code: str, client: str) -> dict[str, Any]:
        await self._refuse_banned(client)
        found = await self._read_ticket(ticket, spend=True)
        if await self.lockout.locked(found.username, self.client_key(client)):
            audit.warning("second factor refused: locked",
                          extra=_event("auth.locked", user=found.username, client=client, step="mfa"))
            raise AuthError(429, "too many failed attempts; try again later")
        user = await self.store.get_user_by_id(found.user_id)
        if user is None or user.disabled or user.totp_secret is None or found.enrol:
            raise AuthError(401, "invalid or expired ticket")
        method = await self._second_factor(user, code, client)
        if method:
            audit.info("second factor passed", extra=_event("auth.mfa_passed", user=user.username, client=client,
                                                            method=method))
            return await self._tokens(user, mfa=True, client=client)
        await self.lockout.failure(user.username, self.client_key(client), "mfa")
        await self.abuse.failure(user.username, self.client_key(client), None, "mfa")
        audit.warning("second factor failed", extra=_event("auth.mfa_failed", user=user.username, client=client))
        raise AuthError(401, "invalid code")

    async def _second_factor(self, user: User, code: str, client: str) -> str:
        """Which second factor `code` passed as (`totp`, `recovery`), or "" when it passed as none."""
        code = code.strip()
        if totp.is_code(code):
            secret = self.box.open(user.totp_secret or b"", user.id)
            ok = await totp.accept_code(self.state, user.id, secret, code, self.settings.totp.valid_window)
            return "totp" if ok else ""
        if len(totp.normalise_recovery(code)) == 16 and await self.store.use_recovery_code(
                user.id, totp.recovery_hash(user.id, code)):
            audit.info("recovery code used", extra=_event("auth.recovery_code", user=user.username, client=client,
                                                          left=await self.store.recovery_codes_left(user.id)))
            return "recovery"
        return ""

    async def refresh(self, token: str) -> dict[str, Any]:
        try:
            record, new_token = await self.sessions.rotate(token)
        except RefreshRejected as exc:
            raise AuthError(401, str(exc)) from None
        user = await self.store.get_user_by_id(record.user_id)
        if user is None or user.disabled:
            await self.sessions.revoke(record.session_id)
            raise AuthError(401, "account disabled")
        access = self.issuer.issue(self.principal(user, record.mfa), record.session_id, {"uid": user.id})
        return {"access_token": access, "refresh_token": new_token, "token_type": "Bearer",
                "expires_in": int(self.issuer.ttl)}

    async def logout(self, session_id: str, subject: str) -> None:
        await self.sessions.revoke(session_id)
        audit.info("logout", extra=_event("auth.logout", user=subject))

    async def _enrolling_user(self, principal: Principal | None, ticket: str | None, spend: bool) -> User:
        if ticket:
            found = await self._read_ticket(ticket, spend=spend)
            user = await self.store.get_user_by_id(found.user_id)
            if not found.enrol:
                user = None
        elif principal is not None and not principal.anonymous:
            user = await self.store.get_user(principal.subject)
        else:
            raise AuthError(401, "authentication required")
        if user is None or user.disabled:
            raise AuthError(401, "authentication required")
        return user

    async def enrol(self, principal: Principal | None, ticket: str | None) -> dict[str, Any]:
        user = await self._enrolling_user(principal, ticket, spend=False)
        if user.totp_enrolled:
            raise AuthError(400, "two-factor authentication is already enrolled; ask an admin to reset it")
        new = totp.enrolment(user.username, self.settings.totp.issuer)
        await self.store.set_totp_pending(user.id, self.box.seal(new.secret, user.id))
        audit.info("totp enrolment started", extra=_event("auth.totp_enrol", user=user.username))
        return {"otpauth_uri": new.uri, "qr_svg": new.qr_svg, "qr_png": new.qr_png}

    async def confirm(self, principal: Principal | None, ticket: str | None, code: str,
                      client: str) -> dict[str, Any]:
        user = await self._enrolling_user(principal, ticket, spend=True)
        if await self.lockout.locked(user.username, self.client_key(client)):
            audit.warning("enrolment refused: locked",
                          extra=_event("auth.locked", user=user.username, client=client, step="enrol"))
            raise AuthError(429, "too many failed attempts; try again later")
        if user.totp_pending is None:
            raise AuthError(400, "no enrolment in progress")
        secret = self.box.open(user.totp_pending, user.id)
        if not await totp.accept_code(self.state, user.id, secret, code.strip(), self.settings.totp.valid_window):
            await self.lockout.failure(user.username, self.client_key(client), "enrol")
            await self.abuse.failure(user.username, self.client_key(client), None, "enrol")
            audit.warning("totp confirmation failed",
                          extra=_event("auth.totp_confirm_failed", user=user.username, client=client))
            raise AuthError(401, "invalid code")
        codes = totp.recovery_codes(self.settings.totp.recovery_codes)
        await self.store.confirm_totp(user.id, self.box.seal(secret, user.id),
                                      [totp.recovery_hash(user.id, c) for c in codes])
        audit.info("totp enrolled", extra=_event("auth.totp_confirmed", user=user.username, client=client))
        answer: dict[str, Any] = {"enrolled": True, "recovery_codes": codes}
        if ticket:
            answer.update(await self._tokens(user, mfa=True, client=client))
        return answer

    async def visitor(self, client: str) -> dict[str, Any]:
        """A short-lived token for an anonymous visitor, under a fresh subject so that one visitor
        can be throttled, banned and audited without an account. No refresh token: visitors ask again."""
        v = self.settings.visitors
        if not v.enabled:
            raise AuthError(404, "visitor tokens are not enabled")
        if not await self.visitor_rate.allow("visitor-issue", self.client_key(client)):
            audit.warning("visitor token refused: rate", extra=_event("auth.visitor_limited", client=client))
            raise AuthError(429, "too many visitor tokens from this address; try again later")
        subject = "visitor:" + secrets.token_urlsafe(12)
        session_id = VISITOR_SESSION + secrets.token_urlsafe(12)
        principal = Principal(subject=subject, roles=frozenset({v.role}), mfa=False)
        access = self.issuer.issue(principal, session_id, {"visitor": True}, ttl=float(v.ttl))
        audit.info("visitor token issued", extra=_event("auth.visitor", user=subject, client=client))
        return {"access_token": access, "token_type": "Bearer", "expires_in": int(v.ttl), "subject": subject}

    async def revoke_user(self, user: User) -> None:
        """End every session of `user` (admin action): in the database, then open WebSockets everywhere."""
        await self.store.revoke_user_sessions(user.id)
        await self.sessions.announce(StateEvent("revoke_subject", user.username))

    async def revoked_among(self, sessions: Collection[str]) -> set[str]:
        """Which of `sessions` ended: one state-store read for all, one database query for the stored ones
        (the check open WebSockets get once per sweep, instead of one read per socket)."""
        ids = list(sessions)
        marks = await self.state.get_many([f"auth:revoked:{s}" for s in ids])
        ended = {s for s, mark in zip(ids, marks, strict=True) if mark is not None}
        stored = [s for s in ids if s not in ended and not s.startswith(VISITOR_SESSION)]
        if stored:
            ended |= set(stored) - await self.store.live_sessions(stored)
        return ended

    async def is_revoked(self, session_id: str) -> bool:
        if session_id.startswith(VISITOR_SESSION):  # no stored session: only an explicit revocation counts
            return await self.state.get(f"auth:revoked:{session_id}") is not None
        return await self.sessions.is_revoked(session_id)
