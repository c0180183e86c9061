from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.auth.users import PostgresUserStore, SqliteUserStore, SqlUserStore, UserExists

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlUserStore]:
    if request.param == "sqlite":
        sqlite = SqliteUserStore(str(tmp_path / "users.db"))
        await sqlite.open()
        yield sqlite
        await sqlite.aclose()
        return
    import asyncpg

    schema = f"cg_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    pg = PostgresUserStore(PG_URL, schema=schema)
    try:
        await pg.open()
        yield pg
    finally:
        await pg.aclose()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def test_users_are_added_listed_and_changed(store: SqlUserStore) -> None:
    added = await store.add_user("alice", "h1", frozenset({"agent"}))
    await store.add_user("bob", "h2", frozenset())
    assert (await store.get_user("alice")) == added
    assert (await store.get_user_by_id(added.id)) == added
    assert [u.username for u in await store.list_users()] == ["alice", "bob"]
    assert await store.set_password("alice", "h3")
    assert await store.set_roles("alice", frozenset({"admin", "agent"}))
    assert await store.set_disabled("alice", True)
    changed = await store.get_user("alice")
    assert changed is not None
    assert (changed.password_hash, changed.roles, changed.disabled) == ("h3", frozenset({"admin", "agent"}), True)
    assert not await store.set_password("nobody", "x")
    assert await store.get_user("nobody") is None


async def test_duplicate_username_is_refused(store: SqlUserStore) -> None:
    await store.add_user("alice", "h", frozenset())
    with pytest.raises(UserExists):
        await store.add_user("alice", "h", frozenset())


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "alice'; DROP TABLE cg_users; --", "ünïcode"])
async def test_bad_usernames_are_refused(store: SqlUserStore, name: str) -> None:
    with pytest.raises(ValueError):
        await store.add_user(name, "h", frozenset())


async def test_totp_secret_and_recovery_codes(store: SqlUserStore) -> None:
    user = await store.add_user("alice", "h", frozenset())
    await store.set_totp_pending(user.id, b"pending")
    await store.confirm_totp(user.id, b"sealed", ["c1", "c2"])
    enrolled = await store.get_user("alice")
    assert enrolled is not None and enrolled.totp_secret == b"sealed" and enrolled.totp_pending is None
    assert await store.use_recovery_code(user.id, "c1")
    assert not await store.use_recovery_code(user.id, "c1")
    assert await store.recovery_codes_left(user.id) == 1
    assert await store.reset_totp("alice")
    reset = await store.get_user("alice")
    assert reset is not None and not reset.totp_enrolled
    assert await store.recovery_codes_left(user.id) == 0


async def test_refresh_token_is_spent_once_and_revocation_spreads(store: SqlUserStore) -> None:
    await store.add_session("s1", "u1", time.time() + 60, mfa=True)
    await store.add_refresh("t1", "s1", "u1", time.time() + 60)
    record, fresh = await store.spend_refresh("t1")
    assert fresh and record is not None and record.session_id == "s1" and record.mfa
    assert (await store.spend_refresh("t1"))[1] is False
    assert (await store.spend_refresh("unknown")) == (None, False)
    assert not await store.session_revoked("s1")
    await store.add_refresh("t2", "s1", "u1", time.time() + 60)
    await store.revoke_session("s1")
    assert await store.session_revoked("s1")
    assert (await store.spend_refresh("t2"))[1] is False


async def test_unknown_session_counts_as_revoked(store: SqlUserStore) -> None:
    assert await store.session_revoked("never-issued")


async def test_list_sessions_shows_only_live_sessions_and_no_tokens(store: SqlUserStore) -> None:
    alice = await store.add_user("alice", "h1", frozenset({"agent"}))
    bob = await store.add_user("bob", "h2", frozenset())
    await store.add_session("a-live", alice.id, time.time() + 60, mfa=True)
    await store.add_session("a-gone", alice.id, time.time() + 60, mfa=False)
    await store.add_session("a-expired", alice.id, time.time() - 1, mfa=False)
    await store.add_session("b-live", bob.id, time.time() + 60, mfa=False)
    await store.add_refresh("secret-hash", "b-live", bob.id, time.time() + 60)
    await store.revoke_session("a-gone")
    await store.spend_refresh("secret-hash")
    listed = await store.list_sessions()
    assert [s.session_id for s in listed] == ["b-live", "a-live"]  # the refreshed one was used last
    assert listed[0].last_used >= listed[0].created > 0 and listed[1].mfa and listed[1].user == "alice"
    assert [s.session_id for s in await store.list_sessions("alice")] == ["a-live"]
    assert await store.list_sessions("nobody") == []
    assert "secret-hash" not in repr(listed)


async def test_stores_from_before_session_times_gain_the_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE cg_sessions (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
                    "revoked INTEGER NOT NULL DEFAULT 0, mfa INTEGER NOT NULL DEFAULT 0, "
                    "expires DOUBLE PRECISION NOT NULL)")
        old.execute("INSERT INTO cg_sessions VALUES ('s-old', 'u1', 0, 0, ?)", (time.time() + 60,))
    store = SqliteUserStore(str(path))
    await store.open()
    try:
        user = await store.add_user("carol", "h", frozenset())
        await store.add_session("s-new", user.id, time.time() + 60, mfa=False)
        assert [s.session_id for s in await store.list_sessions()] == ["s-new"]  # s-old has no known user
    finally:
        await store.aclose()
    second = SqliteUserStore(str(path))  # opening again must not trip over the added columns
    await second.open()
    await second.aclose()


async def test_instances_starting_together_on_a_fresh_schema_all_open() -> None:
    """Several gateway instances (an autoscaled rollout) create the tables at once: none may fail."""
    import asyncio

    import asyncpg

    schema = f"cg_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    stores = [PostgresUserStore(PG_URL, schema=schema) for _ in range(6)]
    try:
        await asyncio.gather(*(s.open() for s in stores))
        await stores[0].add_user("alice", "h1", frozenset())
        assert [u.username for u in await stores[-1].list_users()] == ["alice"]
    finally:
        await asyncio.gather(*(s.aclose() for s in stores))
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
