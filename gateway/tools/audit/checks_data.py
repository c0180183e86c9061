"""Checks of secrets, second factors, shared state, transcripts and the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from gateway.access.rbac.roles import RoleMap
from gateway.tools.audit.findings import RULES, Finding
from gateway.tools.audit.subject import Check, Subject

# Keys whose value is a secret wherever they appear (filter options included).
SECRET_KEYS = frozenset({
    "secret", "password", "token", "api_key", "client_secret", "kek", "hash_key", "vault_key",
    "encryption_key", "signing_key", "private_key"})
URL_KEYS = frozenset({"url", "dsn", "database", "store", "jwks_url"})
_ENV_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_ENV_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}")
_URL_PASSWORD = re.compile(r"^[a-z0-9+.-]+://[^/@:]*:([^/@]+)@", re.IGNORECASE)
MIN_KEY = 32
_GUESSABLE = ("change-me", "changeme", "example", "secret", "password", "test", "default")


def _walk(data: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(key path, key, value) of every mapping entry, depth first."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key), value
            yield from _walk(value, here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, f"{path}[{i}]")


def _inline(value: str) -> str | None:
    """What is written inline in `value`, if anything: the value itself or an env default."""
    if _ENV_ONLY.match(value):
        return None
    if "${" in value:
        defaults = [d for d in _ENV_DEFAULT.findall(value) if d]
        return "an inline default for ${...}" if defaults else None
    return "the value itself"


def inline_secrets(s: Subject) -> Iterator[Finding]:
    for path, key, value in _walk(s.raw):
        if not isinstance(value, str) or not value:
            continue
        if key in SECRET_KEYS and (what := _inline(value)):
            yield Finding(RULES["inline-secret"], path, f"{key} holds {what}", "high")
        elif key in URL_KEYS and (match := _URL_PASSWORD.match(value)) and _inline(match.group(1)):
            yield Finding(RULES["inline-secret"], path, f"{key} carries a password inline", "high")


def _weak(key: str) -> str | None:
    if len(key) < MIN_KEY:
        return f"{len(key)} characters (at least {MIN_KEY} wanted)"
    lowered = key.lower()
    if len(set(key)) < 8 or any(word in lowered for word in _GUESSABLE):
        return "a guessable value"
    return None


def _option_secret(options: Mapping[str, Any], name: str) -> str:
    """A filter option given inline or as `<name>_file` (read here when readable: a static audit)."""
    value = options.get(name)
    if isinstance(value, str):
        return value
    file = options.get(f"{name}_file")
    if isinstance(file, str):
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except OSError:
            return ""
    return ""


def short_keys(s: Subject) -> Iterator[Finding]:
    for name, ref in s.settings.filters.items():
        key = _option_secret(ref.options, "hash_key")
        if key and (why := _weak(key)):
            yield Finding(RULES["short-key"], f"filters.{name}.options.hash_key", f"hash_key is {why}", "high")
    for i, hook in enumerate(s.settings.alerts.webhooks):
        if why := _weak(hook.secret):
            yield Finding(RULES["short-key"], f"alerts.webhooks[{i}].secret", f"webhook HMAC secret is {why}",
                          "high")


def _sensitive_rights(rights: frozenset[str]) -> list[str]:
    return sorted(r for r in rights if r.startswith(("unmask:", "transcripts:")))


def second_factor(s: Subject) -> Iterator[Finding]:
    auth = s.settings.auth
    if auth is None or not auth.enabled:
        return
    roles = RoleMap.build(s.settings.roles)
    for name in sorted(s.settings.roles):
        rights = _sensitive_rights(roles.expand([name]))
        if rights and name not in auth.totp.required_roles:
            yield Finding(RULES["mfa-not-required"], "auth.totp.required_roles",
                          f"role {name} can {', '.join(rights)} without 2FA", "high")


def memory_state(s: Subject) -> Iterator[Finding]:
    if s.settings.state.backend == "memory" and s.settings.workers > 1:
        yield Finding(RULES["memory-state-workers"], "state.backend",
                      f"state.backend is memory with workers: {s.settings.workers}", "high")


def retention(s: Subject) -> Iterator[Finding]:
    transcripts = s.settings.transcripts
    if not transcripts.database:
        return
    default = transcripts.default
    if default.records and not default.retention:
        yield Finding(RULES["transcripts-no-retention"], "transcripts.retention",
                      "transcripts are stored with retention 0 (forever)", "medium")
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if route.transcripts is None or (route.transcripts.retention is None and route.transcripts.store is None):
            continue
        policy = route.transcripts.over(default)
        if policy.records and not policy.retention:
            yield Finding(RULES["transcripts-no-retention"], f"{key}.transcripts.retention",
                          f"route {route.name} stores transcripts forever", "medium")


def audit_trail(s: Subject) -> Iterator[Finding]:
    if not s.settings.audit.enabled:
        yield Finding(RULES["audit-disabled"], "audit.path", "audit.path is empty", "medium")


CHECKS: tuple[Check, ...] = (inline_secrets, short_keys, second_factor, memory_state, retention, audit_trail)
