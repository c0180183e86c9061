"""E-mail addresses, international ones included (RFC 6531 local parts, IDN domains).

"jörg.müller@gmx.de" is masked whole, "用户@例子.广告" and "info@xn--mller-kva.de"
too. Things shaped like addresses that are not mailboxes stay: SSH and git remotes
(`git@github.com:org/repo.git`, `ssh deploy@host.example.com`), a link's user and host
(`https://jsmith@bitbucket.org/...`, `https://paypal.com@evil.example/`), image names such as
`icon@2x.png`, package specs (`pkg@1.2.3`), handles without a domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from filters._patterns import each_spans, found, text_pattern
from filters.masking._model import Detection
from filters.masking._quota import charge

_LOCAL = r"[\pL\pN\pM._%+\-]"
_LABEL = r"[\pL\pN\pM][\pL\pN\pM\-]*"
_DOT = r"[.\x{3002}\x{FF61}]"
# One RE2 pass, linear whatever the text. Unbounded repetitions keep the automaton small
# (a counted one multiplies its states); lengths are checked on each match instead.
_EMAIL = text_pattern(_LOCAL + r"+@" + _LABEL + r"(?:" + _DOT + _LABEL + r")+")
_MAX_LOCAL = 64
_USER_BEFORE = re.compile(r"://[^\s/@:]{0,64}:\Z")
_MAX_LABELS = 9
_COMMAND = text_pattern(r"(?:\bssh|\bscp|\bsftp|\brsync|\bclone|\bgit|\bpush|\bpull|\bremote(?: add \S+)?)"
                        r"(?:\s+-\S+(?:\s+\S+)?)*\s+$")
# Asset and source file extensions that are not top-level domains ("logo@2x.png"); extensions that
# are country codes too (.pl, .sh, .py, .rs, .md) stay addresses.
_FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp bmp ico tif tiff js mjs cjs ts tsx jsx css scss less map json yaml yml toml lock "
    "txt rst rb java kt swift cpp hpp php html htm xml csv log ini cfg conf".split())


def _letters(tld: str) -> bool:
    """A top-level domain of letters: in the Indic and Sinhala scripts its letters carry vowel signs and
    viramas, combining marks IDNA allows in a label but not first (RFC 5891, 4.2.3.2): "भारत", "ලංකා"."""
    if tld.isalpha():
        return True
    return tld[0].isalpha() and all(c.isalpha() or unicodedata.category(c) in ("Mn", "Mc") for c in tld)


class EmailDetector:
    type = "email"

    def detect(self, text: str) -> Iterator[Detection]:
        for (start, end), *_ in each_spans(_EMAIL, text):
            charge(start)
            local, _, domain = text[start:end].partition("@")
            if len(local) > _MAX_LOCAL:
                continue  # no mailbox has a longer local part: a word glued to something
            labels = domain.split(".")
            if len(labels) > _MAX_LABELS or max(map(len, labels)) > 63:
                continue
            stripped = local.lstrip(".")
            start += len(local) - len(stripped)
            domain = domain.rstrip(".-\u3002\uff61")
            end = start + len(stripped) + 1 + len(domain)
            dotted = domain.replace("\u3002", ".").replace("\uff61", ".")
            labels = dotted.split(".")
            tld = labels[-1]
            if not stripped or len(labels) < 2 or len(tld) < 2:
                continue
            if not (_letters(tld) or (tld.startswith("xn--") and tld[4:].isalnum())):
                continue
            # An empty label, or one ending in "-" (found in C, not by a generator per address).
            if tld.lower() in _FILE_EXTENSIONS or "" in labels or "-." in dotted + ".":
                continue
            if end < len(text) and text[end] == ":" and end + 1 < len(text) and not text[end + 1].isspace():
                continue  # user@host:path, an SSH or git remote
            if start > 0 and text[start - 1] == " " and found(_COMMAND, text[max(0, start - 40):start]):
                continue  # ssh deploy@host, git clone git@host...
            if text.startswith("://", start - 3) and text.startswith(("/", "?", "#"), end):
                continue  # https://user@host/path: a link's user and host, which the threat filter reads
            if start and text[start - 1] == ":" and _USER_BEFORE.search(text, max(0, start - 80), start):
                continue  # scheme://user:password@host: a password (the secret detector's), then the host
            yield Detection("email", start, end, "email", 0.99, f"{stripped}@{domain}".lower())
