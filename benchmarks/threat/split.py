"""Split the threat corpus into a tuning and a validation part by family, never by line.

Every line gets a family: for attacks the technique it uses (an XSS event handler, a
`javascript:` URL, a UNION query, a time-based probe, `../` with overlong UTF-8, a
template probe, an instruction override, a persona, a prompt extraction, a free-hosting
phishing page, a bare look-alike domain...), for benign lines what they are (SQL, HTML,
JavaScript, a link's site, a chat topic). All lines of a family land in the same part,
so a rule that only learnt one variant of a payload cannot score on its siblings in the
other part. Within each category the families are dealt, largest first, to whichever
part holds fewer lines so far: deterministic, and both parts see every category.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

TUNING, VALIDATION = "tuning", "validation"
Row = dict[str, str]

# (family, pattern) per category, first match wins; patterns read the lower-cased line.
_TECHNIQUES: dict[str, tuple[tuple[str, str], ...]] = {
    "xss": (
        ("script-url", r"(?:java|vb)script\s*:|data:\s*text/html"),
        ("script-tag", r"<\s*script"),
        ("svg-math", r"<\s*(?:svg|math)"),
        ("img-media", r"<\s*(?:img|image|video|audio|source|input)"),
        ("frame-object", r"<\s*(?:iframe|frame|object|embed|applet|meta|base|link)"),
        ("body-html", r"<\s*(?:body|html|head|style|xml|x\b|div|a\b|details|marquee)"),
        ("handler", r"\bon[a-z]+\s*="),
        ("encoded", r"%3c|&lt;|\\x3c|\\u003c|&#"),
        ("other", r""),
    ),
    "sqli": (
        ("time-based", r"sleep\s*\(|benchmark\s*\(|waitfor|pg_sleep"),
        ("union", r"\bunion\b"),
        ("stacked", r";\s*(?:drop|select|insert|update|delete|exec|declare|shutdown|create)"),
        ("error-function", r"extractvalue|updatexml|convert\s*\(|cast\s*\(|concat|char\s*\("),
        ("comment", r"/\*|--|#"),
        ("boolean-quote", r"['\"]\s*\)*\s*(?:or|and|\|\||&&)"),
        ("boolean", r"\b(?:or|and|xor)\b"),
        ("other", r""),
    ),
    "traversal": (
        ("overlong", r"%c0|%c1|%e0|%f0|%u"),
        ("double-encoded", r"%25"),
        ("encoded", r"%2e|%2f|%5c|0x2e"),
        ("backslash", r"\\"),
        ("dots-many", r"\.{3,}|\.\.\.\./"),
        ("wrapper", r"://"),
        ("plain-deep", r"(?:\.\./){3,}"),
        ("plain", r""),
    ),
    "cmdi": (
        ("subshell", r"\$\(|`"),
        ("windows", r"\b(?:cmd|powershell|dir|type|ipconfig|net\s+user|%[a-z]+%)"),
        ("pipe", r"\|"),
        ("and", r"&"),
        ("semicolon", r";"),
        ("newline", r"\n|%0a"),
        ("other", r""),
    ),
    "code_injection": (
        ("template-curly", r"\{\{|\{%"),
        ("template-dollar", r"\$\{|#\{"),
        ("erb-asp", r"<%"),
        ("php", r"<\?|phpinfo|system\s*\(|\$_"),
        ("python", r"__|import\s|os\."),
        ("other", r""),
    ),
    "prompt_injection": (
        ("other-language", r"[^\x00-\x7f\u2018\u2019\u201c\u201d\u2014\u2013\u2026]{4,}"),
        ("persona", r"\bdan\b|jailbr|developer mode|act as|pretend|role ?play|you are now|from now on|"
                    r"play the role|persona"),
        ("extraction", r"(?:print|reveal|repeat|show|output|tell me|what is|list|display|write)\b.{0,40}"
                       r"(?:instruction|prompt|password|secret|above|rules|access code)"),
        ("override", r"ignore|disregard|forget|override|instead|new instructions|previous instructions"),
        ("access-code", r"access granted|password|access code|passcode"),
        ("output-control", r"\bsay\b|respond|reply|output|answer"),
        ("other", r""),
    ),
    "phishing_link": (
        ("free-hosting", r"vercel|netlify|github\.io|blogspot|weebly|godaddysites|firebase|web\.app|pages\.dev|"
                         r"wix|webflow|glitch|herokuapp|ngrok|cloudfront|azurewebsites|appspot|workers\.dev|"
                         r"000webhost|square\.site|carrd|framer|repl"),
        ("ip-host", r"://\d{1,3}(?:\.\d{1,3}){3}|://\d{6,}|://0x"),
        ("bare-domain", r"^[^/:]+$"),
        ("scheme-url", r""),
    ),
}
_BENIGN_KIND = (
    ("sql", r"^\s*(?:select|with|insert|update|delete|create)\b"),
    ("html", r"^\s*<"),
    ("javascript", r"console\.log|const |let |function|=>"),
    ("other", r""),
)


def _compiled() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    return {category: tuple((name, re.compile(pattern, re.S)) for name, pattern in rules)
            for category, rules in _TECHNIQUES.items()}


_RULES = _compiled()
_KINDS = tuple((name, re.compile(pattern, re.S)) for name, pattern in _BENIGN_KIND)


def _bucket(key: str, buckets: int = 16) -> int:
    return hashlib.blake2b(key.encode(), digest_size=2).digest()[0] % buckets


def family(row: Row) -> str:
    """The family of one corpus line: category plus technique, kind or topic bucket."""
    category, text = row["category"], row["text"].lower()
    rules = _RULES.get(category)
    if rules is not None:
        return f"{category}:{next(name for name, pattern in rules if pattern.search(text))}"
    if category == "benign_code_snippet":
        return f"{category}:{next(name for name, pattern in _KINDS if pattern.search(text))}"
    if category == "benign_url":  # the site: every link of one site in one part
        site = re.sub(r"^[a-z]+://", "", text).split("/")[0].removeprefix("www.")
        return f"{category}:{_bucket('.'.join(site.split('.')[-2:]), 8)}"
    words = re.findall(r"[a-z']+", text)
    return f"{category}:{_bucket(words[0] if words else text, 16)}"  # a topic bucket by first word


def split(rows: Iterable[Row]) -> dict[str, str]:
    """family -> part, dealing each category's families largest first to the smaller part."""
    sizes: Counter[str] = Counter(family(row) for row in rows)
    by_category: dict[str, list[str]] = defaultdict(list)
    for name in sizes:
        by_category[name.split(":", 1)[0]].append(name)
    parts: dict[str, str] = {}
    for _category, families in sorted(by_category.items()):
        held = {TUNING: 0, VALIDATION: 0}
        for name in sorted(families, key=lambda f: (-sizes[f], f)):
            part = TUNING if held[TUNING] <= held[VALIDATION] else VALIDATION
            parts[name] = part
            held[part] += sizes[name]
    return parts


def load(path: Path) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def parts(rows: list[Row]) -> dict[str, list[Row]]:
    """The rows of each part."""
    assignment = split(rows)
    out: dict[str, list[Row]] = {TUNING: [], VALIDATION: []}
    for row in rows:
        out[assignment[family(row)]].append(row)
    return out
