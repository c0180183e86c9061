"""Find links in chat text and judge each one from its spelling alone.

No network: a gateway must not fetch what an attacker sends it, and a lookup per
message would cost more than the whole filter. The judgement adds up lexical signs
that phishing kits share (an IP instead of a name, a brand name on a domain the brand
does not own or on a shared platform, `user@host` tricks, look-alike letters, risky
TLDs, a hash as a subdomain, a registered name whose letters read as no word,
shorteners, login-style paths, pages carried in `data:` URLs); a link that carries
another (a redirector's target) counts as the worse of the two. Operator allow/deny
lists and feed files come first. Who owns a name comes from the Public Suffix List
(`hosts.py`), brand claims from `brands.py`.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from heapq import merge
from itertools import accumulate, chain, compress, count, islice
from operator import add
from urllib.parse import unquote

import re2

from filters.threat.brands import brand_claims, owns
from filters.threat.feeds import DomainList, normalise_host
from filters.threat.hosts import Host, icann_tlds, parse_host, scripts, skeleton, unicode_form, unicode_tlds
from filters.threat.landing import LANDING_FLOOR, MACHINE_HOSTS, PLATFORM_NAMED_KINDS, host_kind, landing_page
from filters.threat.linkdata import (
    ACCOUNT_PLATFORMS,
    BRANDS,
    FREE_HOSTING,
    KEYWORDS,
    KNOWN_TLDS,
    NAME_WORDS,
    RISKY_CCTLDS,
    RISKY_TLDS,
    SHORTENERS,
    SITE_BUILDERS,
    WORD_BRANDS,
)
from filters.threat.scoring import combine
from filters.threat.urlscore import host_features, path_features, probability, weigh
from filters.threat.words import NameWords, crypto_lure, read_label, segment, unreadable


# Where a bare name may end: any TLD (the list's and every one the Public Suffix List names), or a shared
# platform or shortener under another one (`page.gd`).
def _alternation(names: Iterable[str]) -> str:
    return "|".join(sorted((name.replace(".", r"\.") for name in names), key=len, reverse=True))


_BARE_SUFFIXES = _alternation({*KNOWN_TLDS, *icann_tlds(), *FREE_HOSTING})
_BARE_SHORTENERS = _alternation(name for name in SHORTENERS if name.rsplit(".", 1)[-1] not in KNOWN_TLDS)
# A link with a scheme, `www.` or `data:`; or a bare name under a known TLD that does not follow a
# letter, digit, `@` (an e-mail address), `.`, `-` or `_` (the bare alternative takes the character
# before it, which `_candidates` drops). No groups: RE2 then finds matches with its DFA alone.
_URL = re2.compile(
    r"(?:\b(?:https?|hxxps?|ftp)://|\bwww\.|\bdata:[a-z]+/[a-z0-9.+-]+[;,])[^\s<>\"'\x60]+"
    r"|(?:^|[^\pL\pN@._-])(?:(?:[\pL\pN][\pL\pN-]*\.)+(?:" + _BARE_SUFFIXES + r")|" + _BARE_SHORTENERS + r")\b"
    r"(?::\d{2,5})?(?:/[^\s<>\"'\x60]*)?"
)
# A bare name under a TLD written in another script (`secure-bank.рф`, `shop.中国`), read only in text that is not
# ASCII. RE2's `\b` is an ASCII boundary, which such a TLD followed by a space is not; `\B` after one holds before
# a space, a mark or another letter of its script and fails before an ASCII letter or digit, and `_candidates`
# drops a match that a letter follows (`сайт.организация` is no `.орг` link).
_IDN_BARE = re2.compile(
    r"(?:^|[^\pL\pN@._-])(?:[\pL\pN][\pL\pN-]*\.)+(?:" + _alternation(unicode_tlds()) + r")\B"
    r"(?::\d{2,5})?(?:/[^\s<>\"'\x60]*)?"
)
# A static page named for authentication as a topic (`/authentication.html`) is documentation's (`landing.py`); the
# kit's pages are named for the act (`/auth.html`, `/authorize.html`, `/login.html`), its scripts by any name.
_KIT = re2.compile(r"\.php\b|/wp-(?:content|admin|includes)/|[?&](?:email|login|user|account)=|/(?:signin|login|"
                   r"verify|update|secure|account|webscr|auth)[^/]*\.(?:php|aspx?)|/(?:(?:signin|login|verify|update|"
                   r"secure|account|webscr)[^/]*|auth(?:[^e/][^/]*)?)\.html?")
# Labels are read through two translations (C-speed, no pattern call per label): letters and digits
# as `a` and `0` (`283ns834s2` -> `000aa000a0`), consonants as `c` (y counts as a vowel).
_KINDS = str.maketrans("abcdefghijklmnopqrstuvwxyz0123456789", "a" * 26 + "0" * 10)
_CONSONANTS = str.maketrans(dict.fromkeys("bcdfghjklmnpqrstvwxz", "c"))
# Country codes that are no English word: `-pl`, `-fr` in a name under another TLD ape that country's sites.
_COUNTRY_WORDS = frozenset("pl de fr uk es pt br nl se dk fi ch au ca cl mx ar jp kr cn ru ua cz sk hu ro gr "
                           "tr za ng ke eg ma sa ae pk vn ph th ie nz sg hk tw lt lv ee bg hr rs si".split())
_HEX = frozenset("0123456789abcdef")
_LONG_BRANDS = re2.compile("|".join(sorted((b for b in BRANDS if len(b) >= 5), key=len, reverse=True)))
# The same without the brands that are everyday words, for paths, where words are what pages are named by.
_NAMED_BRANDS = re2.compile("|".join(sorted((b for b in BRANDS if len(b) >= 5 and b not in WORD_BRANDS),
                                            key=len, reverse=True)))
# What a path puts between the words of a name (`face-book`, `pay_pal`, `net%20flix`).
_PATH_GAPS = re2.compile(r"[-_.+~]|%20")
_LURE_WORDS = frozenset(KEYWORDS)
_CONFUSED = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})  # scripts with Latin twins
_ACTIVE_DATA = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
                          "application/javascript", "application/x-javascript", "text/xml", "application/xml"})
HOMOGRAPH = 0.9
# TLDs that are also file extensions people name in chat (`photos.zip`, `clip.mov`).
FILE_TLDS = frozenset({"zip", "mov"})
_BRAND_SITES = frozenset(site for sites in BRANDS.values() for site in sites)  # a brand's own name is no lure
_TRAILING = ".,;:!?)]}'\"*"
# Dots a browser's IDNA mapping reads as "." (ideographic, full-width, half-width); the
# normaliser maps them before links are found, the original spelling is a sign of its own.
ODD_DOTS = frozenset("\u3002\uff0e\uff61")
MAX_LINKS = 256  # distinct links judged per message; past it the message fails closed (see `Scan`)
MAX_CANDIDATES = 4 * MAX_LINKS  # link-pattern matches read per message (after repeated words are dropped)
MAX_HOST, MAX_LABEL = 253, 63  # the longest name and label DNS allows
MAX_PATH = 2048  # characters of a link's path, query and fragment read for signs
HOST_CACHE = 4096  # host names whose signs are kept between messages


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 address as inet_aton reads it: decimal, 0x hex or 0-led octal."""
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part[0] == "0":
            return int(part, 8)
        return int(part) if part.isdigit() else None
    except ValueError:
        return None


