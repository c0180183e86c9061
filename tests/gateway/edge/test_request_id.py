"""Request ids: passed on when well formed, replaced otherwise (they end up in logs)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.edge.request_id import new_request_id, request_id_from


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


@pytest.mark.parametrize(("given", "kept"), [
    ("abc-123", True), ("a" * 128, True), ("a" * 129, False), ("x\r\nSet-Cookie: a", False),
    ("{\"json\":1}", False), ("", False),
])
def test_request_id_passed_on_only_when_well_formed(given: str, kept: bool) -> None:
    result = request_id_from(headers(("X-Request-Id", given)))
    assert (result == given) is kept
    assert 1 <= len(result) <= 128


def test_new_ids_are_distinct_hex_across_batches() -> None:
    made = [new_request_id() for _ in range(1000)]  # several reads of the random source
    assert len(set(made)) == len(made)
    assert all(len(i) == 24 and int(i, 16) >= 0 for i in made)


_FORKED = """
import os
from gateway.edge.request_id import new_request_id
new_request_id()  # the parent holds a batch with unused ids
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(read)
    os.write(write, ",".join(new_request_id() for _ in range(10)).encode())
    os._exit(0)
os.close(write)
with os.fdopen(read) as pipe:
    child = pipe.read().split(",")
os.waitpid(pid, 0)
parent = [new_request_id() for _ in range(10)]
assert len(child) == 10 and not set(child) & set(parent), (child, parent)
"""


def test_forked_child_does_not_reuse_the_parents_ids() -> None:
    # In a process of its own: forking this multi-threaded test runner could deadlock the child.
    subprocess.run([sys.executable, "-c", _FORKED], check=True, timeout=120)
