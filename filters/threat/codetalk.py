"""Code talked about: a page's script include or a command reading a system file, inside a sentence.

People ask about the code they work on and share what they ran: "Why does <script src="/static/app.js">
</script> load twice?", "cat /etc/passwd | cut -d: -f1 shows system accounts too". The rules read a script tag
and a system file's path as a payload wherever they stand. A message that is prose around such code is worth
an alert, not a block, when the code itself is the ordinary form: a script loaded from a quoted path or an
https address with nothing run inline, a file read by a command named before it with no climbing out of a
folder and no encoding. A script's address is resolved by the browser against the page, which cannot climb
above the site's root: `../../js/x.js` in one is a folder of the site, not a way out of it. A payload shaped otherwise (inline code, a protocol-relative or data address, `../`,
`%2e`, a value after `=`), or a message with little prose, stays as the rules weigh it.
"""

from __future__ import annotations

import re

ASKED = 0.6  # the score of a category whose every hit is code talked about: an alert
_PROSE = re.compile(r"(?<![\w'\"`/.<=:-])[^\W\d_]{2,}(?![\w'\"`/.>=:-])")
_PROSE_WORDS = 5  # words of prose outside the code that make a sentence of the message

# A page's own script include: `<script src="/js/app.js"></script>`, the address quoted, a path of the site
# (from its root, the page's folder or one above it) or an https one, attributes that only say how to load it, and nothing inside.
_INCLUDE = re.compile(r"<script(?:\s+(?:type=[\"'](?:module|text/javascript)[\"']|defer|async|crossorigin(?:=[\"'][\w-]*[\"'])?|"
                      r"integrity=[\"'][\w+/=-]*[\"']|charset=[\"'][\w-]*[\"']))*\s+src=([\"'])(?:/(?!/)|https://|\.{1,2}/|(?![a-z][\w+.-]*:)(?=[\w~%+-]))"
                      r"[\w./~%+-]{1,200}\.m?js(?:\?[\w=&.-]{0,60})?\1(?:\s+(?:type=[\"'](?:module|text/javascript)[\"']|"
                      r"defer|async|crossorigin(?:=[\"'][\w-]*[\"'])?|integrity=[\"'][\w+/=-]*[\"']))*\s*>\s*</script\s*>",
                      re.IGNORECASE)
_SCRIPT = re.compile(r"<\s*/?\s*script", re.IGNORECASE)
SCRIPT_RULES = frozenset(("script-tag", "script-close", "markup"))

# A system file given to a command that reads it, within one segment of a command line: `cat /etc/passwd`,
# `cut -d: -f1 /etc/passwd`, `grep docker /etc/group`.
_READERS = (r"cat|less|more|head|tail|grep|egrep|awk|cut|sort|wc|getent|stat|ls|file|nano|vi|vim|view|sed|diff|"
            r"column|tac|nl|uniq|md5sum|sha256sum")
_READ = re.compile(r"(?:^|[\s(`|;&])(?:sudo\s+)?(?:" + _READERS + r")\s(?:[^\n|;&<>`$]{0,60}\s)?/etc/[a-z]+\b",
                   re.IGNORECASE)
_SYSTEM_FILE = re.compile(r"/etc/[a-z]+", re.IGNORECASE)
_CLIMB = re.compile(r"\.\.|%[0-9a-f]{2}|\\x|file:|[=\"'(]\s*/etc/", re.IGNORECASE)
FILE_RULES = frozenset(("sensitive-file", "sensitive-target", "sensitive-mention"))


_OTHER_FILES = re.compile(r"boot\.ini|win\.ini|proc[\\/]+self|\.ssh|web-inf|\.htpasswd|\.env\b", re.IGNORECASE)
_COMMAND_WORDS = frozenset(_READERS.split("|")) | {"sudo", "sh", "bash"}


def _prose(text: str) -> bool:
    words = [word for word in _PROSE.findall(text) if word.lower() not in _COMMAND_WORDS]
    return len(words) >= _PROSE_WORDS


def script_asked(text: str, names: set[str]) -> bool:
    """Whether `text`, whose XSS hits are the rules `names`, is prose around a page's own script includes:
    every script tag in it is one (`_INCLUDE`), and the rest holds `_PROSE_WORDS` words."""
    if not names or not names <= SCRIPT_RULES:
        return False
    rest = _INCLUDE.sub(" ", text)
    return rest != text and _SCRIPT.search(rest) is None and _prose(rest)


def file_asked(text: str, names: set[str]) -> bool:
    """Whether `text`, whose traversal hits are the rules `names`, is prose around commands reading system
    files: every `/etc/` path in it is given to a command that reads it (`_READ`), none is climbed to or
    encoded (`_CLIMB`), and the rest holds `_PROSE_WORDS` words."""
    if (not names or not names <= FILE_RULES or _CLIMB.search(text) is not None
            or _OTHER_FILES.search(text) is not None):
        return False
    paths = len(_SYSTEM_FILE.findall(text))
    return paths > 0 and len(_READ.findall(text)) >= paths and _prose(_SYSTEM_FILE.sub(" ", text))


_ENCODED = re.compile(r"%[0-9a-f]{2}|\\", re.IGNORECASE)  # an address spelt encoded is not read as a page's own


def include_climbs(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether `text`, whose traversal hits lie at `spans`, is prose around a page's own script includes and
    every hit lies inside one (`_INCLUDE`): folders of the site climbed in a page-relative address."""
    if not spans or _SCRIPT.search(text) is None:
        return False
    includes = [found.span() for found in _INCLUDE.finditer(text) if _ENCODED.search(found.group()) is None]
    inside = all(any(start <= hit_start and hit_end <= end for start, end in includes) for hit_start, hit_end in spans)
    rest = _INCLUDE.sub(" ", text)
    return inside and _SCRIPT.search(rest) is None and _prose(rest)
