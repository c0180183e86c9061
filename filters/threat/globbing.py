"""Pathname expansion, read as a shell reads a pattern: which well-known file a word with `?`, `*` or `[...]` names.

A shell expands a word holding `?`, `*` or a bracket expression against the file system before it runs a
command (POSIX Shell Command Language, 2.13 "Pattern Matching Notation"), so `/???/c?t /e??/p?ss??` runs
`/bin/cat /etc/passwd` and `/b[i]n/[[:lower:]]h` runs `/bin/sh`: a value that spells a program or a file that
way hides the name from a reader of the text. Here a pattern is matched against a tree of paths the caller
knows (programs under the FHS directories, files an injection reads), one component at a time, as the shell
matches it: `?` is one character, `*` any run, a bracket expression one character of its set (`!` or `^`
negates it, `[:class:]` names a POSIX class), a leading `.` only matched by a `.`, and repeated slashes one.

Linear: a text's patterns are found by one scan, at most `MAX_PATTERNS` of them read, each of at most
`MAX_WORD` characters; a component matches the tree's names with Python's engine on a pattern of bounded size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

MAX_WORD = 160
MAX_PATTERNS = 16
# A word that starts a path (a slash after a mark, a blank, a quote or the start) and holds a wildcard.
HINT = (r"(?:^|[^a-z0-9._:/\]\-])/[a-z0-9._/+!:^\-]*[?*\[]"
        r"|(?:^|[;|&\n\x60({!])[ \t]*['\"]?/(?:usr/(?:local/)?)?s?bin/")  # or a program's path in a command's place
_WORD = re.compile(r"(?<![a-z0-9._:/\]\-])/[a-z0-9._?*!:^+\[\]/-]{1," + str(MAX_WORD) + "}")
# Where a shell looks programs up (the FHS's folders of commands), and files an injection reads or leaks:
# accounts and their hashes, the process's own environment and command line, keys and shell history (also of
# any user under /home), a container's service-account token and the Docker socket, logs of logins.
PROGRAM_DIRS = ("/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")
_KEYS = (".ssh/id_rsa", ".ssh/id_dsa", ".ssh/id_ecdsa", ".ssh/id_ed25519", ".ssh/authorized_keys", ".bash_history",
         ".aws/credentials", ".docker/config.json", ".git-credentials", ".netrc", ".kube/config")
SENSITIVE_FILES = (
    *(f"/etc/{name}" for name in ("passwd", "shadow", "group", "gshadow", "sudoers", "master.passwd", "issue",
                                   "hostname", "hosts", "crontab", "ssh/sshd_config", "ssh/ssh_host_rsa_key",
                                   "ssh/ssh_host_ed25519_key", "kubernetes/admin.conf", "security/opasswd")),
    *(f"/proc/{who}/{name}" for who in ("self", "1") for name in ("environ", "cmdline", "maps", "status", "mounts")),
    "/proc/version", "/proc/net/tcp",
    *(f"/root/{key}" for key in _KEYS), *(f"/home/*/{key}" for key in _KEYS),
    *(f"{run}/secrets/kubernetes.io/serviceaccount/{name}" for run in ("/var/run", "/run")
      for name in ("token", "ca.crt", "namespace")),
    "/var/run/docker.sock", "/run/docker.sock", "/var/log/auth.log", "/var/log/secure",
    "/var/www/html/wp-config.php", "/var/www/html/.env", "/var/www/.env",
)
MAX_TRIED = 4096  # names compared per pattern: a tree walked by `/*/*/*` stops there
_CLASSES = {"alpha": "a-zA-Z", "lower": "a-z", "upper": "A-Z", "digit": "0-9", "alnum": "a-zA-Z0-9",
            "xdigit": "0-9a-fA-F", "space": r"\s", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "word": r"\w",
            "print": r" -~", "graph": r"!-~"}


def _bracket(spelt: str, at: int) -> tuple[str, int] | None:
    """The bracket expression opening at `spelt[at]` as a class of Python's engine and the index after it;
    None when it is not closed (a lone `[` is then an ordinary character)."""
    index = at + 1
    negated = index < len(spelt) and spelt[index] in "!^"
    index += negated
    body: list[str] = []
    first = True
    while index < len(spelt):
        char = spelt[index]
        if char == "]" and not first:
            return ("[^" if negated else "[") + "".join(body) + "]", index + 1
        if char == "[" and spelt.startswith("[:", index):
            close = spelt.find(":]", index + 2)
            name = spelt[index + 2:close] if close > 0 else ""
            if name not in _CLASSES:
                return None
            body.append(_CLASSES[name])
            index = close + 2
        elif char == "-" and body and index + 1 < len(spelt) and spelt[index + 1] != "]":
            body.append("-")
            index += 1
        else:
            body.append(re.escape(char))
            index += 1
        first = False
    return None


@lru_cache(maxsize=512)
def component(spelt: str) -> re.Pattern[str] | None:
    """One path component of a pattern as an anchored regex; None when it holds no wildcard (compare it)."""
    if not any(mark in spelt for mark in "?*["):
        return None
    out: list[str] = []
    index = 0
    while index < len(spelt):
        char = spelt[index]
        if char == "?":
            out.append(".")
        elif char == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif char == "[" and (found := _bracket(spelt, index)) is not None:
            out.append(found[0])
            index = found[1]
            continue
        else:
            out.append(re.escape(char))
        index += 1
    if spelt[0] in "?*[":  # a leading dot is matched only by a dot (2.13.3)
        out.insert(0, r"(?!\.)")
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


ANY = "*"  # a tree node standing for any one name (a user's home folder)


class Tree:
    """Paths the caller knows, as nested folders: `/usr/bin/id` is `{"usr": {"bin": {"id": {}}}}`."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.root: dict[str, dict] = {}  # type: ignore[type-arg]
        for path in paths:
            node = self.root
            for part in path.strip("/").split("/"):
                node = node.setdefault(part, {})

    def first(self, pattern: str) -> str | None:
        """The first known path (a leaf) that the absolute `pattern` names, in the shell's sorted order; None
        when it names none (or `MAX_TRIED` names were compared first)."""
        parts = [part for part in pattern.split("/") if part]
        if not parts or not pattern.startswith("/"):
            return None
        return next(self._walk(self.root, parts, 0, "", [MAX_TRIED]), None)

    def _walk(self, node: dict, parts: list[str], depth: int, path: str,  # type: ignore[type-arg]
              budget: list[int]) -> Iterator[str]:
        if depth == len(parts):
            if not node:
                yield path
            return
        spelt = parts[depth]
        compiled = component(spelt)
        if compiled is None and spelt in node:  # a plain name: one look-up
            yield from self._walk(node[spelt], parts, depth + 1, f"{path}/{spelt}", budget)
            if ANY not in node:
                return
        for name in sorted(node):
            budget[0] -= 1
            if budget[0] < 0:
                return
            child = node[name]
            if name == ANY:
                fits = spelt[:1] != "."
            elif compiled is None:
                fits = False  # looked up above
            else:
                fits = compiled.fullmatch(name) is not None
            if fits:
                yield from self._walk(child, parts, depth + 1, f"{path}/{spelt if name == ANY else name}", budget)


