"""Tampering with a written chain is found, at the right place, with a non-zero exit."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.audit.entry import canonical, seal
from gateway.audit.signing import key_id, load_public_key, sign
from gateway.audit.verify import EXIT_BROKEN, EXIT_OK, EXIT_USAGE, main, verify_files
from tests.gateway.audit.conftest import public_pem

Lines = list[bytes]


def read_lines(path: Path) -> Lines:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: Lines, *, newline: bool = True) -> None:
    path.write_bytes(b"\n".join(lines) + (b"\n" if newline else b""))


def rehash(line: bytes, **changes: Any) -> bytes:
    """What a careful forger does: change fields and recompute the entry's own hash."""
    entry = orjson.loads(line)
    entry.pop("hash")
    entry.update(changes)
    return seal(entry)[1].rstrip(b"\n")


def hash_of(line: bytes) -> str:
    return str(orjson.loads(line)["hash"])


def rewrite_from(lines: Lines, start: int, key: Ed25519PrivateKey | None = None) -> Lines:
    """Edit entry `start` and re-link everything after it; checkpoints are re-signed with `key` if given."""
    out = lines[:start]
    prev = hash_of(out[-1])
    for index, line in enumerate(lines[start:]):
        entry = orjson.loads(line)
        entry.pop("hash")
        entry["prev"] = prev
        if index == 0:
            entry["subject"] = "someone-else"
        if entry["event"] == "checkpoint":
            entry["hash_of_chain_so_far"] = prev
            if key is not None:
                entry["key_id"] = key_id(key.public_key())
                unsigned = {k: v for k, v in entry.items() if k != "sig"}
                entry["sig"] = sign(key, canonical(unsigned))
        prev, sealed = seal(entry)
        out.append(sealed.rstrip(b"\n"))
    return out


# 12 events with a checkpoint every 5: line n holds seq n; lines 6 and 12 are checkpoints,
# line 15 the shutdown checkpoint.
def _edit(lines: Lines) -> Lines:
    lines[2] = lines[2].replace(b"user2", b"user9")
    return lines


def _edit_rehashed(lines: Lines) -> Lines:
    lines[2] = rehash(lines[2], subject="user9")
    return lines


def _reformat(lines: Lines) -> Lines:
    lines[1] = orjson.dumps(orjson.loads(lines[1]), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).replace(b"\n", b"")
    return lines


def _delete(lines: Lines) -> Lines:
    del lines[3]
    return lines


def _delete_first(lines: Lines) -> Lines:
    del lines[0]
    return lines


def _insert_forged(lines: Lines) -> Lines:
    forged = rehash(lines[6], subject="intruder", prev=hash_of(lines[6]), seq=8)
    lines.insert(7, forged)
    return lines


def _insert_careless(lines: Lines) -> Lines:
    lines.insert(7, rehash(lines[6], subject="intruder"))
    return lines


def _duplicate(lines: Lines) -> Lines:
    lines.insert(9, lines[8])
    return lines


def _reorder(lines: Lines) -> Lines:
    lines[7], lines[8] = lines[8], lines[7]
    return lines


def _forge_signature(lines: Lines) -> Lines:
    entry = orjson.loads(lines[5])
    sig = entry["sig"]
    lines[5] = rehash(lines[5], sig=("A" if sig[0] != "A" else "B") + sig[1:])
    return lines


def _rewrite_chain(lines: Lines) -> Lines:
    return rewrite_from(lines, 2)


def _rewrite_with_other_key(lines: Lines) -> Lines:
    return rewrite_from(lines, 2, Ed25519PrivateKey.generate())


def _garbage_line(lines: Lines) -> Lines:
    lines[4] = b"{not json"
    return lines


TAMPERING = [
    pytest.param(_edit, "altered", 3, id="edit-field"),
    pytest.param(_edit_rehashed, "altered", 3, id="edit-field-and-rehash"),
    pytest.param(_reformat, "altered", 2, id="reformat-bytes"),
    pytest.param(_garbage_line, "altered", 5, id="garbage-line"),
    pytest.param(_delete, "removed", 4, id="delete-entry"),
    pytest.param(_delete_first, "removed", 1, id="delete-first-entry"),
    pytest.param(_insert_forged, "inserted", 8, id="insert-forged-linked"),
    pytest.param(_insert_careless, "inserted", 8, id="insert-forged-unlinked"),
    pytest.param(_duplicate, "inserted", 10, id="duplicate-entry"),
    pytest.param(_reorder, "reordered", 8, id="swap-two-entries"),
    pytest.param(_forge_signature, "signature", 6, id="forge-checkpoint-signature"),
    pytest.param(_rewrite_chain, "signature", 6, id="rewrite-chain-without-key"),
    pytest.param(_rewrite_with_other_key, "signature", 6, id="rewrite-chain-with-another-key"),
]


