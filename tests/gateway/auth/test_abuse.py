"""Credential abuse counted across accounts: stuffing and spraying ban the address, nothing else does."""

from __future__ import annotations

import pytest

from filters.options import Duration, OptionsError
from gateway.access.shield import address_key
from gateway.auth.abuse import AbuseSettings, CredentialAbuse
from gateway.auth.state import MemoryAuthState
from gateway.enforce.settings import BanPolicy
from gateway.state import MemoryStore

SETTINGS = AbuseSettings(users_per_address=3, users_per_password=3, ban=BanPolicy(base=Duration(60)))


async def test_many_accounts_from_one_address_is_stuffing() -> None:
    store = MemoryStore()
    abuse = CredentialAbuse(store, SETTINGS, b"k" * 32)
    results = [await abuse.failure(name, "203.0.113.7", f"pw-{name}", "password") for name in ("a", "b", "c")]
    assert results == [False, False, True]
    assert await abuse.banned("203.0.113.7") and not await abuse.banned("203.0.113.8")
    ban = await store.banned(address_key("203.0.113.7"))
    assert ban is not None and ban.reason == "auth: credential stuffing"


async def test_the_same_account_again_and_again_is_not_stuffing() -> None:
    abuse = CredentialAbuse(MemoryStore(), SETTINGS, b"k" * 32)
    assert not any([await abuse.failure("ann", "203.0.113.7", f"guess {i}", "password") for i in range(20)])


async def test_one_password_over_accounts_and_addresses_is_spraying() -> None:
    abuse = CredentialAbuse(MemoryStore(), SETTINGS, b"k" * 32)
    got = [await abuse.failure(name, f"198.51.100.{i}", "Winter2025!", "password")
           for i, name in enumerate(("a", "b", "c"))]
    assert got == [False, False, True] and await abuse.banned("198.51.100.2")
    assert not await abuse.banned("198.51.100.0")


async def test_repeat_offences_escalate() -> None:
    store = MemoryStore()
    abuse = CredentialAbuse(store, SETTINGS, b"k" * 32)
    for name in ("a", "b", "c"):
        await abuse.failure(name, "203.0.113.7", None, "mfa")
    first = await store.banned(address_key("203.0.113.7"))
    await store.unban(address_key("203.0.113.7"))
    await abuse.failure("d", "203.0.113.7", None, "mfa")
    second = await store.banned(address_key("203.0.113.7"))
    assert first is not None and second is not None
    assert second.until - second.since == pytest.approx(2 * (first.until - first.since), abs=1)


async def test_passwords_and_usernames_never_reach_the_store() -> None:
    store = MemoryStore()
    abuse = CredentialAbuse(store, SETTINGS, b"k" * 32)
    await abuse.failure("victim.name", "203.0.113.7", "Tr0ub4dor&3", "password")
    dump = repr(store.__dict__)
    assert "Tr0ub4dor" not in dump and "victim.name" not in dump


async def test_a_store_without_bans_or_a_disabled_section_does_nothing() -> None:
    for abuse in (CredentialAbuse(MemoryAuthState(), SETTINGS),
                  CredentialAbuse(MemoryStore(), AbuseSettings(enabled=False, users_per_address=2))):
        assert not any([await abuse.failure(n, "203.0.113.7", "x", "password") for n in "abcdef"])
        assert not await abuse.banned("203.0.113.7")


@pytest.mark.parametrize("bad", [{"users_per_address": 1}, {"users_per_password": 0}, {"window": Duration(0)}])
def test_settings_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(OptionsError):
        AbuseSettings(**bad).validate("auth.abuse")  # type: ignore[arg-type]
