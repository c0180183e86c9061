"""Writing transcripts on real SQLite and PostgreSQL: sealed text, the index, erasure."""

from __future__ import annotations

import orjson

from gateway.database import Database
from gateway.keyring import KeyService
from gateway.transcripts.schema import CONVERSATIONS, FINDINGS, MESSAGES, PARTICIPANTS
from gateway.transcripts.sealing import scope
from gateway.transcripts.store import CUT_MARK, StoredRow, TranscriptStore
from tests.gateway.transcripts.conftest import T0, record


async def rows(db: Database) -> list[StoredRow]:
    from gateway.transcripts.schema import SELECT
    return [StoredRow.of(r) for r in await db.fetch(f"SELECT {SELECT} FROM {MESSAGES} ORDER BY ts_us, id")]  # noqa: S608


async def test_text_is_sealed_under_the_conversation_key(store: TranscriptStore, database: Database,
                                                         keys: KeyService) -> None:
    await store.write([record("card ****1111", original="card 4111111111111111", masked_types=("card",),
                              findings=("card",), verdict="modify")])
    [row] = await rows(database)
    assert row.mode == "full" and row.key_id == (await keys.current(scope("!room:example.org"))).id
    assert b"1111" not in (row.text or b"") and b"4111" not in (row.full_text or b"")
    assert orjson.loads(row.findings) == ["card"] and row.ts_us == int(T0 * 1_000_000)


async def test_without_keys_masked_text_is_kept_plain(database: Database) -> None:
    store = TranscriptStore(database, None)
    await store.setup()
    await store.write([record("hi there")])
    [row] = await rows(database)
    assert row.key_id is None and row.text == b"hi there" and row.full_text is None


async def test_blocked_messages_keep_no_text(store: TranscriptStore, database: Database) -> None:
    await store.write([record(None, verdict="block", findings=("prompt_injection",))])
    [row] = await rows(database)
    assert row.text is None and row.full_text is None and row.key_id is None and row.verdict == "block"
    assert await database.fetchrow(f"SELECT messages, blocked FROM {CONVERSATIONS}") == (1, 1)  # noqa: S608


async def test_long_text_is_cut_and_marked(database: Database) -> None:
    store = TranscriptStore(database, None, max_text=10)
    await store.setup()
    await store.write([record("x" * 50)])
    [row] = await rows(database)
    assert row.text == ("x" * 10 + CUT_MARK).encode()


async def test_the_index_follows_every_batch(store: TranscriptStore, database: Database) -> None:
    await store.write([record(ts=T0 + 5, findings=("card", "email")), record(subject="bob", ts=T0 + 1)])
    await store.write([record(route="sync", direction="outbound", ts=T0 + 9, findings=("card",)),
                       record(conversation="other", ts=T0)])
    assert await database.fetch(f"SELECT conversation, first_us, last_us, messages FROM {CONVERSATIONS}"  # noqa: S608
                                " ORDER BY conversation") == [
        ("!room:example.org", int((T0 + 1) * 1e6), int((T0 + 9) * 1e6), 3), ("other", int(T0 * 1e6), int(T0 * 1e6), 1)]
    assert await database.fetch(f"SELECT subject, route, messages FROM {PARTICIPANTS}"  # noqa: S608
                                " WHERE conversation = '!room:example.org' ORDER BY subject, route") == [
        ("alice", "send", 1), ("alice", "sync", 1), ("bob", "send", 1)]
    assert await database.fetch(f"SELECT type, count FROM {FINDINGS} ORDER BY type") == [  # noqa: S608
        ("card", 2), ("email", 1)]


async def test_erase_shreds_the_key_then_removes_rows_and_index(store: TranscriptStore, database: Database,
                                                                keys: KeyService) -> None:
    await store.write([record(), record(conversation="kept")])
    key = await keys.current(scope("!room:example.org"))
    assert await store.erase("!room:example.org") == 1
    assert await keys.find(key.id, fresh=True) is None
    assert [r.conversation for r in await rows(database)] == ["kept"]
    for table in (CONVERSATIONS, PARTICIPANTS):
        assert await database.fetchval(f"SELECT COUNT(*) FROM {table} WHERE conversation = $1",  # noqa: S608
                                       "!room:example.org") == 0


async def test_a_sealed_text_moved_to_another_row_does_not_open(store: TranscriptStore, database: Database,
                                                                keys: KeyService) -> None:
    from gateway.transcripts.sealing import Opener
    first, second = record("secret one"), record("two")
    await store.write([first, second])
    stolen = await database.fetchval(f"SELECT text FROM {MESSAGES} WHERE id = $1", first.id)  # noqa: S608
    await database.execute(f"UPDATE {MESSAGES} SET text = $1 WHERE id = $2", stolen, second.id)  # noqa: S608
    moved = next(r for r in await rows(database) if r.id == second.id)
    opener = Opener(keys)
    assert await opener.open(moved.key_id, moved.id, moved.conversation, "text", moved.text) == (None, "unreadable")
