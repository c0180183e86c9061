"""Credential stuffing and password spraying: failed sign-ins judged per address across users.

Lockout (`limits.py`) stops guessing at one account; it cannot see one address trying many
accounts (stuffing a leaked list) or one password tried against many accounts (spraying).
Both are counted here in the shared state, so every gateway sees the same totals, and the
address is banned through the same ban keys the shield enforces on every request. The ban
escalates for repeat offences and is audited.

Passwords are never stored: a spraying count is keyed by a keyed, truncated hash of the
failed password, with a key that never leaves the gateways' configuration.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field

from filters.options import Duration, OptionsError, join
from gateway.access.shield import address_key
from gateway.enforce.countermeasures import escalate
from gateway.enforce.settings import BanPolicy
from gateway.state import StateStore

audit = logging.getLogger("chatguard.audit")


@dataclass(frozen=True)
class AbuseSettings:
    """The `auth.abuse:` section: distinct accounts failing per address / per password in `window`."""

    enabled: bool = True
    window: Duration = Duration(900)
    users_per_address: int = 20  # offices share addresses: several people mistyping is normal
    users_per_password: int = 5  # the same wrong password for several accounts is not
    ban: BanPolicy = field(default_factory=lambda: BanPolicy(base=Duration(900)))

    def validate(self, path: str) -> None:
        for name in ("users_per_address", "users_per_password"):
            if getattr(self, name) < 2:
                raise OptionsError(join(path, name), "must be >= 2 (one account is the lockout's job)")
        if not self.window > 0:
            raise OptionsError(join(path, "window"), "must be > 0")
        self.ban.validate(join(path, "ban"))


class CredentialAbuse:
    """Counts failures across accounts and bans the address when a pattern appears.

    Works only on a full `StateStore` (bans); with a store that cannot ban it does nothing,
    which leaves the per-account lockout in force.
    """

    def __init__(self, state: object, settings: AbuseSettings, key: bytes | None = None) -> None:
        self._store = state if isinstance(state, StateStore) and settings.enabled else None
        self._s = settings
        # Without a configured key each process hashes differently: spraying is then counted per process.
        self._key = hashlib.blake2b(key or os.urandom(32), person=b"chatguard-spray").digest()

    def _fingerprint(self, value: str) -> str:
        return hashlib.blake2b(value.encode(), key=self._key, digest_size=8).hexdigest()

    async def banned(self, client: str) -> bool:
        return self._store is not None and await self._store.banned(address_key(client)) is not None

    async def failure(self, username: str, client: str, password: str | None, stage: str) -> bool:
        """Record one failed sign-in; True when it got `client` banned."""
        store = self._store
        if store is None:
            return False
        user = self._fingerprint("user:" + username)
        if await self._new_account(store, f"users:{client}", f"stuffing:{client}", user,
                                   self._s.users_per_address, client, "credential stuffing", stage):
            return True
        if password:
            secret = self._fingerprint("password:" + password)
            return await self._new_account(store, f"password:{secret}", f"spraying:{secret}", user,
                                           self._s.users_per_password, client, "password spraying", stage)
        return False

    async def _new_account(self, store: StateStore, seen: str, counter: str, user: str, limit: int,
                           client: str, kind: str, stage: str) -> bool:
        """Count `user` once per window under `counter`; ban `client` once `limit` accounts are reached."""
        window = float(self._s.window)
        if not await store.add(f"auth:abuse:{seen}", user, window):
            return False
        accounts = await store.hit(f"auth:abuse:{counter}", window)
        if accounts < limit:
            return False
        await self._ban(store, client, kind, stage, accounts)
        return True

    async def _ban(self, store: StateStore, client: str, kind: str, stage: str, accounts: int) -> None:
        ban = await escalate(store, self._s.ban, address_key(client), f"auth: {kind}")
        audit.warning("address banned for credential abuse", extra={
            "event": "auth.abuse", "kind": kind, "client": client, "stage": stage, "accounts": accounts,
            "ban": {"key": ban.key, "until": ban.until}})
