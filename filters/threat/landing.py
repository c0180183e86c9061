"""A landing page on a host where anyone can put a page up in a minute, under a name nobody registered.

Site builders, static and application hosts, object storage, tunnels and dynamic DNS hand out names for free and
at once (`linkdata.FREE_HOSTING`, `TUNNELS`, `DYNAMIC_DNS`, `OBJECT_STORAGE`), so a phishing page needs no domain
of its own, no registrar's record and no certificate; the provider's name and certificate are what the reader sees.
Project pages live there too, so the host alone is a weak sign. A page shaped as a landing page is more: a page
file named by signing in (`/login.html`, `/secure/verify.php`, `/wallet/index.html`) on any such host, any page
file (HTML, a script) in a bucket, behind a tunnel or on a dynamic DNS name, whose hosts serve files or someone's
own machine, or a page that carries a reader's e-mail address. Such a link is an alert at least (a floor, as
`links.sure_name`); its other signs may make it a block.

An application's routes have no file extension (`/login`, `/account/settings`), and documentation names its pages
for topics (`security.html`, `migration.html`, `authentication.html`): neither is read as a landing page on a
static host. A page file named for signing in is what a kit unzipped on the host is.
"""

from __future__ import annotations

import re

from filters.threat.linkdata import DYNAMIC_DNS, FREE_HOSTING, OBJECT_STORAGE, STORAGE_HOSTS, TUNNELS
from filters.threat.words import segment

LANDING_FLOOR = 0.5
# What a web server renders or runs as a page (not a file to download or an image).
PAGE_FILES = (".html", ".htm", ".shtml", ".xhtml", ".php", ".asp", ".aspx", ".jsp")
_EXTENSION = re.compile(r"\.(?:s?html?|xhtml|php|aspx?|jsp)$")
# Words a kit names its sign-in page by (English and the sign-in words of the languages the link reader knows), and
# the words that may stand beside one (`secure-login`, `my-account`, `verify-wallet`). A topic's page (`security`,
# `update`, `migration`) holds none of the first.
SIGN_IN = frozenset("""
login logon signin signon verify verification unlock unblock reactivate reactivation webscr wallet wallets claim
airdrop account accounts password logowanie zaloguj anmelden anmeldung connexion identifiant inloggen acceso acesso
accedi accesso giris masuk konto compte cuenta conta
""".split())
_BESIDE = SIGN_IN | frozenset("my secure security online update confirm validate connect restore recover".split())
# The kinds of host, by the suffix the provider hands names out under.
KINDS: dict[str, str] = {
    **dict.fromkeys(FREE_HOSTING, "free-host"), **dict.fromkeys(OBJECT_STORAGE, "storage"),
    **dict.fromkeys(TUNNELS, "tunnel"), **dict.fromkeys(DYNAMIC_DNS, "dynamic-dns"),
}
# Hosts that serve files and machines, not sites: any page there is a landing page.
_FILE_KINDS = frozenset({"storage", "tunnel", "dynamic-dns"})
# Someone's own machine (a tunnel's relay, a dynamic DNS name): not a place to publish, so the host alone weighs as
# a shared platform's does; a landing page there is what counts.
MACHINE_HOSTS = frozenset({"tunnel", "dynamic-dns"})
# Where the platform makes the names (a tunnel per run, a bucket's generated or regional host): their shape says
# nothing of who uses them.
PLATFORM_NAMED_KINDS = frozenset({"tunnel", "storage"})
_S3 = re.compile(r"s3[.-](?:[a-z0-9-]+\.)*amazonaws\.com")  # a regional S3 endpoint: `s3.eu-west-1.amazonaws.com`
_ADDRESS = re.compile(r"[a-z0-9._%+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)")


def host_kind(platform: str, name: str) -> str:
    """The kind of host `name` is (`free-host`, `storage`, `tunnel`, `dynamic-dns`) given its shared `platform`
    (`hosts.Host.platform`, or ""), or "" for a site of its own. A bucket on the provider's own host
    (`storage.googleapis.com`, `s3.<region>.amazonaws.com`) is storage."""
    if name in STORAGE_HOSTS or _S3.fullmatch(name) is not None:
        return "storage"
    if not platform:
        return ""
    if _S3.fullmatch(platform) is not None:
        return "storage"
    suffix = platform
    for _ in range(platform.count(".")):  # `nyc3.digitaloceanspaces.com` is under `digitaloceanspaces.com`
        kind = KINDS.get(suffix)
        if kind:
            return kind
        suffix = suffix.split(".", 1)[1]
    return ""


def _signs_in(segment_text: str) -> bool:
    """Whether a path segment is named by one or two sign-in words alone, its file extension aside
    (`login.html`, `secure-login.php`, `verify_wallet`, `my-account`)."""
    letters = _EXTENSION.sub("", segment_text).replace("-", "").replace("_", "")
    if not 4 <= len(letters) <= 24 or not letters.isalpha() or not letters.isascii():
        return False
    words = segment(letters)
    return 1 <= len(words) <= 2 and all(word in _BESIDE for word in words) and any(word in SIGN_IN for word in words)


def landing_page(kind: str, path: str, site: str) -> bool:
    """Whether a link with `path` (its path, query and fragment, at most `links.MAX_PATH`) on a host of `kind`
    (`host_kind`) whose registered domain is `site` is shaped as a landing page."""
    if not kind:
        return False
    folded = path.lower()
    cut = min((at for at in (folded.find("?"), folded.find("#")) if at >= 0), default=len(folded))
    page, rest = folded[:cut], folded[cut:]
    if "@" in rest or "%40" in rest:  # an address in the query or fragment: a page made for one reader
        carried = _ADDRESS.search(rest.replace("%40", "@"))
        if carried is not None and carried.group(1) != site and not carried.group(1).endswith("." + site):
            return True
    segments = [part for part in page.split("/") if part]
    if not segments:
        return False
    is_page = segments[-1].endswith(PAGE_FILES)
    if kind in _FILE_KINDS:
        return is_page or any(map(_signs_in, segments))
    return is_page and any(map(_signs_in, segments))