@pytest.mark.parametrize(("tamper", "kind", "line"), TAMPERING)
def test_tampering_is_reported_at_its_line(build_chain: Callable[..., list[Path]], signing_key: Ed25519PrivateKey,
                                           tmp_path: Path, tamper: Callable[[Lines], Lines], kind: str,
                                           line: int) -> None:
    [path] = build_chain()
    write_lines(path, tamper(read_lines(path)))
    report = verify_files([path], [signing_key.public_key()])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.file, report.problem.line) == (kind, str(path), line)
    public = tmp_path / "pub.pem"
    public.write_bytes(public_pem(signing_key))
    out = io.StringIO()
    assert main(["--key", str(public), str(path)], out=out) == EXIT_BROKEN
    assert out.getvalue().startswith(f"FAILED {path}:{line}")


def test_intact_chain_passes(build_chain: Callable[..., list[Path]], key_files: tuple[Path, Path]) -> None:
    [path] = build_chain()
    out = io.StringIO()
    assert main(["--key", str(key_files[1]), str(path)], out=out) == EXIT_OK
    assert out.getvalue().strip() == "OK 15 entries in 1 files, 3 signed checkpoints, last at seq 15"


def test_private_key_file_is_accepted_for_verification(build_chain: Callable[..., list[Path]],
                                                       key_files: tuple[Path, Path]) -> None:
    [path] = build_chain()
    assert main(["--key", str(key_files[0]), str(path)], out=io.StringIO()) == EXIT_OK


@pytest.mark.parametrize("cut", [1, 40], ids=["one-byte", "half-entry"])
def test_truncated_tail(build_chain: Callable[..., list[Path]], signing_key: Ed25519PrivateKey, cut: int) -> None:
    [path] = build_chain()
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    report = verify_files([path], [signing_key.public_key()])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.line) == ("truncated", 15)


def test_unsigned_tail_is_counted(build_chain: Callable[..., list[Path]], signing_key: Ed25519PrivateKey) -> None:
    """Whole lines cut off the active file leave a shorter valid chain: the summary says what is unsigned."""
    [path] = build_chain()
    write_lines(path, read_lines(path)[:-1])
    report = verify_files([path], [signing_key.public_key()])
    assert report.ok
    assert (report.last_signed_seq, report.unsigned_tail) == (12, 2)


def test_wrong_key_fails(build_chain: Callable[..., list[Path]], tmp_path: Path) -> None:
    [path] = build_chain()
    other = tmp_path / "other.pub"
    other.write_bytes(public_pem(Ed25519PrivateKey.generate()))
    out = io.StringIO()
    assert main(["--key", str(other), str(path)], out=out) == EXIT_BROKEN
    assert "signature: signed with unknown key id" in out.getvalue()


# rotated sets -----------------------------------------------------------------------------------

@pytest.fixture
def rotated(build_chain: Callable[..., list[Path]]) -> list[Path]:
    files = build_chain(count=80, rotate_size=4096, checkpoint_every=1000)
    assert len(files) >= 4
    return files


def test_rotated_set_verifies_as_one_chain(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    report = verify_files(rotated, [signing_key.public_key()])
    assert report.ok, report.problem
    assert report.entries == sum(len(read_lines(p)) for p in rotated)


def test_missing_middle_file(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    report = verify_files(rotated[:1] + rotated[2:], [signing_key.public_key()])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.file, report.problem.line) == ("removed", str(rotated[2]), 1)
    assert "file missing" in report.problem.detail


def test_files_out_of_order(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    swapped = [rotated[0], rotated[2], rotated[1], *rotated[3:]]
    report = verify_files(swapped, [signing_key.public_key()])
    assert report.problem is not None
    assert report.problem.file == str(rotated[2])


def test_rotated_file_cut_at_a_line_boundary(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    lines = read_lines(rotated[1])
    write_lines(rotated[1], lines[:-1])
    report = verify_files(rotated, [signing_key.public_key()])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.file, report.problem.line) == ("truncated", str(rotated[1]),
                                                                              len(lines) - 1)


def test_emptied_rotated_file(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    rotated[1].write_bytes(b"")
    report = verify_files(rotated, [signing_key.public_key()])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.file) == ("truncated", str(rotated[1]))


def test_partial_starts_from_a_later_file(rotated: list[Path], signing_key: Ed25519PrivateKey) -> None:
    assert not verify_files(rotated[2:], [signing_key.public_key()]).ok
    assert verify_files(rotated[2:], [signing_key.public_key()], partial=True).ok


# the command line -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [[], ["file.jsonl"], ["--key", "/nonexistent.pem", "file.jsonl"]],
                         ids=["nothing", "no-key", "unreadable-key"])
def test_usage_errors(argv: list[str]) -> None:
    assert main(argv, out=io.StringIO(), err=io.StringIO()) == EXIT_USAGE


def test_missing_audit_file(key_files: tuple[Path, Path], tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["--key", str(key_files[1]), str(tmp_path / "gone.jsonl")], out=io.StringIO(), err=err) == EXIT_USAGE
    assert "cannot read" in err.getvalue()


def test_non_ed25519_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="Ed25519"):
        load_public_key(pem)
