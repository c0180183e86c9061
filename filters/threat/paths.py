"""Absolute paths given as a value, read as the file system reads them: does the value name a sensitive file?

A value that is a path to a file the server must never hand out (`/etc/shadow`, `/proc/self/environ`, a
service account's token, `C:\\Windows\\System32\\config\\SAM`) is a request for it, however it is spelt: the
file system takes repeated slashes as one and `.` segments as nothing (POSIX, XBD 4.13 "Pathname
Resolution"), Windows takes `\\` as `/`, a drive letter, an administrative share (`\\\\127.0.0.1\\c$\\...`) or a
device prefix (`\\\\?\\C:\\`, `\\\\.\\C:\\`) before the path, and a `file:` URI names a local path after its
(empty or `localhost`) host. Here such a value is normalised the same way and looked up in a tree of
sensitive files (`globbing.SENSITIVE_FILES` and Windows' own). Only a *value* counts: the whole message or
what follows `=`, a quote, a bracket or a JSON key's colon, up to the end, a quote, `&`, `#` or a bracket; a
path mentioned in a sentence ("what permissions should /etc/shadow have?") is talk about it.

Linear: one scan finds the candidates (at most `MAX_PATHS` read), each at most `MAX_PATH` characters.
"""

from __future__ import annotations

import re

from filters.threat import globbing

MAX_PATHS = 16
MAX_PATH = 240
VALUE = 0.85  # a sensitive file by absolute path, given as a value
# In a pasted program (`open("/etc/passwd")`) the path is what the program reads: the reading adds nothing there.

_WINDOWS_FILES = (
    *(f"/windows/system32/config/{hive}" for hive in ("sam", "system", "security", "software")),
    "/windows/repair/sam", "/windows/repair/system", "/windows/panther/unattend.xml", "/windows/panther/unattended.xml",
    "/windows/system32/sysprep/unattend.xml", "/windows/win.ini", "/windows/system.ini", "/boot.ini",
    "/inetpub/wwwroot/web.config", "/unattend.xml",
)
_TREE = globbing.Tree((*globbing.SENSITIVE_FILES, *_WINDOWS_FILES, "/var/lib/kubelet/kubeconfig",
                       "/etc/kubernetes/kubelet.conf", "/etc/rancher/k3s/k3s.yaml"))
# What may stand before a value (the start, `=`, a quote, a bracket, a JSON key's colon) and the path itself.
_CANDIDATE = re.compile(r"(?:^|(?<=[=\"'(\[,>])|(?<=[\"']:))[ \t]*((?:file:|[a-z]:)?[\\/](?:[\\/]{1,3}[?.][\\/]{1,2})?"
                        r"[^\s\"'&#<>|?*)\]}]{1," + str(MAX_PATH) + "})")
HINT = r"(?:^|[=\"'(\[,>])[ \t]*(?:file:|[a-z]:)?[\\/]"
_END = frozenset("\"'&#)]},?%")  # what may follow a value (`%` opens `%00`, `%20`)
_UNC = re.compile(r"^//(?:[?.]/)?(?:[a-z]:|(?:localhost|127\.0\.0\.1|\[::1\]|[a-z0-9.-]{1,63})/[a-z]\$)(?=/|$)")
_SLASHES = re.compile(r"/{2,}")
_DRIVE = re.compile(r"^/?[a-z]:(?=/|$)")


def normalised(path: str) -> str:
    """`path` (lower-cased) as the file system resolves it: `\\` as `/`, a `file:` URI's local host, a UNC
    administrative share, a device prefix or a drive dropped, repeated slashes as one, `.` segments and a
    trailing dot or blank dropped, `..` taken back one folder."""
    path = path.replace("\\", "/")
    if path.startswith("file:"):
        path = path[5:]
        if path.startswith("//localhost/"):
            path = path[11:]
        elif path.startswith("///"):
            path = path[2:]
    # A run of slashes is one (`//etc//passwd`, or a JSON string's `\\\\` read as written), but two open a UNC path.
    lead = len(path) - len(path.lstrip("/"))
    path = ("//" if lead >= 2 else "/" * lead) + _SLASHES.sub("/", path[lead:])
    unc = _UNC.match(path)
    if unc is not None:
        path = path[unc.end():]
    else:
        drive = _DRIVE.match(path)
        if drive is not None:
            path = path[drive.end():]
    for tail in ("::$data", "%20", "%00"):
        at = path.find(tail)
        if at >= 0:
            path = path[:at]
    parts: list[str] = []
    for part in path.split("/"):
        part = part.rstrip(". ") if part not in (".", "..") else part
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def sensitive(text: str) -> list[tuple[int, int]]:
    """Spans of the values in (lower-cased) `text` that name a sensitive file by absolute path."""
    found: list[tuple[int, int]] = []
    for read, match in enumerate(_CANDIDATE.finditer(text)):
        if read >= MAX_PATHS:
            break
        start, end = match.span(1)
        if end < len(text) and text[end] not in _END and text[end:].strip():
            continue  # a sentence goes on after it: a path mentioned, not given
        if _TREE.first(normalised(text[start:end])) is not None:
            found.append((start, end))
    return found
