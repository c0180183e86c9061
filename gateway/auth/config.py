"""Frozen settings for authentication, bound from the `auth:` section of the YAML config.

Every duration, limit and key source is here so the services below are built once at
startup and never read config on the hot path.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Literal

from filters.options import Duration, OptionsError, join
from gateway.auth.abuse import AbuseSettings

ALGORITHMS = frozenset({"EdDSA", "ES256", "ES384", "RS256", "PS256"})


@dataclass(frozen=True)
class JwtSettings:
    """The gateway's own access tokens; `signing_keys[0]` signs, the rest only verify (rotation)."""

    issuer: str = "chatguard"
    audience: str = "chatguard"
    ttl: Duration = Duration(900)
    leeway: Duration = Duration(60)
    signing_keys: tuple[str, ...] = ()

    def validate(self, path: str) -> None:
        if not self.ttl > 0:
            raise OptionsError(join(path, "ttl"), "must be > 0")


@dataclass(frozen=True)
class LockoutSettings:
    """Failures per (user, IP) before a lock; a per-user backstop with escalating short locks."""

    pair_failures: int = 5
    pair_lock: Duration = Duration(300)
    user_failures: int = 20
    user_lock: Duration = Duration(30)
    user_lock_max: Duration = Duration(900)
    window: Duration = Duration(900)

    def validate(self, path: str) -> None:
        for name in ("pair_failures", "user_failures"):
            if getattr(self, name) < 1:
                raise OptionsError(join(path, name), "must be >= 1")
        for name in ("pair_lock", "user_lock", "user_lock_max", "window"):  # 0 would lock nobody out
            if not getattr(self, name) > 0:
                raise OptionsError(join(path, name), "must be > 0")


@dataclass(frozen=True)
class TotpSettings:
    """Second factor; `encryption_key` is 32 bytes, base64 (or `encryption_key_file`)."""

    issuer: str = "chatguard"
    encryption_key: str = ""
    required_roles: frozenset[str] = frozenset()
    recovery_codes: int = 10
    valid_window: int = 1

    def key_bytes(self) -> bytes:
        return decode_key(self.encryption_key, "auth.totp.encryption_key")

    def validate(self, path: str) -> None:
        if self.encryption_key:
            decode_key(self.encryption_key, join(path, "encryption_key"))
        if not 0 <= self.valid_window <= 2:
            raise OptionsError(join(path, "valid_window"), "must be 0, 1 or 2 steps")


@dataclass(frozen=True)
class RateLimitSettings:
    """Requests per client IP per fixed window on every `/auth/*` endpoint."""

    requests: int = 30
    window: Duration = Duration(60)

    def validate(self, path: str) -> None:
        if self.requests < 1:
            raise OptionsError(join(path, "requests"), "must be >= 1")
        if not self.window > 0:
            raise OptionsError(join(path, "window"), "must be > 0")


@dataclass(frozen=True)
class ExternalIssuer:
    """A trusted identity provider whose tokens the gateway accepts directly."""

    issuer: str
    jwks_url: str
    audience: str
    algorithms: frozenset[str] = frozenset({"RS256", "ES256", "EdDSA"})
    roles_claim: str = "roles"
    groups_claim: str = "groups"
    role_map: dict[str, str] = field(default_factory=dict)
    subject_prefix: str = ""
    leeway: Duration = Duration(60)
    refetch_interval: Duration = Duration(30)

    def validate(self, path: str) -> None:
        bad = sorted(self.algorithms - ALGORITHMS)
        if bad or not self.algorithms:
            raise OptionsError(join(path, "algorithms"), f"allowed: {', '.join(sorted(ALGORITHMS))}; got {bad}")
        if not self.jwks_url.startswith(("https://", "http://")):
            raise OptionsError(join(path, "jwks_url"), "must be an http(s) URL")


@dataclass(frozen=True)
class VisitorSettings:
    """Anonymous website visitors: `POST /auth/visitor` hands out a short-lived `visitor` token."""

    enabled: bool = False
    ttl: Duration = Duration(3600)
    role: str = "visitor"
    rate_limit: RateLimitSettings = field(default_factory=lambda: RateLimitSettings(requests=5, window=Duration(600)))

    def validate(self, path: str) -> None:
        if not self.ttl > 0:
            raise OptionsError(join(path, "ttl"), "must be > 0")


@dataclass(frozen=True)
class DelegateSettings:
    """Backend-delegated auth: the backend's own bearer token is checked by calling `path` on the
    upstream of the request's route (for Matrix, `/_matrix/client/v3/account/whoami`)."""

    routes: tuple[str, ...]
    path: str
    user_field: str = "user_id"
    method: Literal["GET", "POST"] = "GET"
    ttl: Duration = Duration(30)
    timeout: Duration = Duration(5)
    roles_by_user: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default_roles: tuple[str, ...] = ()
    subject_prefix: str = ""

    def validate(self, path: str) -> None:
        if not self.path.startswith("/"):
            raise OptionsError(join(path, "path"), "must start with '/'")
        if not self.routes:
            raise OptionsError(join(path, "routes"), "name at least one route (glob patterns allowed)")
        if not self.ttl > 0 or not self.timeout > 0:
            raise OptionsError(join(path, "ttl" if not self.ttl > 0 else "timeout"), "must be > 0")


@dataclass(frozen=True)
class AssertionSettings:
    """The signed `X-Chatguard-Assertion` JWT added to forwarded requests of signed-in callers."""

    enabled: bool = True
    ttl: Duration = Duration(60)


@dataclass(frozen=True)
class AuthSettings:
    """`store` is a SQLite path (`sqlite:///var/lib/chatguard/users.db`) or a `postgresql://` URL."""

    enabled: bool = True
    store: str = "sqlite:///var/lib/chatguard/users.db"
    jwt: JwtSettings = field(default_factory=JwtSettings)
    totp: TotpSettings = field(default_factory=TotpSettings)
    lockout: LockoutSettings = field(default_factory=LockoutSettings)
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)
    abuse: AbuseSettings = field(default_factory=AbuseSettings)
    external: tuple[ExternalIssuer, ...] = ()
    visitors: VisitorSettings = field(default_factory=VisitorSettings)
    delegates: tuple[DelegateSettings, ...] = ()
    assertion: AssertionSettings = field(default_factory=AssertionSettings)
    refresh_ttl: Duration = Duration(30 * 86400)
    ticket_ttl: Duration = Duration(300)
    cookie_name: str = "chatguard_session"
    # "websocket": ?access_token= accepted on WebSocket upgrades only; "never": not at all
    query_credentials: Literal["websocket", "never"] = "websocket"
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    def validate(self, path: str) -> None:
        if not self.store.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise OptionsError(join(path, "store"), "expected sqlite:///PATH or postgresql://...")
        self.abuse.validate(join(path, "abuse"))


def decode_key(value: str, path: str) -> bytes:
    """A 32-byte AES-256 key from base64; anything else stops startup."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise OptionsError(path, "expected 32 bytes, base64 encoded") from None
    if len(key) != 32:
        raise OptionsError(path, f"expected 32 bytes, base64 encoded (got {len(key)} bytes)")
    return key
