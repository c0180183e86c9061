"""Readers: masked unless they may unmask every masked type; export reaches archives; erasure and holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.database import Database
from gateway.keyring import KeyService
from gateway.transcripts.access import TranscriptAccess, UnderHold
from gateway.transcripts.archive import DirectoryTarget
from gateway.transcripts.config import LegalHold, Policy
from gateway.transcripts.queries import Search
from gateway.transcripts.retention import RetentionWorker
from gateway.transcripts.store import TranscriptStore
from tests.gateway.transcripts.conftest import T0, record

CARD = record("pay with [CARD ****1111] ok", original="pay with 4111 1111 1111 1111 ok", verdict="modify",
              findings=("card",), masked_types=("card",), ts=T0 + 1)


NO_HOLD = LegalHold()


def access(store: TranscriptStore, keys: KeyService, tmp_path: Path, hold: LegalHold = NO_HOLD) -> TranscriptAccess:
    return TranscriptAccess(store, keys, hold, DirectoryTarget(tmp_path / "archive"))


@pytest.mark.parametrize(("permissions", "text", "state"), [
    (frozenset(), "pay with [CARD ****1111] ok", "masked"),
    (frozenset({"unmask:email"}), "pay with [CARD ****1111] ok", "masked"),
    (frozenset({"unmask:card"}), "pay with 4111 1111 1111 1111 ok", "unmasked"),
    (frozenset({"unmask:*"}), "pay with 4111 1111 1111 1111 ok", "unmasked"),
])
async def test_masked_values_stay_masked_without_the_permission(store: TranscriptStore, keys: KeyService,
                                                                tmp_path: Path, permissions: frozenset[str],
                                                                text: str, state: str) -> None:
    await store.write([CARD, record(None, verdict="block", findings=("prompt_injection",), ts=T0 + 2)])
    svc = access(store, keys, tmp_path)
    found = await svc.read(svc.reader(permissions), "!room:example.org", None, 10)
    assert found is not None
    card, blocked = found["messages"]
    assert (card["text"], card["text_state"]) == (text, state)
    assert (blocked["text"], blocked["text_state"], blocked["verdict"]) == (None, "blocked", "block")
    assert found["conversation"]["findings"] == {"card": 1, "prompt_injection": 1}


async def test_search_filters_and_pages(store: TranscriptStore, keys: KeyService, tmp_path: Path) -> None:
    await store.write([record(conversation=f"c{i}", subject="ann" if i % 2 else "bob", ts=T0 + i,
                              findings=("email",) if i == 3 else ()) for i in range(5)])
    svc = access(store, keys, tmp_path)
    first = await svc.search(Search(subject="ann", limit=1))
    assert [c["conversation"] for c in first["conversations"]] == ["c3"] and first["next"]
    second = await svc.search(Search(subject="ann", limit=1, cursor=first["next"]))
    assert [c["conversation"] for c in second["conversations"]] == ["c1"] and second["next"] is None
    assert [c["conversation"] for c in (await svc.search(Search(finding="email")))["conversations"]] == ["c3"]
    window = await svc.search(Search(since_us=int((T0 + 3) * 1e6), until_us=int((T0 + 3) * 1e6)))
    assert [c["conversation"] for c in window["conversations"]] == ["c3"]


async def test_export_includes_archived_messages(store: TranscriptStore, keys: KeyService, tmp_path: Path) -> None:
    svc = access(store, keys, tmp_path)
    await store.write([record("old", ts=T0 - 100), CARD])
    worker = RetentionWorker(store, keys, svc.target, Policy(archive_after=50), {}, clock=lambda: T0 + 2)
    assert (await worker.run_once()).archived_rows == 1
    exported = await svc.export(svc.reader(frozenset()), "!room:example.org")
    assert exported is not None and exported["archive_errors"] == []
    assert [(m["text"], m["archived"]) for m in exported["messages"]] == [
        ("old", True), ("pay with [CARD ****1111] ok", False)]


async def test_erasure_by_subject_and_legal_hold(store: TranscriptStore, keys: KeyService, database: Database,
                                                 tmp_path: Path) -> None:
    await store.write([record(conversation="a", subject="carol"), record(conversation="b", subject="carol"),
                       record(conversation="b", subject="agent7"), record(conversation="held", subject="dave")])
    svc = access(store, keys, tmp_path, LegalHold(conversations=("held",), subjects=("erin",)))
    preview = await svc.erase(subject="carol", dry_run=True)
    assert preview.conversations == ("a", "b") and preview.rows == 3
    done = await svc.erase(subject="carol")
    assert done.rows == 3 and (await svc.search(Search()))["conversations"][0]["conversation"] == "held"
    with pytest.raises(UnderHold, match="conversation held"):
        await svc.erase(conversation="held")
    with pytest.raises(UnderHold, match="subject erin"):
        await svc.erase(subject="erin")
    assert (await svc.erase(conversation="no-such")).conversations == ()


async def test_an_erased_conversation_reads_as_erased_everywhere(store: TranscriptStore, keys: KeyService,
                                                                 tmp_path: Path) -> None:
    svc = access(store, keys, tmp_path)
    await store.write([record("old", ts=T0 - 100), record("new", ts=T0)])
    worker = RetentionWorker(store, keys, svc.target, Policy(archive_after=50), {}, clock=lambda: T0)
    await worker.run_once()
    manifest = next((tmp_path / "archive").glob("*.manifest.json"))
    await svc.erase(conversation="!room:example.org")
    from gateway.transcripts.archive import read_archive
    contents = await read_archive(manifest.read_bytes(), keys, svc.target)  # type: ignore[arg-type]
    assert contents.rows == () and contents.shredded == 1
