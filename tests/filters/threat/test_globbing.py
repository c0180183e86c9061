"""Pathname expansion read as a shell reads a pattern: a program or a sensitive file hidden behind wildcards."""

from __future__ import annotations

import pytest

from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.globbing import SENSITIVE_FILES, Tree, component, hides, patterns

_PROGRAMS = Tree(f"{folder}/{name}" for folder in ("/bin", "/usr/bin") for name in ("cat", "id", "sh", "whoami"))
_FILES = Tree(SENSITIVE_FILES)


@pytest.mark.parametrize(("pattern", "path"), [
    ("/???/c?t", "/bin/cat"), ("/b[i]n/[[:lower:]]h", "/bin/sh"), ("/usr/bin/who*", "/usr/bin/whoami"),
    ("/b[!x]n/c[a-c]t", "/bin/cat"), ("/???/??", "/bin/id"), ("//bin//c?t", "/bin/cat"),
])
def test_patterns_name_programs_as_the_shell_expands_them(pattern: str, path: str) -> None:
    assert _PROGRAMS.first(pattern) == path


@pytest.mark.parametrize(("pattern", "path"), [
    ("/e??/p?ss??", "/etc/passwd"), ("/e*c/sh*dow", "/etc/shadow"), ("/pr*/sel*/en*", "/proc/self/environ"),
    ("/r*/.*/i*", "/root/.ssh/id_dsa"), ("/h*/*/.s*/id_r?a", "/home/*/.ssh/id_rsa"),
])
def test_patterns_name_sensitive_files(pattern: str, path: str) -> None:
    assert _FILES.first(pattern) == path


@pytest.mark.parametrize("pattern", ["/???/", "/usr/bin/py*", "/r*/*/i*", "/etc/[", "/e??/nothing?", "/*/*/*/*/*/*/*/*"])
def test_patterns_that_name_no_known_leaf_name_nothing(pattern: str) -> None:
    """A folder is no leaf; `*` does not match a leading dot; an unclosed bracket is a plain `[`."""
    assert _PROGRAMS.first(pattern) is None
    assert _FILES.first(pattern) is None


def test_bracket_classes_and_negation_read_as_posix_says() -> None:
    assert component("[[:digit:]]x").fullmatch("7x")  # type: ignore[union-attr]
    assert not component("[!c]at").fullmatch("cat")  # type: ignore[union-attr]
    assert component("*").fullmatch(".ssh") is None  # type: ignore[union-attr]
    assert component("plain") is None


@pytest.mark.parametrize(("pattern", "hidden"), [
    ("/e?c/passwd", True), ("/etc/pa??wd", True), ("/etc/pass[w]d", True), ("/etc/*.conf", False),
    ("/usr/bin/py*", False), ("/etc/*", False),
])
def test_a_wildcard_hides_a_name_where_none_was_needed(pattern: str, hidden: bool) -> None:
    assert hides(pattern) is hidden


def test_patterns_are_words_that_start_a_path() -> None:
    assert [word for _, _, word in patterns("see https://x.example/a?b=1 and 1/2? or /b?n/id")] == ["/b?n/id"]


_THREAT = ThreatFilter(ThreatOptions(sink="bot"))


@pytest.mark.parametrize("text", [
    "127.0.0.1; /???/c?t /e??/p?ss??", "/b??/?s -al /r??t", "x$(/us?/b??/who?m?)", "x;/usr/bin/whoami",
    "x || strings /pr*/sel*/en*", "{/???/c?t,/e??/p?sswd}", "x\n/b[i]n/s[h] -i",
])
def test_hidden_programs_and_files_block(text: str) -> None:
    assert _THREAT.decide(text).action.name == "BLOCK", text


@pytest.mark.parametrize("text", [
    "how do I delete every *.pyc file except the newest one?", "ls /usr/bin/py* shows three pythons",
    "what does ? mean in a shell glob like file?.txt", "rm -rf build/* leaves hidden files",
    "what does /???/ match?", "is /usr/bin/python3 a link?",
])
def test_globs_in_talk_and_listings_pass(text: str) -> None:
    verdict = _THREAT.decide(text)
    assert verdict.action.name == "PASS" and not verdict.hints.alert, text
