"""`chatguard transcripts archive|purge|restore|rotate-key --config F [--dry-run] [--json]`.

archive     move rows past their route's archive_after into sealed archives
purge       delete rows and archives past retention, shred conversations with nothing left
restore     verify an archive (manifest HMAC, checksums, every row's seal) and put its rows back
rotate-key  re-wrap every data key under the current KEK (see docs/keys.md)
archive and purge take the same lease as the gateway's worker, so they never run twice at once.
Exit status: 0 done, 1 refused or failed (nothing half-done is reported as done), 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import orjson

from filters.options import OptionsError
from gateway.database import DatabaseError, Lease, MigrationError
from gateway.keyring import KeyUnavailable
from gateway.transcripts.archive import ArchiveError, DirectoryTarget, read_archive
from gateway.transcripts.assemble import DataAtRest, assemble
from gateway.transcripts.retention import LEASE_NAME, LeaseLost, holder_id

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard transcripts", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("archive", "archive rows past archive_after"), ("purge", "delete what is past retention"),
                       ("restore", "verify an archive and put its rows back"),
                       ("rotate-key", "re-wrap data keys under the current KEK")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--config", "-c", required=True, help="path to chatguard.yaml")
        command.add_argument("--dry-run", action="store_true", help="count and check, change nothing")
        command.add_argument("--json", action="store_true", help="print the report as JSON")
        if name == "restore":
            command.add_argument("archive", type=Path, help="the archive's .manifest.json file")
    return parser


def _print(report: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        print(orjson.dumps(report, option=orjson.OPT_SORT_KEYS).decode(), file=out)
    else:
        print(" ".join(f"{k}={v}" for k, v in report.items()), file=out)


async def _retention(parts: DataAtRest, command: str, dry_run: bool) -> dict[str, Any]:
    worker = parts.worker()
    assert parts.store is not None
    lease = Lease(parts.store.db, LEASE_NAME, holder_id(), float(parts.settings.worker.lease))
    await lease.setup()
    if not await lease.acquire():
        raise LeaseLost(f"another instance is running the retention worker ({await lease.holder_now()}); "
                        "try again when it is done")
    worker.lease = lease
    try:
        report = await (worker.archive(dry_run=dry_run) if command == "archive" else worker.purge(dry_run=dry_run))
    finally:
        await lease.release()
    return report.as_dict()


async def _restore(parts: DataAtRest, manifest: Path, raw: bytes, dry_run: bool) -> dict[str, Any]:
    """Restored rows remember their archive: the worker never archives them twice, and drops the
    copies again once they have been back for their route's archive_after."""
    if parts.keys is None or parts.store is None:
        raise ArchiveError("restoring needs keys: and transcripts.database in the config")
    contents = await read_archive(raw, parts.keys, DirectoryTarget(manifest.parent))
    archive_id = str(contents.manifest["id"])
    now_us = int(time.time() * 1_000_000)
    rows = [replace(r, archived_in=archive_id, restored_us=now_us) for r in contents.rows]
    restored = 0 if dry_run else await parts.store.restore(rows)
    return {"archive": archive_id, "verified": True, "rows": contents.manifest["rows"],
            "readable": len(contents.rows), "shredded": contents.shredded, "restored": restored, "dry_run": dry_run}


async def _rotate(parts: DataAtRest, dry_run: bool) -> dict[str, Any]:
    if parts.keys is None:
        raise KeyUnavailable("no keys: section with a KEK and a database (keys.store or transcripts.database)")
    report = await parts.keys.rewrap(dry_run=dry_run)
    return {"kek": report.kek_id, "rewrapped": report.rewrapped, "failed": len(report.failed),
            "by_kek": report.by_kek, "dry_run": dry_run}


async def _run(args: argparse.Namespace, parts: DataAtRest, raw: bytes) -> dict[str, Any]:
    await parts.open()
    try:
        if args.command in ("archive", "purge"):
            return await _retention(parts, args.command, args.dry_run)
        if args.command == "restore":
            return await _restore(parts, args.archive, raw, args.dry_run)
        return await _rotate(parts, args.dry_run)
    finally:
        await parts.aclose()


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from gateway.config.load import command_settings

    parsed = command_settings(_parser(), argv, err)
    if isinstance(parsed, int):
        return parsed
    args, settings = parsed
    try:
        parts = assemble(settings)
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=err)
        return EXIT_USAGE
    if args.command in ("archive", "purge") and parts.store is None:
        print("chatguard: config error: transcripts.database: not set, so there are no transcripts", file=err)
        return EXIT_USAGE
    raw = b""
    if args.command == "restore":
        try:
            raw = args.archive.read_bytes()
        except OSError as exc:
            print(f"chatguard transcripts restore: cannot read {args.archive}: {exc.strerror or exc}", file=err)
            return EXIT_FAILED
    try:
        report = asyncio.run(_run(args, parts, raw))
    except (ArchiveError, DatabaseError, MigrationError, KeyUnavailable, LeaseLost, RuntimeError) as exc:
        print(f"chatguard transcripts {args.command}: {exc}", file=err)
        return EXIT_FAILED
    _print(report, args.json, out)
    if args.command == "rotate-key" and report["failed"]:
        print(f"chatguard transcripts rotate-key: {report['failed']} data keys could not be unwrapped "
              "(their KEK is not configured)", file=err)
        return EXIT_FAILED
    return EXIT_OK
