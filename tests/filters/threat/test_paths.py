"""Absolute paths given as values, resolved as the file system resolves them: a sensitive file asked for."""

from __future__ import annotations

import pytest

from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.paths import normalised, sensitive


@pytest.mark.parametrize(("path", "read"), [
    ("//etc//./shadow", "/etc/shadow"), ("\\\\127.0.0.1\\c$\\windows\\win.ini", "/windows/win.ini"),
    ("\\\\?\\c:\\windows\\system32\\config\\sam", "/windows/system32/config/sam"), ("c:/boot.ini", "/boot.ini"),
    ("file:///etc/passwd", "/etc/passwd"), ("file://localhost/etc/passwd", "/etc/passwd"),
    ("/etc/passwd/.", "/etc/passwd"), ("/var/www/../../etc/shadow%00.jpg", "/etc/shadow"),
    ("c:\\\\windows\\\\panther\\\\unattend.xml", "/windows/panther/unattend.xml"), ("/etc/shadow::$data", "/etc/shadow"),
])
def test_paths_resolve_as_the_file_system_resolves_them(path: str, read: str) -> None:
    assert normalised(path) == read


@pytest.mark.parametrize("text", [
    "/var/run/secrets/kubernetes.io/serviceaccount/token", "file=/proc/1/environ", '{"path": "/root/.ssh/id_rsa"}',
    "?page=C:\\Windows\\System32\\config\\SAM", "\\\\.\\C:\\Windows\\Panther\\Unattend.xml", "download?name=//etc//shadow",
    "template=/var/run/docker.sock", "/ETC/SHADOW", "download?name=\\\\\\\\?\\\\C:\\\\Windows\\\\win.ini",
])
def test_sensitive_files_given_as_values_are_found(text: str) -> None:
    assert sensitive(text.lower()), text


@pytest.mark.parametrize("text", [
    "what permissions should /etc/shadow have, 640?", "where is /etc/nginx/nginx.conf on ubuntu?",
    "/etc/shadow is readable by root only", "see https://example.org/etc/passwd for the format",
    "file=/var/log/myapp/app.log", "i edited c:\\windows\\system32\\drivers\\etc\\hosts yesterday",
])
def test_mentions_and_ordinary_files_are_not_values_asked_for(text: str) -> None:
    assert not sensitive(text), text


_THREAT = ThreatFilter(ThreatOptions(sink="bot"))


@pytest.mark.parametrize("text", ["/var/run/secrets/kubernetes.io/serviceaccount/token", "%u003Fpage%u003D%u002Fvar%u002Frun%u002Fdocker%u002Esock"])
def test_sensitive_values_block_plain_and_decoded(text: str) -> None:
    assert _THREAT.decide(text).action.name == "BLOCK", text


def test_a_pasted_program_that_reads_a_sensitive_file_is_not_blocked() -> None:
    assert _THREAT.decide("```python\nwith open('/etc/passwd') as f:\n    print(f.read())\n```").action.name != "BLOCK"