def ipv4_host(host: str) -> tuple[bool, bool]:
    """(is an IPv4 address in any spelling a resolver accepts, is it a non-canonical one).

    `3232238085`, `0xc0a80105`, `0300.0250.1.5` and `192.168.261` all reach 192.168.1.5;
    the last three are spellings only an evasion uses."""
    last = host[host.rfind(".") + 1:]
    if not (last.isdigit() or last[:2] == "0x"):  # a name's last label: no IPv4 spelling ends so
        return False, False
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return False, False
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        return False, False
    values = [n for n in numbers if n is not None]
    limits = [256] * (len(values) - 1) + [256 ** (5 - len(values))]
    if any(value >= limit for value, limit in zip(values, limits, strict=True)):
        return False, False
    canonical = len(parts) == 4 and all(p == "0" or (p.isdigit() and p[0] != "0") for p in parts)
    return True, not canonical

@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Judgement:
    link: Link
    score: float
    reasons: tuple[str, ...]


_MARKED = ("http://", "https://", "hxxp://", "hxxps://", "ftp://", "www.", "data:")
# What a link with a scheme, `www.` or `data:` runs to: `_URL`'s `[^\s<>"'\x60]+` (RE2's \s is these four).
_MARKED_RUN = re.compile("[^\t\n\f\r <>\"'`]+")


