"""Split the threat corpus into a tuning and a validation part by family, never by line.

Every line gets a family: for attacks the technique it uses (an XSS event handler, a
`javascript:` URL, a UNION query, a time-based probe, `../` with overlong UTF-8, a
template probe, an instruction override, a persona, a prompt extraction...), for benign
lines what they are (SQL, HTML, JavaScript, a link's site, a chat topic). All lines of a
family land in the same part, so a rule that only learnt one variant of a payload cannot
score on its siblings in the other part. Within each category the families are dealt,
largest first, to whichever part holds fewer lines so far: deterministic, and both parts
see every category.

Phishing links are dealt by campaign within each way of hosting: a campaign is the shared
platform a page is on (the Public Suffix List's private section, or a hosting service it
lacks), else the names that share a word of five letters or more to one typo or as a
prefix (`brandname.<random>.lol`, `brandnarne.<other>.click`, `brand.<other>.study` are one
campaign), else the registered domain (`<token>.example.cl` is one). The kinds of hosting
(a platform's page, an IP host, a bare name, a link with a scheme to a site of its own) are
dealt each on its own, so both parts hold every kind: a sign for bare names can be tuned
on bare names without seeing the validation part's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from filters.threat.hosts import parse_host

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
}
# Phishing: the way a link is hosted (first match wins), read on the lower-cased line.
_HOSTING = (
    ("free-hosting", r"vercel|netlify|github\.io|blogspot|weebly|godaddysites|firebase|web\.app|pages\.dev|"
                     r"wix|webflow|glitch|herokuapp|ngrok|cloudfront|azurewebsites|appspot|workers\.dev|"
                     r"000webhost|square\.site|carrd|framer|repl|edgeone\.dev|page\.gd|hf\.space|run\.app"),
    ("ip-host", r"://\d{1,3}(?:\.\d{1,3}){3}|://\d{6,}|://0x"),
    ("bare-domain", r"^[^/:]+$"),
    ("scheme-url", r""),
)
# Hosting services that hand out names to anyone and that the Public Suffix List does not list.
_PLATFORMS = ("godaddysites.com", "weebly.com", "edgeone.dev", "page.gd", "square.site", "carrd.co", "wixsite.com")
_RUNS = re.compile(r"[a-z]{5,}")
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
_HOSTINGS = tuple((name, re.compile(pattern, re.S)) for name, pattern in _HOSTING)
_KINDS = tuple((name, re.compile(pattern, re.S)) for name, pattern in _BENIGN_KIND)


def _bucket(key: str, buckets: int = 16) -> int:
    return hashlib.blake2b(key.encode(), digest_size=2).digest()[0] % buckets


def family(row: Row) -> str:
    """The family of one corpus line: category plus technique, kind or topic bucket. A phishing
    link's is its kind of hosting and its own site (`families` joins a campaign's sites)."""
    category, text = row["category"], row["text"].lower()
    if category == "phishing_link":
        kind = next(name for name, pattern in _HOSTINGS if pattern.search(text))
        return f"{category}:{kind}/{_site(text)}"
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


def _host(text: str) -> str:
    """The host name of a link as written (scheme, user, port and path dropped, no `www.`)."""
    rest = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip())
    return re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2].split(":")[0].removeprefix("www.")


def _site(text: str) -> str:
    """A link's own site: the platform it is on, else its registered domain."""
    host = parse_host(_host(text))
    if host.platform:
        return host.site
    return next((name for name in _PLATFORMS if host.name.endswith("." + name)), host.site)


def _words(site: str, host: str) -> set[str]:
    """The runs of five letters or more in the part of `host` its owner named (the suffix left out)."""
    suffix = site.split(".", 1)[1] if "." in site else ""
    return set(_RUNS.findall(host.removesuffix(suffix)))


def _near(one: str, other: str) -> bool:
    """One word is the other's prefix, or the other with one letter added, dropped or changed."""
    if one.startswith(other) or other.startswith(one):
        return True
    if abs(len(one) - len(other)) > 1:
        return False
    shorter, longer = sorted((one, other), key=len)
    for at in range(len(longer)):
        if shorter[at:] == longer[at + 1:] and shorter[:at] == longer[:at]:
            return True  # one letter added or dropped
        if len(shorter) == len(longer) and shorter[:at] == longer[:at] and shorter[at + 1:] == longer[at + 1:]:
            return True  # one letter changed
    return False


def families(rows: list[Row]) -> list[str]:
    """The family of each row, phishing sites joined into campaigns: sites off any platform whose names
    share a word (to one typo, or one the other's prefix) are one campaign, named by its first site; its
    kind of hosting is the one most of its lines have."""
    names = [family(row) for row in rows]
    sites = sorted({name.split("/", 1)[1] for name in names if name.startswith("phishing_link:")
                    and not name.startswith("phishing_link:free-hosting/")})
    words = {site: set().union(*(_words(site, _host(row["text"].lower())) for row, name in zip(rows, names, strict=True)
                                 if name.endswith("/" + site))) for site in sites}
    campaign = {site: site for site in sites}
    for at, site in enumerate(sites):  # join each site to the first earlier one it shares a word with
        for earlier in sites[:at]:
            if any(_near(a, b) for a in words[site] for b in words[earlier]):
                campaign[site] = campaign[earlier]
                break
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    keyed = []
    for name in names:
        if name.startswith("phishing_link:"):
            kind, site = name.split(":", 1)[1].split("/", 1)
            key = campaign.get(site, site)
            kinds[key][kind] += 1
            keyed.append(key)
        else:
            keyed.append("")
    order = [kind for kind, _ in _HOSTING]
    return [name if not key else
            f"phishing_link:{min(kinds[key].items(), key=lambda item: (-item[1], order.index(item[0])))[0]}/{key}"
            for name, key in zip(names, keyed, strict=True)]


def _group(name: str) -> str:
    """What a family is dealt within: its category, a phishing link's kind of hosting."""
    return name.split("/", 1)[0] if name.startswith("phishing_link:") else name.split(":", 1)[0]


def split(rows: Iterable[Row]) -> dict[str, str]:
    """family -> part, dealing each category's (a phishing kind's) families largest first to the smaller part."""
    sizes: Counter[str] = Counter(families(list(rows)))
    by_category: dict[str, list[str]] = defaultdict(list)
    for name in sizes:
        by_category[_group(name)].append(name)
    parts: dict[str, str] = {}
    for _category, group in sorted(by_category.items()):
        held = {TUNING: 0, VALIDATION: 0}
        for name in sorted(group, key=lambda f: (-sizes[f], f)):
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
    for row, name in zip(rows, families(rows), strict=True):
        out[assignment[name]].append(row)
    return out
