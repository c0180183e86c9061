"""`chatguard fields rotate --config F --conversation C [--json]`: a new data key for one conversation.

Envelopes sealed from now on in that conversation use the new key; older ones name their own key
and still open. (Rotating the KEK, which re-wraps every data key, is `chatguard transcripts
rotate-key`: one key store serves both.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from gateway.database import DatabaseError, MigrationError, open_database
from gateway.e2ee.envelope import scope
from gateway.keyring import KeyUnavailable, build_key_service

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard fields", description="blind-backend field encryption keys")
    commands = parser.add_subparsers(dest="command", required=True)
    rotate = commands.add_parser("rotate", help="start a new data key version for one conversation")
    rotate.add_argument("--config", "-c", required=True)
    rotate.add_argument("--conversation", required=True, help="the conversation (e.g. a Matrix room id)")
    rotate.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


async def _rotate(settings: Any, conversation: str) -> dict[str, Any]:
    db = open_database(settings.keys.store or settings.transcripts.database)
    await db.open()
    try:
        keys = build_key_service(settings.keys, db)
        await keys.setup()
        key = await keys.rotate(scope(conversation))
        return {"conversation": conversation, "key_id": key.id, "version": key.version}
    finally:
        await db.aclose()


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from gateway.config.load import command_settings

    parsed = command_settings(_parser(), argv, err)
    if isinstance(parsed, int):
        return parsed
    args, settings = parsed
    if not (settings.keys.enabled and (settings.keys.store or settings.transcripts.database)):
        print("chatguard: config error: keys: needs a KEK (kek_file, kek_env or kms) and keys.store "
              "(or transcripts.database)", file=err)
        return EXIT_USAGE
    try:
        report = asyncio.run(_rotate(settings, args.conversation))
    except (DatabaseError, MigrationError, KeyUnavailable) as exc:
        print(f"chatguard fields rotate: {exc}", file=err)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(report), file=out)
    else:
        print(f"conversation {report['conversation']}: new data key version {report['version']}", file=out)
    return EXIT_OK