def _candidates(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is a bare name) of each `_URL` match in `text`.

    The pattern has no groups, so RE2 finds each match with its DFA alone (asking for a
    group's span makes it re-read the match with a slower engine: a 1 MB link took ms).
    The bare alternative starts a character earlier than the others, so it may match first a
    `www.` link whose host it cannot read to the end (`www.secure-bank.рф`, `httрs://www.x.сom`:
    a TLD it does not know, so it stops at one inside the host, `www.secure`): a match that
    starts as a marked link is read to where a marked link runs."""
    last = 0
    spans: Iterable[tuple[int, int]] = (found.span() for found in _URL.finditer(text))
    if not text.isascii():  # names under TLDs of other scripts, in order with the rest, the longer first
        idn = (span for span in (found.span() for found in _IDN_BARE.finditer(text))
               if span[1] == len(text) or not text[span[1]].isalnum())
        first = next(idn, None)
        if first is not None:  # both in order of their starts: merged as read, so a caller's cap stops both scans
            spans = merge(spans, chain((first,), idn), key=lambda span: (span[0], -span[1]))
    for start, end in spans:
        if not text[start].isalnum():  # the character before a bare name
            start += 1
        if start < last:  # inside a link read to its end already
            continue
        bare = not text.startswith(_MARKED, start, end)
        if bare:
            last = end
        if not bare:
            run = _MARKED_RUN.match(text, start)
            end = run.end() if run is not None else end
            last = end
        yield start, end, bare


def _link_at(text: str, start: int, end: int, bare: bool) -> str | None:
    """The link a `_URL` match stands for, or None: a bare domain needs a name of 3 characters or
    more under its public suffix (`t1.id` is code, `abc.de` and `bbc.co.uk` are names)."""
    if bare:
        name = text[start:end].split("/", 1)[0].split(":", 1)[0]
        if len(name.rsplit(".", 2)[-2]) < 3 and name not in SHORTENERS and name.split(".", 1)[1] not in FREE_HOSTING \
                and len(parse_host(name.lower()).owner_label) < 3:  # a short label may be a suffix's (`co.uk`)
            return None
    return text[start:end].rstrip(_TRAILING) or None


class Scan:
    """The distinct links of one text, each read once however often it is repeated.

    A link never spans whitespace, so the text is taken apart at whitespace (C-speed
    `split`), repeated words are dropped and the link pattern reads each distinct word
    once: `abc.com ` repeated 100,000 times is one word and one link. At most `limit`
    distinct links and `MAX_CANDIDATES` pattern matches are read; past either the scan
    stops and `overflow` is set (the caller fails closed). Positions are found only
    for the links a caller asks about (`link(i)`), since most links score nothing."""

    __slots__ = ("_firsts", "_text", "_where", "_words", "overflow", "urls")

    def __init__(self, text: str, limit: int = MAX_LINKS, *, every: bool = False) -> None:
        """`every`: read the text as one word and keep every occurrence (the caller needs each spelling)."""
        self._text = text
        self.urls: list[str] = []
        self._where: list[tuple[int, int]] = []  # (word index among distinct words, offset in the word)
        self._firsts: dict[str, int] | None = None
        self.overflow = False
        if every:
            distinct = [text]
        else:
            for space in "\t\n\f\r":  # RE2's \s: what the pattern never crosses, read as a space
                if space in text:
                    text = text.replace(space, " ")
            distinct = list(dict.fromkeys(text.split(" ")))
        self._words = distinct
        joined = " ".join(distinct)
        starts = list(map(add, accumulate(map(len, distinct), initial=0), count()))
        seen: set[str] = set()
        for examined, (at, end, bare) in enumerate(_candidates(joined), 1):
            if examined > MAX_CANDIDATES:
                self.overflow = True
                break
            url = _link_at(joined, at, end, bare)
            if url is None:
                continue
            if url in seen and not every:
                continue
            seen.add(url)
            if len(seen) > limit:
                self.overflow = True
                break
            word = bisect_right(starts, at) - 1
            self.urls.append(url)
            self._where.append((word, at - starts[word]))

    def __len__(self) -> int:
        return len(self.urls)

    def link(self, index: int) -> Link:
        """Link `index` with its span in the text (its first occurrence)."""
        word, offset = self._where[index]
        start = self._start(word) + offset
        return Link(start, start + len(self.urls[index]), self.urls[index])

    def _start(self, word: int) -> int:
        if len(self._words) == 1:
            return 0
        if self._firsts is None:  # where each word that holds a link first occurs, found in one pass
            text = self._text
            for space in "\t\n\f\r":
                if space in text:
                    text = text.replace(space, " ")
            every_word = text.split(" ")
            wanted = {self._words[w] for w, _ in self._where}
            hits = list(compress(count(), map(wanted.__contains__, every_word)))
            firsts = dict(zip(map(every_word.__getitem__, reversed(hits)), reversed(hits), strict=True))
            last = max(firsts.values(), default=0)
            before = list(accumulate(islice(map(len, every_word), last), initial=0))
            self._firsts = {key: before[i] + i for key, i in firsts.items()}
        return self._firsts[self._words[word]]


def extract(text: str) -> list[Link]:
    """Every link in `text` (already case-folded, dots mapped with `DOTS`), with spans into that text,
    up to `MAX_CANDIDATES` pattern matches."""
    found = Scan(text, MAX_CANDIDATES, every=True)
    return [found.link(i) for i in range(len(found))]


def _split(url: str) -> tuple[str, str, str, str]:
    """(userinfo, host, port, rest) of a URL with or without a scheme."""
    _, sep, after = url.partition("://")
    rest = after if sep else url
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        userinfo, hostport = "", authority
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    return userinfo, host, port, path


def registrable(host: str) -> str:
    """The part of `host` that one owner registers (`shop.example.co.uk` -> `example.co.uk`)."""
    return parse_host(host).site


def _tokens(labels: Iterable[str]) -> set[str]:
    """The labels and their hyphen-separated words."""
    found: set[str] = set()
    for label in labels:
        found.add(label)
        found.update(part for part in label.split("-") if part)
    return found


# A registered Latin name with one or two accented letters under a generic TLD (`coindésk.com`, `bëstchange.net`):
# the accent is what makes it another name than the one it reads as. Names in languages that write accents are
# registered under their country's code (`müller.de`, `café.fr`) and spell more of them; a shop of theirs under
# `.com` (`café-paris.com`) alerts too.
ACCENTED_NAME = 0.45


def _accented(owner: str, site: str) -> bool:
    """Whether `owner` (the registered label as shown) is Latin letters with one or two accented ones, on a `site`
    under a TLD of three letters or more."""
    if len(site.rsplit(".", 1)[-1]) <= 2 or not 1 <= sum(not char.isascii() for char in owner) <= 2:
        return False
    return scripts(owner) == {"LATIN"}


def _name_signals(host: Host, signals: list[tuple[float, str]]) -> float:
    """Brand claims, look-alike letters and lure words in the host name; returns the brand weight."""
    shown = unicode_form(host.name)
    looks = skeleton(shown)
    # On a shared platform only the labels its tenant chose claim anything, and they are judged against the
    # tenant's name: the platform's owner does not own what a tenant names (`amazon-verify.s3.amazonaws.com`).
    cut = host.platform.count(".") + 1 if host.platform else host.site.count(".")
    labels = looks.split(".")
    tokens = _tokens(labels[:-cut or None])
    owner = skeleton(unicode_form(host.owner_label))
    if host.platform in ACCOUNT_PLATFORMS and owner in BRANDS:
        tokens.discard(owner)  # `google.github.io`: account names there are unique, and brands hold their own
    weight, why = brand_claims(tokens, host.tenant if host.platform else host.site, "" if host.platform else owner,
                               _tokens([owner]))
    if shown != host.name:  # an internationalised name: which scripts, and what it looks like
        if looks != shown and weight:
            weight, why = max(weight, HOMOGRAPH), "homograph:" + why.split(":", 1)[1]
        if any(len(scripts(label) & _CONFUSED) >= 2 for label in shown.split(".")):
            signals.append((0.6, "mixed-scripts"))
        else:
            signals.append((0.2, "idn"))
            if _accented(unicode_form(host.owner_label), host.site):
                signals.append((ACCENTED_NAME, "accented-name"))
    if weight:
        signals.append((weight, why))
        lures = sorted(tokens & _LURE_WORDS)
        if lures:
            signals.append((0.4, f"brand-with-lure:{lures[0]}"))
    return weight


def _ip_signals(host: str, signals: list[tuple[float, str]]) -> bool:
    """Signs of a host given as an IP address; False when it is a name.

    A loopback address in its usual spelling is the reader's own machine
    (`http://127.0.0.1:8080/`), which serves no one else a page; a private one may be an
    insider's host, so it still counts."""
    address, disguised = ipv4_host(host)
    if not address and not (host.startswith("[") and host.endswith("]")):
        return False
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
        local = not disguised and (ip.is_loopback or ip.is_unspecified)
    except ValueError:
        local = False
    if local:
        return True
    signals.append((0.6, "ip-literal"))
    if disguised:
        signals.append((0.8, "disguised-ip"))
    return True


# A server's default name, made from its address by its host (`159-65-41-145.<panel>.com`, `ip-10-1-2-3`,
# `ec2-3-81-4-5.compute-1.amazonaws.com`, `static.5.6.7.8.clients.<provider>.de`, `1.2.3.4.bc.<cloud>.com`): nobody
# registered a site under it, so a page there is reached as its address is, and weighs as an IP host. An address that
# serves nobody else (private, loopback, link-local: `10-0-0-5.<wildcard-dns>.io` on a developer's network) is not read.
IP_NAME = 0.6
_DASHED_ADDRESS = re.compile(r"(?:^|[.-])(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?=[.-])")
_DOTTED_ADDRESS = re.compile(r"(?:^|\.)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(?=[a-z0-9-]*[a-z])")


def address_name(name: str) -> bool:
    """Whether host `name` (a name, not an address) spells a public IPv4 address in its labels, dashed in one label or
    dotted across four, before its last label."""
    if sum(map(name.count, "0123456789")) < 4:  # most names: too few digits to spell an address
        return False
    for pattern in (_DASHED_ADDRESS, _DOTTED_ADDRESS):
        for found in pattern.finditer(name):
            parts = found.groups()
            if any(len(part) > 1 and part[0] == "0" for part in parts) or any(int(part) > 255 for part in parts):
                continue
            if ipaddress.IPv4Address(".".join(parts)).is_global:
                return True
    return False


def _data_url(link: Link) -> Judgement | None:
    """`data:` URLs that a browser renders as a page or runs: a whole phishing page inside the link."""
    if not link.url.startswith("data:"):
        return None
    kind = link.url[5:].split(";", 1)[0].split(",", 1)[0]
    return Judgement(link, 0.85 if kind in _ACTIVE_DATA else 0.3, (f"data-url:{kind}",))


def lure_words(text: str) -> int:
    """How many lure words `text` spells, a word inside a longer one found there not counted again
    (`oauth` is one word, not also `auth`)."""
    found = [word for word in KEYWORDS if word in text]
    if len(found) < 2:
        return len(found)
    return sum(1 for word in found if not any(word != other and word in other for other in found))


def _machine_made(label: str) -> bool:
    """A label no person chose: letters and digits interleaved (`283ns834s2`), a hex token (`c089be`),
    four digits in a row, five consonants in a row (`qwxzvbk`), or three hyphens or more."""
    kinds = label.translate(_KINDS)
    if kinds.count("a0") + kinds.count("0a") >= 3 or "0000" in kinds or "ccccc" in label.translate(_CONSONANTS):
        return True
    return _hex_token(label) or label.count("-") >= 3


# A short registered name of letters and digits mixed (`k7qzvd`, `39xwtr`): what registration scripts make when names
# are bought in bulk. A digit inside or before the letters, and letters that read as no word (`unreadable`: two
# triples or more); a name and its version or year (`tool2024`, `shop24`) or a word with a digit (`4chan`, `mp3tag`)
# reads otherwise. A weak sign, as the other machine-made shapes: projects name themselves so too (`slf4j`, `web3js`).
_SHORT_TOKEN = re.compile(r"[a-z0-9]{5,8}")


def short_token(label: str) -> bool:
    """Whether `label` is 5 to 8 letters and digits with a digit before its last letter and letters that read as no
    word."""
    if _SHORT_TOKEN.fullmatch(label) is None or not any(char.isdigit() for char in label.rstrip("0123456789")):
        return False
    letters = "".join(char for char in label if char.isalpha())
    return len(letters) >= 3 and unreadable(letters) >= 2


def _hex_token(label: str) -> bool:
    """A hash or id in hex, 6 characters or more with two digits and two letters at least (`c089be`)."""
    digits = sum(map(label.count, "0123456789"))
    return len(label) >= 6 and 2 <= digits < len(label) - 1 and all(char in _HEX for char in label)


def _url_word(first: str) -> bool:
    """A scheme or `www` spelt into the first label so the name reads like a URL: `https-login.`,
    `wwwpaypal.`, `https--www-roblox.` (not `httpd.`, `http2.`, `www2.`, `www-01.`: servers and
    mirrors name themselves so)."""
    for scheme in ("https", "http"):
        if first.startswith(scheme):
            rest = first[len(scheme):]
            return rest.startswith(("-", "www"))
    return first.startswith("www") and first[3:6].isalpha() and first[3:6].isascii() and len(first) >= 6


def _tld_word(name: str) -> bool:
    """A TLD spelt inside a name as a hyphenated word of its own: `paypal-com.`, `com-secure.`."""
    return any("-" in label and not {"com", "net"}.isdisjoint(label.split("-")) for label in name.split("."))


# A label's run of letters reads as no word (`words.unreadable`) when this many of its letter triples no
# word holds: a few in a run of `PSEUDO_RUN` letters or more (acronyms glued to a word reach that too, so
# it is a weak sign), or a good share of a longer run (letters drawn at random, on any TLD an alert).
PSEUDO_RUN, PSEUDO_FEW = 5, 3
PSEUDO_LONG, PSEUDO_SHARE, PSEUDO_WEIGHT = 7, 0.5, 0.5
_LETTER_RUNS = re.compile(f"[a-z]{{{PSEUDO_RUN},}}")  # a label is 63 characters at most: `re` costs less per call


def _pseudo_word(owner: str) -> float:
    """How plainly the label an owner registered reads as no word of any language the reader knows
    (`xqjvwkd`, `kzmrtq`): 0, 0.25 (a few triples no word holds), or `PSEUDO_WEIGHT` (most of a long run).
    Pronounceable invented names (`lumorati`) read as words here, as invented brands do."""
    found = 0.0
    for run in _LETTER_RUNS.findall(owner):
        odd = unreadable(run)
        if odd >= PSEUDO_FEW and len(run) >= PSEUDO_LONG and odd >= PSEUDO_SHARE * len(run):
            return PSEUDO_WEIGHT
        if odd >= PSEUDO_FEW:
            found = 0.25
    return found


def _shape_signals(name: str, host: Host, signals: list[tuple[float, str]]) -> None:
    """How the name is built: machine-made labels, strung-together words, URLs spelt as names."""
    if len(host.subdomains) >= 3:
        signals.append((0.35, "many-subdomains"))
    if _url_word(name.split(".")[0]) or _tld_word(name):
        signals.append((0.6, "deceptive-label"))  # `https-login.`, `wwwpaypal.`, `paypal-com.`
    owner = unicode_form(host.owner_label)
    # The name an owner registered (a tenant's name on a platform is the platform's to judge): letters
    # drawn at random are how registration scripts name throwaway domains; no person names a site so.
    pseudo = 0.0 if host.platform or host.site in _BRAND_SITES or not owner.isascii() else _pseudo_word(owner)
    if pseudo > 0.25:
        signals.append((pseudo, "pseudo-word"))
    elif _machine_made(owner) or pseudo or short_token(owner):
        signals.append((0.25, "random-label"))  # typed by a machine, not chosen by a person
    elif any(map(_hex_token, host.subdomains)) and not host.platform:
        # A hash as a host name on a site of its own: kits on throwaway or broken-into domains give each
        # victim a name of its own (wildcard DNS), so no blocklist entry matches the next one. Sites put
        # such ids in paths; the services that put them in names are platforms (read above).
        signals.append((0.5, "token-subdomain"))
    elif any(len(label) >= 6 and _machine_made(label) for label in host.subdomains):
        signals.append((0.25, "random-subdomain"))  # a token per victim or per campaign
    # Words strung together (`secure-account-update`); on a code host that is how organisations are named.
    # Longer ones too (`renew-your-vault-pickup-now`), save on documentation and code platforms, where a
    # project is named so (`python-lazy-object-proxy.readthedocs.io`).
    hyphens = owner.count("-")
    if (hyphens == 2 or (hyphens > 2 and (not host.platform or host.platform in FREE_HOSTING))) \
            and host.platform not in ACCOUNT_PLATFORMS:
        signals.append((0.3, "hyphenated-name"))
    tld = host.site.rsplit(".", 1)[-1]
    countries = {piece for piece in owner.split("-")[1:] if piece in _COUNTRY_WORDS and piece != tld}
    if countries:
        signals.append((0.25, f"country-word:{min(countries)}"))  # `allegro-pl.`, `avis-fr.` under another TLD


# A page named for a brand and what it asks of the reader, in one name at the top of the path (`/paypal-verify/`,
# `/secure_netflix.html`, `/dhlsignin.php`): the directory or file a kit is unzipped as on someone else's site.
_PAGE_FILE = re.compile(r"(?:\.(?:html?|php|aspx?|jsp))?$")
_PAGE_BRANDS = frozenset(brand for brand in BRANDS if brand not in WORD_BRANDS and len(brand) >= 3)
_ANY_PAGE_BRAND = re.compile("|".join(sorted(_PAGE_BRANDS, key=len, reverse=True)))  # before the segmenting
# Sign-in, account and proving words (and the lure words of other languages), less the ones that name an
# application's own routes to a provider (`/google-oauth`, `/auth-github`) or a copy built to learn (`-clone`).
_ACCESS_PAGES = (frozenset(word for word, kind in NAME_WORDS.items() if kind == "access")
                 | frozenset(word for word in KEYWORDS if word.isalpha() and word not in NAME_WORDS)) \
    - {"auth", "oauth", "authorize", "authorization", "clone"}
BRAND_PAGE = 0.45  # beside the page's sign-in word (`path-keywords`): an alert, a block only with another sign


def brand_page(path: str, site: str) -> str | None:
    """The brand that the first segment of `path` claims when that segment is nothing but the brand's name and one
    or two sign-in or account words (`paypal-login`, `verify_netflix.html`), on a `site` the brand does not own.

    Only the first segment: documentation and articles name a brand's sign-in deeper and beside other words
    (`/docs/guides/google-authentication`, `/blog/how-to-add-google-login`), and an application's own
    integration routes put the action first (`/auth/google`)."""
    first = path.lstrip("/").split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not 4 <= len(first) <= 48:
        return None
    letters = _PAGE_FILE.sub("", first).replace("-", "").replace("_", "")  # `pay-pal_sign-in` read as one run
    if not letters.isalpha() or not letters.isascii() or _ANY_PAGE_BRAND.search(letters) is None:
        return None  # digits, dots or other marks (an id, a version), or no brand: not a brand's page
    words = segment(letters)
    brands = [word for word in words if word in _PAGE_BRANDS]
    asks = [word for word in words if word in _ACCESS_PAGES]
    if len(brands) != 1 or not 1 <= len(asks) <= 2 or len(words) != 1 + len(asks) or owns(brands[0], site):
        return None
    return brands[0]


# A kit unzipped into a folder named for the brand it copies, anywhere in someone else's site, with the brand named
# again below it (`/access/wellsfargo/wells/wells.htm`, `/admin/dhl.team/dhl/dhl/`) or a page named by sign-in
# words alone after it (`/x/netflix/verify/`, `/netflix/login.php`). A site's own pages about a provider put what they do first (`/auth/google/callback`,
# `/accounts/dropbox/login/`, `/support/dhl/account-settings`: a lure word before the brand) or name it once beside
# ordinary words (`/checkout/paypal/`, `/docs/integrations/slack`), and neither is read.
BRAND_FOLDER = 0.5
_WORD_GAPS = str.maketrans("-_.", "   ")
_BRAND_HEADS = frozenset(brand[:3] for brand in _PAGE_BRANDS)  # a directory's first letters screen it for a brand


def brand_folder(path: str, site: str) -> str | None:
    """The brand a directory of `path` (a link's path, query and fragment, at most `MAX_PATH`) is named for, on a
    `site` the brand does not own, when the brand's name (its first five letters) leads a later segment too or a page
    named by sign-in words alone follows it (`_access_page`), and no lure word comes before it; else None. The
    directory's first word is the brand's name (`dhl.team`, `office365-online`); brands that are everyday words are
    not read."""
    page = path.split("?", 1)[0].split("#", 1)[0].lower()
    segments = [part for part in page.split("/") if part]
    folders = segments if page.endswith("/") else segments[:-1]
    at, first = next(((at, word) for at, word in enumerate(
        part.translate(_WORD_GAPS).partition(" ")[0] if part[:3] in _BRAND_HEADS else "" for part in folders)
        if word in _PAGE_BRANDS), (0, ""))
    if not first or owns(first, site) or lure_words("/".join(segments[:at])):
        return None  # no brand's folder, the brand's own site, or the site's own route to a provider (action first)
    after = segments[at + 1:]
    again = any(later.startswith(first[:5]) for later in after)
    return first if again or any(map(_access_page, after)) else None


def _access_page(part: str) -> bool:
    """Whether a path segment is a page named by one or two sign-in or account words alone (`verify`, `login.php`,
    `sign_in.html`), as a kit names its pages; an article's slug says more (`sign-in-problems`)."""
    letters = _PAGE_FILE.sub("", part).replace("-", "").replace("_", "")
    if not 4 <= len(letters) <= 24 or not letters.isalpha() or not letters.isascii():
        return False
    words = segment(letters)
    return 1 <= len(words) <= 2 and all(word in _ACCESS_PAGES for word in words)


# An e-mail address as a link spells it (folded to lower case, as links are read).
_ADDRESS = re.compile(r"[a-z0-9._%+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
VICTIM_ADDRESS = 0.5  # an alert alone, a block only with another sign
# What the masking filter, run before this one in a chain, leaves of an address (`filters/masking/placeholders.py`,
# folded): `[email]`, `[email#1a2b3c4d]` (a link's closing `]` is taken for the sentence's), and `[email` where the
# placeholder goes on after a space (the link ends there).
_MASKED_ADDRESS = re.compile(r"\[email(?:#[0-9a-f]{8})?\]?")


def victim_address(path: str, site: str) -> bool:
    """Whether the link's fragment is nothing but an e-mail address of another domain than `site`'s
    (`/#anna@mail.example`): a link made for one reader, whose page reads the address from the fragment
    (which no server log sees) to greet them and fill in the sign-in form. Applications route in the
    fragment (`#/reset?email=...`) and a contact page may name its own address there: neither is read. An
    address the masking filter replaced before this one reads the text counts (whose it was is not known)."""
    fragment = path.partition("#")[2]
    if "@" not in fragment and "%40" not in fragment:
        return fragment.startswith("[email") and _MASKED_ADDRESS.fullmatch(fragment) is not None
    found = _ADDRESS.fullmatch(unquote(fragment))
    return found is not None and registrable(found.group(1)) != site


# An e-mail address as a whole query value of a script or static page (`/gh2/index.php?email=anna@mail.example`): a
# page made for one reader, whose address a kit puts into its sign-in form. An application's route names no page file
# (`/invite?email=...`, `/reset?email=...`) and is not read; nor is an address at the site's own domain
# (`enter_bug.cgi?assigned_to=nobody%40site`). Beside the kit's parameter name (`kit-path`) an alert.
QUERY_ADDRESS = 0.35
_PAGE_NAMES = (".php", ".html", ".htm", ".asp", ".aspx", ".jsp")


def query_address(path: str, site: str) -> bool:
    """Whether `path` (a link's path, query and fragment, at most `MAX_PATH`) names a script or page whose query holds
    a value that is one e-mail address, percent-decoded, of another domain than `site`."""
    page, _, rest = path.partition("?")
    if "@" not in rest and "%40" not in rest.lower() or not page.lower().endswith(_PAGE_NAMES):
        return False
    for pair in rest.split("#", 1)[0].split("&"):
        value = pair.partition("=")[2]
        if "@" in value or "%40" in value.lower():
            found = _ADDRESS.fullmatch(unquote(value).strip().lower())
            if found is not None and registrable(found.group(1)) != site:
                return True
    return False


# Another site's name as a directory of the path with a sign-in or account word after it
# (`/s./https:/secure.sharefile.example/auth/sign-in/`, `/datingsite.com/login.php`): a kit unzipped into a folder named
# for the site it copies. Weak alone (package indexes name modules by their repository's host: `/github.com/x/auth`);
# it adds to the kit's other signs. A link carried whole (`/web/2020/https://...`) is judged as a link instead.
SITE_IN_PATH = 0.3
_SITE_DIR = re.compile(r"/(?:[a-z0-9-]+\.)+(?:" + _alternation(KNOWN_TLDS) + r")/")


def site_in_path(path: str) -> bool:
    """Whether `path` (a link's path, query and fragment, at most `MAX_PATH`) has a directory named as a site under a
    common TLD with a lure word in the path after it."""
    page = path.split("?", 1)[0].split("#", 1)[0].lower()
    if "://" in page:
        return False
    found = _SITE_DIR.search(page)
    return found is not None and lure_words(page[found.end():]) > 0


def _without_addresses(path: str) -> str:
    """`path` without the e-mail addresses it carries: the domain of an address is where someone's mail
    is (`?email=anna@gmail.com`), not a brand the page claims to be."""
    return _ADDRESS.sub("", path) if "@" in path else path


# Content addressed on IPFS: a page at its content's id (`/ipfs/Qm...`, `/ipfs/bafy...`, `bafy....ipfs.<gateway>`),
# which every public gateway serves, so no takedown of one removes it. Files (an NFT's image or metadata) are not read.
IPFS_PAGE = 0.5
_CID = r"(?:qm[1-9a-z]{44}|bafy[a-z2-7]{50,})"  # a content id, v0 (base58) or v1 (base32), as links are read: folded
_IPFS_PATH = re.compile(rf"/ipfs/{_CID}")
_IPFS_HOST = re.compile(rf"{_CID}\.ipfs\.")


def ipfs_page(host: str, path: str) -> bool:
    """Whether a link to `host` with `path` (its path, query and fragment, at most `MAX_PATH`) is a page, not a file,
    addressed by an IPFS content id: in the path (`/ipfs/<id>`) or as the host's first label (`<id>.ipfs.<gateway>`)."""
    folded = path.lower()
    found = _IPFS_PATH.search(folded) if "/ipfs/" in folded else None
    if found is not None:
        rest = folded[found.end():]
    elif ".ipfs." in host.lower() and _IPFS_HOST.match(host.lower()):
        rest = folded
    else:
        return False
    return not rest.split("?", 1)[0].split("#", 1)[0].rstrip("/").endswith(_STATIC_FILES)


# Directories web servers serve files from, not pages; a sign-in page under one is a page put where files go
# (a kit unzipped on a broken-into site: `/assets/img/3f9a/paypal/login`, `/.well-known/pki-validation/x/...`).
_FILE_DIRS = re.compile(r"/(?:images?|img|assets|css|js|fonts|uploads|static|\.well-known)/")
_STATIC_FILES = (".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff",
                 ".woff2", ".ttf", ".otf", ".txt", ".json", ".xml", ".pdf")


# A sign-in page's script two directories deep or more in a site (`/<dir>/<dir>/login.php`): where a kit is
# unzipped on a broken-into site. PHP only: documentation generators name their pages `.html` (`/en/latest/auth.html`),
# and applications' own sign-in scripts sit at the top (`/wp-login.php`) or one directory down (`/forum/login.php`).
DEEP_SIGN_IN = 0.25  # beside the kit's own signs (`kit-path`, `path-keywords`): an alert
_SCRIPT_NAME = re.compile(r"[a-z0-9_-]+\.php")
_SIGN_IN_NAMES = ("login", "signin", "logon", "verify", "auth", "account", "secure", "update")


def deep_sign_in(path: str) -> bool:
    """Whether `path` (a link's path, query and fragment, at most `MAX_PATH`) ends in a PHP script named for signing
    in, two directories deep or more. Read by splitting, in time linear in the path."""
    page = path.split("?", 1)[0].split("#", 1)[0].lower()
    if not page.endswith(".php"):
        return False
    *dirs, script = page.split("/")
    return len(dirs) >= 3 and dirs[0] == "" and all(dirs[1:]) and _SCRIPT_NAME.fullmatch(script) is not None \
        and any(word in script for word in _SIGN_IN_NAMES)


def page_in_files(path: str) -> bool:
    """Whether a page named with a lure word lies under a directory of files (`/images/`, `/assets/`,
    `/uploads/`...; under `/.well-known/` only two or more levels down, below its registered names such as
    `change-password`). A file there (`/static/js/login.js`, `/css/account.css`) is no page."""
    cut = _FILE_DIRS.search(path)
    if cut is None:
        return False
    rest = path[cut.end():].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if not rest or rest.lower().endswith(_STATIC_FILES):
        return False
    if cut.group() == "/.well-known/" and rest.count("/") < 2:
        return False
    return lure_words(rest) > 0


# A page where a site keeps what was uploaded to it or WordPress's own code: a script or HTML page under the media
# directories (`/uploads/`, `/images/`, `/img/`), or any page or folder under `wp-content` or `wp-includes`, which
# WordPress serves files from (images, scripts, styles) and whose few scripts WordPress calls itself. A page there
# was put there through a hole (a plugin's upload flaw, a stolen account's file manager): how kits land on
# broken-into sites, whatever the page is named. Beside the kit's own sign (`kit-path`) an alert. Not under
# `wp-admin` (the administrator's pages), `/assets/` or `/static/` (where site generators put their HTML).
UPLOADED_PAGE = 0.35
_UPLOAD_DIRS = re.compile(r"/(?:uploads?|images?|img|(wp-content|wp-includes))/")
_PAGES = (".php", ".html", ".htm", ".asp", ".aspx", ".jsp")


def uploaded_page(path: str) -> bool:
    """Whether `path` (a link's path, query and fragment, at most `MAX_PATH`) is a page under a directory of uploads or
    of WordPress's code: a script or HTML page there, or, under WordPress's, a folder or a name without an extension."""
    folded = path.lower()
    if "/wp-" not in folded and "/up" not in folded and "/im" not in folded:  # most paths: none of the directories
        return False
    page = folded.split("?", 1)[0].split("#", 1)[0]
    cut = _UPLOAD_DIRS.search(page)
    if cut is None:
        return False
    last = page[cut.end():].rsplit("/", 1)[-1]
    if last.endswith(_PAGES):
        return True
    return cut.group(1) is not None and page[cut.end():] != "" and "." not in last


@dataclass(frozen=True, slots=True)
class HostSigns:
    """What a host name alone says, the same for every link to it."""

    signals: tuple[tuple[float, str], ...]
    address: bool  # an IP address, not a name
    site: str  # the registered domain
    brand: float  # the weight of its brand claim
    hosting: str  # the shared platform it is on, or ""
    words: int  # lure words in the name
    lexical: int | None = None  # the learned score's sum over the name's features; None where it is not read
    kind: str = ""  # the kind of host it is (`landing.host_kind`): a free host, storage, a tunnel, dynamic DNS, or ""


def _word_signals(words: int, read: NameWords | None) -> list[tuple[float, str]]:
    """The lure words of a name: those found in the labels its owner did not register (`words`, with
    those of the owner's label when its reading says more than one word of the trade), or that label's
    reading when it says more (several kinds of lure, digits glued on, nothing else in the name).

    One word of the trade in a registered name is how organisations of that trade name themselves
    (`usbank`, `tdbank`, `citypost`), and their sign-in hosts are named so too (`secure.usbank.com`):
    together they are no more than the subdomain's words."""
    if words and read is not None and read.points > 1:
        words += len(read.words)
    counted = 0.0 if not words else 0.3 if words == 1 else 0.45
    if read is not None and read.score > counted:
        return [(read.score, f"lure-name:{read.points}")]
    return [(counted, "keywords")] if counted else []


# A page on a no-code site builder: its tenant drags a sign-in form onto a page in minutes, under the builder's
# name and certificate, with nothing to deploy (the builders are the most abused free hosts in phishing reports).
# With the free host's own sign it raises an alert; project and documentation hosts do not add it.
SITE_BUILDER = 0.25


def _free_host(platform: str) -> bool:
    """Whether `platform` (a host's shared platform, or "") hands out free pages to anyone (`linkdata.FREE_HOSTING`)."""
    return bool(platform) and (platform in FREE_HOSTING or platform.split(".", 1)[-1] in FREE_HOSTING)


# Names a platform makes, not its tenant, where a throwaway page does not come from: a deploy preview or branch build
# of a project connected to a Git repository (Netlify's `deploy-preview-42--site`, Vercel's `site-git-branch-team`),
# which developers share in chat while reviewing, and a file no one can type a password into (an image, a style sheet,
# a script, a font, JSON) on a content network or bucket (`d1a2b3c4d5e6f7.cloudfront.net/img/logo.png`). The
# machine-made look of such a name is the platform's, so those signs are not counted there; brand, lure and path
# signs still are. Pages that render (HTML, SVG, PDF) are not inert.
_PLATFORM_NAMED = frozenset({"random-label", "random-subdomain", "hyphenated-name"})
_INERT_FILES = (".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2",
                ".ttf", ".otf", ".json", ".mp4", ".webm", ".mp3")
_NETLIFY_PREVIEW = re.compile(r"deploy-preview-\d+--[a-z0-9-]+")
_VERCEL_BRANCH = re.compile(r"[a-z0-9-]+-git-[a-z0-9-]+")


def _platform_named(host: HostSigns, name: str, path: str) -> bool:
    """Whether the platform, not its tenant, made the name of `host` (`name`) as a link to `path` reads it: a deploy
    preview, a file that renders no page, a tunnel's name (handed out per run: `3f2a-198-51-100-7.ngrok-free.app`) or
    an object store's (an account's generated name, `pub-<hex>.r2.dev`, or the provider's regional endpoint,
    `s3.eu-west-1.amazonaws.com`; a bucket is named for the files it holds)."""
    return host.kind in PLATFORM_NAMED_KINDS or _ci_preview(host.hosting, name) or _inert_file(path)


def _ci_preview(platform: str, name: str) -> bool:
    """Whether `name` (a host on `platform`) is a Git-connected project's deploy preview or branch build."""
    first = name.split(".", 1)[0]
    if platform == "netlify.app":
        return _NETLIFY_PREVIEW.fullmatch(first) is not None
    return platform == "vercel.app" and _VERCEL_BRANCH.fullmatch(first) is not None


# A page of a project's site on a code platform (`ACCOUNT_PLATFORMS`: GitHub and GitLab Pages, built from a repository
# of static files, `<account>.github.io/<project>/...`): a static HTML page inside the project's folder, with no query
# or fragment. Documentation names its pages for topics and commands (`/<project>/authentication.html`,
# `/<project>/commands/login.html`), so a sign-in word in such a page's name is a topic, not a kit's page: neither the
# kit-path sign nor the landing page floor is read from it. A page at the account's root (`/login.html`), a script, a
# page that carries a query (an address, a token) and every other sign (a brand's folder or name, the name's own
# signs) still count.
_PROJECT_PAGE = re.compile(r"/[a-z0-9][a-z0-9._-]*(?:/[a-z0-9._-]+)*/[a-z0-9_-]+\.html?")


def _project_page(platform: str, path: str) -> bool:
    """Whether `path` (a link's path, query and fragment) on `platform` is a static page inside a project's folder
    on a code platform's pages."""
    return platform in ACCOUNT_PLATFORMS and _PROJECT_PAGE.fullmatch(path.lower()) is not None


def _inert_file(path: str) -> bool:
    """Whether `path` (a link's path, query and fragment) names a file that renders no page."""
    return path.split("?", 1)[0].split("#", 1)[0].lower().endswith(_INERT_FILES)


# `www.` before a free host's tenant (`www.someone.vercel.app`): the platform gives a tenant one name, and
# its certificate covers that level alone, so nobody copies such a link from the page; it is written to
# pass for a site of its own. Beside the free host's own sign it alerts.
DRESSED_TENANT = 0.25


# A name joining a thing kept in a crypto wallet with what a scam asks of its holder (`wallet-sync`,
# `dapp-rectify`: `words.crypto_lure`, the words in `linkdata.CRYPTO_OBJECTS` and `CRYPTO_ACTIONS`): an alert
# alone, a block beside another sign (a brand, a cheap TLD, a free host).
CRYPTO_LURE = 0.55


def _letters_and_digits(owner: str) -> bool:
    """Whether a registered label mixes letters and digits as a registration script does (`s7kqzv`, `k3x9q2p`):
    beside it a ccTLD of `RISKY_CCTLDS` counts. Ordinary names there (words, hyphens, initials, which are how many
    sites under a country's code are named) are left alone."""
    kinds = owner.translate(_KINDS)
    return kinds.count("a0") + kinds.count("0a") >= 3 or short_token(owner)


@lru_cache(maxsize=HOST_CACHE)
def host_signs(name: str) -> HostSigns:
    """The signs of one host name (lower case, IDNA form, within DNS's lengths).

    Cached: the Public Suffix List, brand and confusable work runs once per distinct
    host, whichever message or link it comes in (a bounded, least-recently-used cache)."""
    signals: list[tuple[float, str]] = []
    if _ip_signals(name, signals):
        words = lure_words(name)
        return HostSigns((*_word_signals(words, None), *signals), True, name, 0.0, "", words)
    host = parse_host(name, FREE_HOSTING)
    # Lure words in the name are a claim; in the path they are how every site names its login pages.
    # The label its owner chose is read word by word (`words.py`); the labels beside it are searched.
    owner = skeleton(unicode_form(host.owner_label)) if host.site not in _BRAND_SITES else ""  # as it looks
    owner = owner if owner.isascii() else ""
    read = read_label(owner) if owner else None
    if read is not None and host.platform and host.platform not in FREE_HOSTING:
        # A tenant of a documentation or code platform is a project named for what it does (`oauth-lib`).
        read = NameWords(read.words, read.points, min(read.score, 0.3))
    elsewhere = lure_words(".".join(host.subdomains)) + (0 if owner else lure_words(host.owner_label))
    words = elsewhere + (len(read.words) if read else 0)
    signals.extend(_word_signals(elsewhere, read))
    # Not on a documentation or code platform, whose tenants are projects named for what they do (`tokenauth`).
    lure = crypto_lure(".".join((*host.subdomains, owner))) if owner and (
        not host.platform or host.platform in FREE_HOSTING) else ""
    if lure:
        signals.append((CRYPTO_LURE, f"crypto-lure:{lure}"))
    tld = name.rsplit(".", 1)[-1]
    if tld in RISKY_TLDS and host.site != "nic." + tld:  # `nic.<tld>`: reserved for the TLD's own registry
        signals.append((RISKY_TLDS[tld], f"tld:{tld}"))
    hosting = host.platform
    kind = host_kind(hosting, name)
    if kind in MACHINE_HOSTS:  # someone's own machine under a name nobody registered: weak alone, as a platform
        signals.append((0.2, f"{kind}:{hosting}"))
    elif hosting:  # anyone's page: a sign only beside others (project pages live there too)
        listed = _free_host(hosting)
        signals.append((0.35 if listed else 0.2, f"{'free-hosting' if listed else 'shared-platform'}:{hosting}"))
        if hosting in SITE_BUILDERS:
            signals.append((SITE_BUILDER, "site-builder"))
    brand = _name_signals(host, signals)
    if address_name(name):  # the name's shape is its address's: counted once, as an address
        signals.append((IP_NAME, "ip-name"))
    else:
        _shape_signals(name, host, signals)
    if tld in RISKY_CCTLDS and host.site.count(".") == 1 and _letters_and_digits(host.owner_label):
        signals.append((RISKY_CCTLDS[tld], f"tld:{tld}"))  # a script's name bought directly under it
    # Not read by the learned score: a brand's own name (it learnt brand names from the names that borrow them), and
    # a name that claims a brand (the brand signs weigh that claim; the score would count the brand's name again).
    lexical = None if brand or host.site in _BRAND_SITES else weigh(host_features(host))
    return HostSigns(tuple(signals), False, host.site, brand, hosting, words, lexical, kind)


# The learned lexical score (`urlscore.py`) as a sign: (probability at or above which, weight), highest first.
# Below an alert alone, so it counts only beside a sign a reader can point at; chosen on the tuning parts.
LEXICAL_LEVELS: tuple[tuple[float, float], ...] = ((0.95, 0.35),)
# A name the score is all but sure of makes its link an alert at least (`sure_name`), signs or none: most throwaway
# and crypto-scam names show no sign a reader can point at. A floor, not a weight, so a link that other signs already
# make an alert or a block scores as before. Chosen on the tuning parts.
SURE_NAME = 0.95
SURE_FLOOR = 0.5
SURE_LETTERS = 5  # a shorter name gives the score too few letter triples to be sure of (`abc`, `ft`)


def lexical_weight(host_part: int, path: str) -> float:
    """The weight of the learned score's sign for a link whose name's share of it is `host_part`."""
    chance = probability(host_part, weigh(path_features(path)))
    return next((weight for at, weight in LEXICAL_LEVELS if chance >= at), 0.0)


def sure_name(host: HostSigns, name: str, path: str) -> bool:
    """Whether the learned score is all but sure of the name of `host` (`name`, as written) by the name alone.

    The name alone: the path's weights are learnt from about a hundred phishing links with paths, and an ordinary
    page's path (`/content/<id>`, `/eportal/start`) can tip a middling name over. Not on a documentation or code
    platform, whose tenants are projects named for what they do (as for the name reader), and not where a platform
    made the name (a deploy preview, a file that renders no page: as for the shape signs)."""
    if host.lexical is None or len(host.site.split(".", 1)[0]) < SURE_LETTERS:
        return False
    if host.hosting and (not _free_host(host.hosting) or _platform_named(host, name, path)):
        return False
    return probability(host.lexical, 0) >= SURE_NAME


# A shortened link whose alias is a token the service handed out (`/3xK9pQ`, `/teXqT09LUj`): the reader sees neither
# where it leads nor what it claims, the service can point it elsewhere after this gateway has read the message, and
# the gateway fetches nothing to learn more. An alert. An alias someone chose (`/pycon-talk`, `/paypal-refund`) says
# what it claims, which the other checks read (a brand there is `brand-in-path`).
SHORTENED = 0.5
_ALIAS = re.compile(r"[a-z0-9_-]{4,16}")


def generated_alias(path: str) -> bool:
    """Whether `path` (a shortened link's path, query and fragment) is one alias of 4 to 16 characters that holds a
    digit or whose letters read as no word (`words.unreadable`: two letter triples or more that no word holds)."""
    alias = path.split("?", 1)[0].split("#", 1)[0].strip("/").lower()
    if _ALIAS.fullmatch(alias) is None:
        return False
    return any(char.isdigit() for char in alias) or unreadable(alias.replace("-", "").replace("_", "")) >= 2


def carried(path: str) -> str | None:
    """The link that a link's path or query carries, percent-decoded: a redirector's target
    (`/url?q=https://...`, `?next=https%3A%2F%2F...`), an archived or proxied page."""
    if "://" not in path and "3a" not in path and "3A" not in path:  # most paths: no `://`, `%3a`, `%253a`
        return None
    folded = path.lower()
    if "%3a" in folded or "%253a" in folded:  # once or twice encoded, as redirect chains nest it
        folded = unquote(unquote(folded))
    at = folded.find("://")
    if at < 0:
        return None
    start = at
    while start > 0 and folded[start - 1].isalpha() and at - start < 5:
        start -= 1
    if folded[start:at] not in ("http", "https", "hxxp", "hxxps", "ftp"):
        return None
    end = min((i for i in (folded.find(c, at) for c in "& \t\n") if i >= 0), default=len(folded))
    return folded[start:end]


def judge(link: Link, allow: DomainList, deny: DomainList, *, odd_dots: bool = False) -> Judgement:
    """Score one link in [0, 1] with the reasons that raised it.

    `odd_dots`: the original text spelt the host's dots with characters that only read
    as dots (full-width, ideographic), which nobody types by accident. A link that carries
    another (a redirector's, an archive's) is as risky as the one it leads to."""
    data = _data_url(link)
    if data is not None:
        return data
    parts = _split(link.url)
    own = _judge(link, parts, allow, deny, odd_dots)
    inner = carried(parts[3][:MAX_PATH])
    for _ in range(2):  # a redirect inside a redirect, and no further (bounded work per link)
        if inner is None:
            break
        parts = _split(inner)
        judged = _judge(Link(link.start, link.end, inner), parts, allow, deny, False)
        if judged.score > own.score:
            own = Judgement(link, judged.score, ("carried-link", *judged.reasons))
        inner = carried(parts[3])
    return own


def _judge(link: Link, parts: tuple[str, str, str, str], allow: DomainList, deny: DomainList,
           odd_dots: bool) -> Judgement:
    """One link's own signs (`parts`: its `_split`), leaving aside any link it carries."""
    userinfo, raw_host, port, path = parts
    if len(raw_host) > 2 * MAX_HOST:  # too long for DNS however it is spelt: not normalised at all
        return Judgement(link, 0.3, ("invalid-host",))
    name = normalise_host(raw_host)
    if not name:
        return Judgement(link, 0.0, ())
    path = path[:MAX_PATH]
    if deny.matches(name, path.split("?")[0]):
        return Judgement(link, 1.0, ("denylist",))
    if allow.has_host(name):
        return Judgement(link, 0.0, ("allowlist",))
    if len(name) > MAX_HOST or max(map(len, name.split("."))) > MAX_LABEL:
        # DNS cannot resolve it, so it leads nowhere; not read further (bounded work per link).
        return Judgement(link, 0.3, ("invalid-host",))
    signals: list[tuple[float, str]] = []
    if userinfo:  # `paypal.com@evil.example` reads as PayPal; `user:secret@host`, `git@host` are logins
        disguise = "." in userinfo or _LONG_BRANDS.search(userinfo) is not None
        signals.append((0.75, "userinfo") if disguise else (0.3, "credentials-in-link"))
    if odd_dots:
        signals.append((0.45, "unicode-dots"))
    host = host_signs(name)
    signals.extend(host.signals)
    if not path and link.url == raw_host and raw_host[:4].lower() != "www." and name.rsplit(".", 1)[-1] in FILE_TLDS:
        # `report.zip`, `video.mov` written alone are file names far more often than sites: the TLD's
        # own sign is left out there (a brand or lure in the name still counts; with a scheme it is a site)
        signals = [signal for signal in signals if not signal[1].startswith("tld:")]
    platform_named = bool(host.kind) and _platform_named(host, name, path)
    if platform_named:
        signals = [signal for signal in signals if signal[1] not in _PLATFORM_NAMED]
    if raw_host[:4].lower() == "www." and _free_host(host.hosting):  # the host's signs read it without `www.`
        signals.append((DRESSED_TENANT, "www-on-free-host"))
    in_path = lure_words(path)
    if in_path:
        signals.append((0.15 if in_path == 1 else 0.25, "path-keywords"))
    if host.address:
        if _LONG_BRANDS.search(path):
            signals.append((0.5, "brand-in-path"))
        return _finish(link, signals)
    if host.site in SHORTENERS and path.strip("/?#"):
        signals.append((SHORTENED if generated_alias(path) else 0.45, "shortener"))
        if _LONG_BRANDS.search(path):  # the alias is all the reader sees: a brand there is a claim
            signals.append((0.3, "brand-in-path"))
    # Read only beside a lure word in the path (without one the claim could not raise an alert alone).
    claimed = None if not in_path or host.brand or host.site in _BRAND_SITES else brand_page(path, host.site)
    if claimed:  # a brand's site hosts accounts named by others (`github.com/paypal-login`): not read there
        signals.append((BRAND_PAGE, f"brand-page:{claimed}"))
    if port and port not in ("80", "443", "8080", "8443"):
        signals.append((0.2, "odd-port"))
    folder = None if host.brand or claimed or host.site in _BRAND_SITES else brand_folder(path, host.site)
    if folder:
        signals.append((BRAND_FOLDER, f"brand-folder:{folder}"))
    if ipfs_page(raw_host, path):
        signals.append((IPFS_PAGE, "ipfs-page"))
    if victim_address(path, host.site):
        signals.append((VICTIM_ADDRESS, "victim-address"))
    if in_path and site_in_path(path):  # it needs a lure word after the directory
        signals.append((SITE_IN_PATH, "site-in-path"))
    if query_address(path, host.site):
        signals.append((QUERY_ADDRESS, "query-address"))
    uploaded = uploaded_page(path)
    project_page = _project_page(host.hosting, path)
    if (_KIT.search(path) and not project_page) or page_in_files(path) or uploaded:
        signals.append((0.25, "kit-path"))  # the file names and parameters of phishing kits, pages among files
        if uploaded:
            signals.append((UPLOADED_PAGE, "uploaded-page"))
        if in_path and deep_sign_in(path):
            signals.append((DEEP_SIGN_IN, "deep-sign-in"))
        if not host.brand and not claimed and _LONG_BRANDS.search(_without_addresses(path)):
            signals.append((0.3, "brand-in-path"))
    elif _free_host(host.hosting) and in_path and not host.brand and not claimed \
            and _NAMED_BRANDS.search(_PATH_GAPS.sub("", _without_addresses(path))):
        # Anyone's page on a free host whose path names a brand (its words run together, as a reader takes
        # them) beside a sign-in or payment word: a claim the tenant cannot back. Not on documentation
        # platforms, where a project documents signing in with the brand (`/docs/auth/google`).
        signals.append((0.3, "brand-in-path"))
    if link.url.startswith(("http://", "hxxp://")) and (host.words or in_path or host.brand or host.hosting):
        signals.append((0.15, "plain-http"))
    if host.lexical is not None and not platform_named and (lexical := lexical_weight(host.lexical, path)):
        signals.append((lexical, "lexical-score"))
    if host.kind and not _ci_preview(host.hosting, name) and not project_page \
            and landing_page(host.kind, path, host.site):
        signals.append((0.0, f"landing-page:{host.kind}"))  # a floor, below: an alert at least
        floor = LANDING_FLOOR
    else:
        floor = 0.0
    if sure_name(host, name, path):
        signals.append((0.0, "lexical-sure"))
        floor = max(floor, SURE_FLOOR)
    judged = _finish(link, signals)
    return Judgement(link, max(judged.score, floor), judged.reasons) if floor else judged


def _finish(link: Link, signals: list[tuple[float, str]]) -> Judgement:
    return Judgement(link, combine(score for score, _ in signals), tuple(why for _, why in signals))
