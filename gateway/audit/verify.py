"""`chatguard audit verify --key PUB.pem FILE...`: prove a set of audit files is intact.

Files are checked in the order given, as one chain (rotated files oldest first, the
active file last). The first break is reported with its file, line and kind, because
after a break nothing later can be trusted:

- altered:   an entry's content no longer matches its hash, or the next entry recorded
             a different hash for it (edited and re-hashed)
- removed:   sequence numbers jump (entries, or a whole file, are missing)
- inserted:  an entry that the chain skips over
- reordered: entries out of sequence
- truncated: a file ends in the middle of an entry, or a rotated file lacks its closing checkpoint
- signature: a checkpoint whose Ed25519 signature does not verify with the given key(s)

A trail must end with the shutdown checkpoint the gateway writes when it stops; a running
gateway's trail does not yet, and `--open` says so (entries after its last checkpoint are
counted in the summary). Cutting entries off the end leaves a valid, shorter chain, so
`--anchor WITNESS` (the checkpoints the gateway also appended to `audit.anchor`) and
`--anchor-dsn URL` (the PostgreSQL copy) prove how far the trail had come:

- truncated: the anchor holds a later checkpoint, or the database copy continues the trail
- altered:   an anchored checkpoint differs from the trail's entry at that seq
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gateway.audit.anchor import AnchorError, compare, database_successor, read_witness
from gateway.audit.entry import CHECKPOINT, GENESIS, canonical, digest
from gateway.audit.signing import key_id, load_public_key, signature_ok

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2
REQUIRED = ("seq", "ts", "event", "prev", "hash")


@dataclass(frozen=True)
class Problem:
    kind: str
    file: str
    line: int
    seq: int | None
    detail: str

    def __str__(self) -> str:
        seq = f" (seq {self.seq})" if self.seq is not None else ""
        return f"{self.file}:{self.line}{seq}: {self.kind}: {self.detail}"


@dataclass
class Report:
    files: int = 0
    entries: int = 0
    checkpoints: int = 0
    last_signed_seq: int = 0
    unsigned_tail: int = 0
    problem: Problem | None = None
    first_seq: int = 0
    last: dict[str, Any] | None = None
    hashes: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class _Item:
    file: str
    line: int
    raw: bytes
    complete: bool          # followed by a newline
    last_in_file: bool
    last_file: bool
    entry: dict[str, Any] | None = None
    flaw: str = ""

    @property
    def seq(self) -> int | None:
        return self.entry["seq"] if self.entry else None


def _examine(item: _Item) -> None:
    """Parse one line; on failure leave `entry` None and say why in `flaw`."""
    try:
        entry = orjson.loads(item.raw)
    except orjson.JSONDecodeError:
        item.flaw = "not a JSON entry"
        return
    if not isinstance(entry, dict) or any(k not in entry for k in REQUIRED):
        item.flaw = f"not an audit entry (needs {', '.join(REQUIRED)})"
        return
    if not isinstance(entry["seq"], int) or not isinstance(entry["prev"], str) or not isinstance(entry["hash"], str):
        item.flaw = "seq, prev or hash has the wrong type"
        return
    body = {k: v for k, v in entry.items() if k != "hash"}
    if digest(body) != entry["hash"]:
        item.flaw = "content does not match its hash"
        return
    if canonical(entry) != item.raw:
        item.flaw = "bytes differ from the canonical form"
        return
    item.entry = entry


def _read(paths: Sequence[Path]) -> list[_Item]:
    items: list[_Item] = []
    for index, path in enumerate(paths):
        data = path.read_bytes()
        lines = data.split(b"\n")
        complete_tail = data.endswith(b"\n") or not data
        if complete_tail:
            lines = lines[:-1]
        last_file = index == len(paths) - 1
        if not lines and not last_file:
            items.append(_Item(str(path), 1, b"", False, True, last_file, flaw="file is empty"))
        for number, raw in enumerate(lines, 1):
            final = number == len(lines)
            item = _Item(str(path), number, raw, complete=not final or complete_tail,
                         last_in_file=final, last_file=last_file)
            if not item.flaw:
                _examine(item)
            items.append(item)
    return items


def _problem(kind: str, item: _Item, detail: str) -> Problem:
    return Problem(kind, item.file, item.line, item.seq, detail)


def _broken_link(items: list[_Item], idx: int, last_hash: str, before_last: str | None,
                 expected: int) -> Problem:
    """Name what happened where the chain stops linking up (see the module docstring)."""
    item = items[idx]
    entry = item.entry
    assert entry is not None
    following = items[idx + 1].entry if idx + 1 < len(items) else None
    if following and following["prev"] == last_hash and following["seq"] == expected:
        if entry["prev"] == following["hash"]:
            return _problem("reordered", item, f"seq {entry['seq']} comes before seq {expected}")
        return _problem("inserted", item, "the chain continues after this entry as if it were not there")
    if before_last is not None and entry["prev"] == before_last:
        return _problem("inserted", items[idx - 1],
                        "the chain continues after this entry as if it were not there")
    for later in items[idx + 1:]:
        if later.entry and later.entry["prev"] == last_hash and later.entry["seq"] == expected:
            return _problem("reordered", item,
                            f"seq {expected} is expected here but appears later ({later.file}:{later.line})")
    boundary = idx > 0 and items[idx - 1].file != item.file
    if entry["seq"] > expected:
        hint = f" (is a file missing between {items[idx - 1].file} and {item.file}?)" if boundary else ""
        if idx == 0:
            hint = " (the chain's first file is missing; use --partial to start from a later file)"
        return _problem("removed", item, f"entries seq {expected}..{entry['seq'] - 1} are missing before it{hint}")
    if entry["seq"] == expected and idx > 0:
        return _problem("altered", items[idx - 1],
                        "changed and re-hashed: the next entry recorded a different hash for it")
    if entry["seq"] == expected:
        return _problem("altered", item, "prev does not start the chain")
    return _problem("reordered", item, f"seq {entry['seq']} appears where seq {expected} is expected")


def _check_checkpoint(item: _Item, keys: dict[str, Ed25519PublicKey]) -> Problem | None:
    entry = item.entry
    assert entry is not None
    if entry.get("hash_of_chain_so_far") != entry["prev"]:
        return _problem("altered", item, "checkpoint hash_of_chain_so_far differs from prev")
    key = keys.get(str(entry.get("key_id")))
    if key is None:
        return _problem("signature", item, f"signed with unknown key id {entry.get('key_id')!r}")
    signed = canonical({k: v for k, v in entry.items() if k not in ("hash", "sig")})
    if not isinstance(entry.get("sig"), str) or not signature_ok(key, signed, entry["sig"]):
        return _problem("signature", item, "checkpoint signature does not verify (chain rewritten or forged)")
    return None


def verify_files(paths: Sequence[Path], keys: Sequence[Ed25519PublicKey], *, partial: bool = False) -> Report:
    """Check files as one chain. `partial`: the first entry may continue an earlier, absent file."""
    report = Report(files=len(paths))
    by_id = {key_id(k): k for k in keys}
    items = _read(paths)
    last_hash, before_last, expected = GENESIS, None, 1
    for idx, item in enumerate(items):
        if item.entry is None:
            kind = "truncated" if (not item.complete or item.flaw == "file is empty") else "altered"
            detail = "the file ends in the middle of an entry" if not item.complete else item.flaw
            report.problem = _problem(kind, item, detail)
            return report
        if not item.complete:
            report.problem = _problem("truncated", item, "the file ends without the entry's newline")
            return report
        entry = item.entry
        if idx == 0 and partial:
            last_hash, expected = entry["prev"], entry["seq"]
        if entry["prev"] != last_hash or entry["seq"] != expected:
            report.problem = _broken_link(items, idx, last_hash, before_last, expected)
            return report
        if entry["event"] == CHECKPOINT:
            report.problem = _check_checkpoint(item, by_id)
            if report.problem:
                return report
            report.checkpoints += 1
            report.last_signed_seq = entry["seq"]
        if item.last_in_file and not item.last_file and not (
                entry["event"] == CHECKPOINT and entry.get("reason") == "rotate"):
            report.problem = _problem("truncated", item, "a rotated file must end with its closing checkpoint")
            return report
        before_last, last_hash, expected = last_hash, entry["hash"], expected + 1
        report.entries += 1
        report.hashes[entry["seq"]] = entry["hash"]
        report.first_seq = report.first_seq or entry["seq"]
        report.last = entry
    report.unsigned_tail = expected - 1 - report.last_signed_seq if items else 0
    return report


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Exit 0 when intact, 1 on the first problem found, 2 when files or keys cannot be read."""
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="chatguard audit verify", description=__doc__.split("\n")[0])
    parser.add_argument("--key", action="append", required=True, metavar="PEM",
                        help="Ed25519 public key (or the private key) that signed the checkpoints; repeatable")
    parser.add_argument("--partial", action="store_true",
                        help="the first file continues an older one that is no longer kept")
    parser.add_argument("--open", action="store_true", dest="open_trail",
                        help="the gateway is still writing this trail (it need not end with a shutdown checkpoint)")
    parser.add_argument("--anchor", type=Path, metavar="WITNESS",
                        help="the witness file of anchored checkpoints (audit.anchor)")
    parser.add_argument("--anchor-dsn", metavar="URL", help="the PostgreSQL copy (audit.postgres.dsn)")
    parser.add_argument("--anchor-table", default="chatguard_audit", help="its table (audit.postgres.table)")
    parser.add_argument("files", nargs="+", type=Path, help="audit files in chain order (oldest first)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        keys = [load_public_key(Path(name).read_bytes()) for name in args.key]
    except (OSError, ValueError) as exc:
        print(f"chatguard audit verify: cannot load key: {exc}", file=err)
        return EXIT_USAGE
    try:
        report = verify_files(args.files, keys, partial=args.partial)
    except OSError as exc:
        print(f"chatguard audit verify: cannot read {exc.filename}: {exc.strerror}", file=err)
        return EXIT_USAGE
    if report.problem is not None:
        print(f"FAILED {report.problem}", file=out)
        return EXIT_BROKEN
    try:
        found = _end_problem(report, args, keys)
    except (OSError, AnchorError, ImportError) as exc:
        print(f"chatguard audit verify: cannot check the anchor: {exc}", file=err)
        return EXIT_USAGE
    if found is not None:
        print(f"FAILED {args.files[-1]}: {found}", file=out)
        return EXIT_BROKEN
    tail = f"; {report.unsigned_tail} entries after the last signed checkpoint" if report.unsigned_tail else ""
    anchored = " (anchored)" if args.anchor or args.anchor_dsn else ""
    print(f"OK {report.entries} entries in {report.files} files, {report.checkpoints} signed checkpoints, "
          f"last at seq {report.last_signed_seq}{tail}{anchored}", file=out)
    return EXIT_OK


def _end_problem(report: Report, args: argparse.Namespace, keys: Sequence[Ed25519PublicKey]) -> str | None:
    """How the trail's end fails: no shutdown checkpoint (unless --open), or against an anchor."""
    last = report.last
    if last is None:
        return "truncated: the trail is empty"
    if args.anchor is not None:
        anchors = read_witness(args.anchor, {key_id(k): k for k in keys})
        problem = compare(anchors, report.hashes, int(last["seq"]), report.first_seq)
        if problem:
            return problem
    if args.anchor_dsn:
        following = database_successor(args.anchor_dsn, args.anchor_table, str(last["hash"]))
        if following is not None:
            return (f"truncated: the database copy holds seq {following} after the trail's last entry "
                    f"(seq {last['seq']}): entries were cut off its end")
    closed = last["event"] == CHECKPOINT and last.get("reason") == "shutdown"
    if not closed and not args.open_trail:
        return (f"truncated: the trail does not end with a shutdown checkpoint (last entry seq {last['seq']}, "
                f"{last['event']}): the gateway is still running (use --open), it stopped without closing "
                "the trail, or entries were cut off its end")
    return None
