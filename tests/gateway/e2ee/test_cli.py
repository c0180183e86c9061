"""`chatguard fields rotate`: a new data key version for one conversation; old envelopes still open."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import orjson
import yaml

from gateway.cli import main as chatguard
from gateway.codec import Codec, FieldSelector, Pointer
from gateway.database import open_database
from gateway.e2ee.cli import main
from gateway.e2ee.envelope import Envelope
from gateway.e2ee.fields import FieldCrypto
from gateway.keyring import KeyService, LocalKek

KEK = "7b" * 32


def config(tmp_path: Path, **keys: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"upstreams": {"chat": {"url": "http://127.0.0.1:9"}}, "routes": [],
                                    "keys": keys}))
    return str(path)


async def test_rotate_then_old_and_new_envelopes_open(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/keys.db"
    path = config(tmp_path, kek=KEK, store=store)
    db = open_database(store)
    await db.open()
    try:
        keys = KeyService(db, LocalKek(bytes.fromhex(KEK)), cache_ttl=0.0)
        await keys.setup()
        crypto = FieldCrypto(keys)
        codec, at = Codec(FieldSelector(json=("/body",))), (Pointer.parse("/body"),)
        before = await crypto.seal(codec, at, b'{"body":"one"}', "!r:x")
        out = io.StringIO()
        assert await _run(["rotate", "--config", path, "--conversation", "!r:x", "--json"], out) == 0
        report = json.loads(out.getvalue())
        assert report["version"] == 2 and report["conversation"] == "!r:x"
        after = await crypto.seal(codec, at, b'{"body":"two"}', "!r:x")
        assert Envelope.parse(orjson.loads(after)["body"]).key_id == report["key_id"]
        page = orjson.dumps({"chunk": [orjson.loads(before), orjson.loads(after)]})
        opened = await crypto.open(Codec(FieldSelector(json=("/chunk/*/body",))), page, None, lambda _: None)
        assert orjson.loads(opened) == {"chunk": [{"body": "one"}, {"body": "two"}]}
    finally:
        await db.aclose()


async def _run(argv: list[str], out: io.StringIO) -> int:
    """The command runs its own event loop: off this test's loop, in a thread."""
    return await asyncio.to_thread(main, argv, out, io.StringIO())


def test_without_keys_it_exits_2(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["rotate", "--config", config(tmp_path), "--conversation", "c"], io.StringIO(), err) == 2
    assert "keys" in err.getvalue()
    assert chatguard(["fields", "rotate", "--config", config(tmp_path, kek="zz"), "--conversation", "c"]) == 2