def hides(pattern: str) -> bool:
    """Whether `pattern` spells with wildcards what needs none: a folder of the path, or the last part with `?`
    or a bracket expression. `ls /etc/*.conf` and `/usr/bin/py*` list what matches; `/e?c/p*d` hides."""
    parts = [part for part in pattern.split("/") if part]
    if any(mark in part for part in parts[:-1] for mark in "?*["):
        return True
    return bool(parts) and ("?" in parts[-1] or "[" in parts[-1])


def wild(word: str) -> bool:
    """Whether `word` holds a wildcard (`?`, `*` or a bracket's opening)."""
    return "?" in word or "*" in word or "[" in word


_PROGRAM_FOLDERS = tuple(folder + "/" for folder in PROGRAM_DIRS)


def patterns(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of each absolute path word of (lower-cased) `text` holding a wildcard or under a
    folder of programs (`PROGRAM_DIRS`), at most `MAX_PATTERNS` of each."""
    read = [0, 0]
    for found in _WORD.finditer(text):
        word = found.group()
        kind = 0 if wild(word) else 1 if word.startswith(_PROGRAM_FOLDERS) else -1
        if kind >= 0 and read[kind] < MAX_PATTERNS:
            read[kind] += 1
            yield found.start(), found.end(), word
            if read[0] >= MAX_PATTERNS and read[1] >= MAX_PATTERNS:
                return
