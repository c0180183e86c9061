"""Noticing that a file changed without reading it, for files re-read while serving.

A stat is cheap enough to poll; reading and parsing the file is not, so both the listener's
certificates (`gateway.tls.server`) and the threat filter's feeds compare identities first.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["FileIdentity", "identity"]

type FileIdentity = tuple[Any, ...]


def identity(name: str) -> FileIdentity:
    """What changes when a file is rewritten, replaced by a rename or re-pointed (Kubernetes `..data`
    swaps): its resolved path, device, inode, size, modification and change times; or the error."""
    try:
        st = os.stat(name)
    except OSError as exc:
        return (name, "error", exc.errno)
    return (os.path.realpath(name), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
