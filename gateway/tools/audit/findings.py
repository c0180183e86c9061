"""What a finding is, the catalogue of rules it comes from, and how severities map to exit codes.

The catalogue is the single place an id, its default severity, why it matters and the fix are
written: text, JSON and SARIF output all read it, so the three never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    why: str
    fix: str


@dataclass(frozen=True)
class Finding:
    """One problem at one key path; `detail` says what was found there."""

    rule: Rule
    path: str
    detail: str
    severity: Severity
    line: int | None = None

    @property
    def id(self) -> str:
        return self.rule.id


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


RULES = _rules(
    Rule("anonymous-nonpublic", "high", "Route open to anonymous callers reaches non-public paths",
         "Anyone on the network can call every path the route matches, including account, key and admin "
         "endpoints of the backend that were never meant to be public.",
         "Give the route a narrow path and `methods`, or list signed-in roles in `allow` (anonymous only "
         "where the backend serves public content)."),
    Rule("preset-catchall-uninspected", "medium", "Preset catch-all route streams uninspected",
         "The preset's catch-all forwards every API path it does not list without reading it: filters "
         "never see that traffic, so a backend change that carries chat text there goes unfiltered.",
         "Replace the preset by explicit routes for the API your clients use, or narrow the catch-all with "
         "`methods_allow`/`deny` so only the roles that need it reach it."),
    Rule("fail-open", "high", "Filter chain fails open",
         "With `fail: open` a filter that crashes, times out or runs over its budget lets the message "
         "through unread: an attacker who can make a filter fail bypasses it.",
         "Set `fail: closed` (the default)."),
    Rule("tls-off", "high", "Plain HTTP on a listener reachable from the network",
         "Tokens, passwords, TOTP codes and chat text cross the network in clear text.",
         "Configure `listen.tls` (cert and key), or bind to 127.0.0.1 behind a TLS-terminating proxy."),
    Rule("tls12-allowed", "low", "TLS 1.2 accepted where 1.3 only is possible",
         "TLS 1.2 keeps older cipher suites and renegotiation paths alive; every current client speaks 1.3.",
         "Set `min_version: \"1.3\"` unless you must serve clients that cannot."),
    Rule("upstream-skip-verify", "high", "Backend certificate not verified",
         "Anyone on the path to the backend can impersonate it and read or rewrite every message.",
         "Remove `insecure_skip_verify` and give `ca_file` (and `server_name`) for a private CA."),
    Rule("admin-exposed", "critical", "Admin listener bound beyond loopback without mTLS",
         "The admin API (bans, quarantine, transcripts) is reachable from the network; it has no "
         "client-certificate check of its own.",
         "Bind `admin.host` to 127.0.0.1 and give kubelet and Prometheus the `probes:` listener instead."),
    Rule("inline-secret", "high", "Secret written inline in the config",
         "Config files end up in repositories, images, tickets and backups; a secret inside is shared "
         "with everyone who ever sees the file.",
         "Use `<key>_file: /run/secrets/...` or `${ENV}` without an inline default."),
    Rule("short-key", "high", "HMAC or hash key too short or guessable",
         "A short or well-known key lets an attacker forge signatures or reverse hashed values offline.",
         "Use at least 32 random characters (e.g. `openssl rand -base64 32`) from a secret file."),
    Rule("mfa-not-required", "high", "Roles that unmask or read transcripts can sign in without 2FA",
         "A stolen password alone then reveals card numbers or whole conversations.",
         "Add the role to `auth.totp.required_roles`."),
    Rule("shadow-mode", "medium", "Access control in shadow mode",
         "Shadow mode only logs what it would deny: the route is effectively open to every caller.",
         "Set `mode: enforce` once the rollout's shadow denials have been reviewed."),
    Rule("memory-state-workers", "high", "Memory state backend with several workers",
         "Each worker keeps its own bans, rate counters and replay guards: limits multiply by the number "
         "of workers and a TOTP code can be replayed against another worker.",
         "Use `state: {backend: redis}` or run a single worker."),
    Rule("transcripts-no-retention", "medium", "Transcripts stored without retention",
         "Conversations are kept forever, against data-minimisation rules, and every breach exposes all "
         "of them.", "Set `retention` (e.g. 730d) for the transcripts and every route that stores them."),
    Rule("trusted-proxies-wide", "high", "trusted_proxies wider than private ranges",
         "Any client in a trusted range can forge X-Forwarded-For and escape bans and rate limits, or "
         "spoof its address for `networks` rules.",
         "List only the addresses of your own load balancers (private ranges)."),
    Rule("audit-disabled", "medium", "Audit trail disabled",
         "Denials, bans and admin actions leave no tamper-evident record to investigate an incident with.",
         "Set `audit.path` and `audit.signing_key_file`."),
    Rule("websocket-any-origin", "medium", "WebSocket route accepts any Origin",
         "Any web page a signed-in user visits can open the socket with the user's cookie "
         "(cross-site WebSocket hijacking).", "List the origins of your own web clients."),
    Rule("sealed-fields-unread", "medium", "Sealed fields are never opened for readers",
         "`encrypt_fields` seals message text for the backend, and envelopes open only in answers a route "
         "reads (`messages.outbound`). With no route reading that backend's answers, clients get `cg1:` "
         "envelopes instead of the text, and outbound masking never sees it.",
         "Declare `messages.outbound` (JSON, SSE or frames) on the routes that return the sealed messages."),
    Rule("jwks-plain-http", "high", "Identity provider keys fetched over plain HTTP",
         "Whoever sits on the path can serve their own keys and mint tokens the gateway accepts.",
         "Use the provider's https:// JWKS URL."),
    Rule("hsts-off", "low", "HSTS disabled on the TLS listener",
         "Browsers may be downgraded to plain HTTP by an active attacker on first contact.",
         "Set `listen.tls.hsts.enabled: true`."),
)


def exit_status(findings: Iterable[Finding]) -> int:
    """0 nothing (or only info), 1 low or medium, 2 high or critical: CI pipelines gate on it."""
    worst = 0
    for finding in findings:
        if finding.severity in ("critical", "high"):
            return 2
        if finding.severity in ("medium", "low"):
            worst = 1
    return worst
