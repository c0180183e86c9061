"""Phishing-kit and ordinary links with paths, composed here from parts, and the share of each flagged.

    .venv/bin/python benchmarks/threat/urlpaths.py [--count 1000] [--seed 7] [--show 10]

`hostnames.py` measures what a host name alone says; this measures what the rest of a link adds.
The phishing generators follow how kits are described in public write-ups of phishing kits: a kit
is unzipped into a directory named for the brand it copies (`/paypal/login.php`, `/netflix-verify/`),
often under a broken-into site's `wp-content`, and the link sent to a victim may carry the victim's
address (`?email=`, or in the fragment, plain or base64) so the page greets them by name. The hosts
are an ordinary organisation's (a broken-into site: the host says nothing) or a pronounceable
throwaway name (says nothing but its TLD). The ordinary generators are the links closest to those:
a brand's own sign-in pages, a site's own sign-in, account and password-reset pages (ids included),
documentation of signing in with a brand's account, repositories and packages named for a brand's
sign-in, questions and articles about it, invitations that carry the invitee's address; and ordinary pages
on the kinds of host `filters/threat/landing.py` reads (documentation, blogs, bucket files, tunnels, home
servers under dynamic DNS names). Nothing comes from a corpus or a feed. Prints the share flagged per generator (blocked or an alert
suggested, as the threat benchmark counts).
"""

from __future__ import annotations

import base64
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from benchmarks.threat.hostnames import (  # noqa: E402
    _NOUNS,
    _NOUNS2,
    _ordinary_trade,
    _throwaway_pronounceable,
    arguments,
    names,
)
from filters import Action  # noqa: E402
from filters.threat import ThreatFilter, ThreatOptions  # noqa: E402

Maker = Callable[[random.Random], str]

# Brands kits copy most (public brand-phishing rankings), by the name a kit's directory takes, and
# their own sites.
_BRANDS = {"paypal": "paypal.com", "netflix": "netflix.com", "microsoft": "microsoft.com",
           "office365": "office.com", "outlook": "live.com", "amazon": "amazon.com", "facebook": "facebook.com",
           "instagram": "instagram.com", "dropbox": "dropbox.com", "docusign": "docusign.com",
           "coinbase": "coinbase.com", "metamask": "metamask.io", "linkedin": "linkedin.com",
           "adobe": "adobe.com", "wellsfargo": "wellsfargo.com", "chase": "chase.com", "dhl": "dhl.com",
           "fedex": "fedex.com", "usps": "usps.com", "allegro": "allegro.pl", "inpost": "inpost.pl",
           "google": "google.com", "apple": "apple.com", "spotify": "spotify.com", "steam": "steampowered.com"}
# What a kit's page is called: signing in, checking, paying, tracking.
_PAGES = "login signin sign-in logon verify verification validate confirm account secure update billing " \
         "payment unlock recover session auth webscr tracking".split()
_EXTENSIONS = ["", "", "/", ".php", ".html", ".htm", "/index.php", "/index.html"]
_NESTS = "wp-content/plugins wp-content/themes wp-content/uploads wp-includes/css wp-admin/includes " \
         "images/.well-known/pki-validation assets/img".split()
_PEOPLE = "anna.kowalska jsmith m.mueller pierre.dupont laura.garcia tom info office kasia j.nowak".split()
_MAIL = "gmail.com outlook.com wp.pl onet.pl gmx.de yahoo.com web.de orange.fr hotmail.com".split()
_FIELDS = "email e mail login user username u".split()
_DOCS_HOSTS = "docs.example-auth.dev authlib.readthedocs.io www.passportjs.org next-auth.js.org " \
              "developer.mozilla.org docs.djangoproject.com supabase.com clerk.com".split()
_FRAMEWORKS = "react django flask rails laravel nextjs vue express spring flutter android ios".split()
_QUESTION = "fails with error returns 401 not working after update redirect uri mismatch in production " \
            "button not showing token expired".split()


def _host(rng: random.Random) -> str:
    """A broken-into organisation's site or a throwaway name."""
    return (_ordinary_trade if rng.random() < 0.5 else _throwaway_pronounceable)(rng)


def _victim(rng: random.Random) -> str:
    return f"{rng.choice(_PEOPLE)}@{rng.choice(_MAIL)}"


def _hexid(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _kit_directory(rng: random.Random) -> str:
    """A kit unzipped into a directory named for the brand: `/paypal/login.php`, `/netflix/verify/`."""
    page = rng.choice(_PAGES) + rng.choice(_EXTENSIONS)
    return f"https://{_host(rng)}/{rng.choice(list(_BRANDS))}/{page}"


def _kit_slug(rng: random.Random) -> str:
    """The brand and the page in one name: `/paypal-verify/`, `/secure_netflix`, `/dhltracking.html`."""
    words = [rng.choice(list(_BRANDS)), rng.choice(_PAGES)]
    rng.shuffle(words)
    return f"https://{_host(rng)}/" + rng.choice(("-", "_", "")).join(words) + rng.choice(_EXTENSIONS)


def _kit_nested(rng: random.Random) -> str:
    """A kit deep in a broken-into WordPress site: `/wp-content/plugins/x/paypal/login.php`."""
    return (f"https://{_ordinary_trade(rng)}/{rng.choice(_NESTS)}/{_hexid(rng, rng.randint(4, 8))}/"
            f"{rng.choice(list(_BRANDS))}/{rng.choice(_PAGES)}{rng.choice(_EXTENSIONS)}")


def _kit_victim(rng: random.Random) -> str:
    """A link made for one victim: their address in the query or the fragment, plain or base64."""
    address = _victim(rng)
    carried = rng.choice((address, base64.b64encode(address.encode()).decode().rstrip("=")))
    path = rng.choice(("", rng.choice(_PAGES) + "/", _hexid(rng, 8) + "/", rng.choice(list(_BRANDS)) + "/"))
    tail = f"#{carried}" if rng.random() < 0.5 else f"?{rng.choice(_FIELDS)}={carried}"
    return f"https://{_host(rng)}/{path}{tail}"


def _brand_own(rng: random.Random) -> str:
    """A brand's own sign-in and account pages: `https://www.paypal.com/signin`, `accounts.google.com/...`."""
    site = rng.choice(list(_BRANDS.values()))
    sub = rng.choice(("www.", "", "accounts.", "login.", "secure.", "my."))
    path = rng.choice(_PAGES) + rng.choice(("", "/", "?returnUrl=%2Fhome", f"/{_hexid(rng, 12)}"))
    return f"https://{sub}{site}/{path}"


def _site_own(rng: random.Random) -> str:
    """An organisation's own sign-in, account and reset pages, ids included."""
    path = rng.choice(("login", "account", "my-account", "user/login", "wp-login.php", "wp-admin/",
                       f"account/verify?token={_hexid(rng, 32)}", f"password/reset/{_hexid(rng, 40)}",
                       "customer/account/login/", "signin?next=%2Fdashboard", "billing/invoices",
                       "secure/checkout", "members/update-details"))
    return f"https://{_ordinary_trade(rng)}/{path}"


def _docs(rng: random.Random) -> str:
    """Documentation of signing in with a brand's account."""
    brand = rng.choice(list(_BRANDS))
    path = rng.choice((f"docs/authentication/social-connections/{brand}", f"providers/{brand}",
                       f"docs/auth/{brand}", f"guides/auth/social-login/auth-{brand}",
                       f"en/latest/client/{brand}.html", f"docs/integrations/{brand}-login",
                       f"packages/passport-{brand}-oauth2/"))
    return f"https://{rng.choice(_DOCS_HOSTS)}/{path}"


def _code(rng: random.Random) -> str:
    """Repositories and packages named for a brand's sign-in: clones and SDKs people share."""
    brand, page = rng.choice(list(_BRANDS)), rng.choice(_PAGES)
    user = rng.choice(("jsmith", "octo-dev", "kowalski92", "mmueller", "acme-labs"))
    return rng.choice((f"https://github.com/{user}/{brand}-{page}-clone", f"https://github.com/{user}/{brand}-{page}",
                       f"https://www.npmjs.com/package/{brand}-{page}", f"https://pypi.org/project/{brand}-{page}/",
                       f"https://gitlab.com/{user}/{brand}-{page}-demo"))


def _question(rng: random.Random) -> str:
    """Questions and articles about signing in with a brand."""
    brand, page = rng.choice(list(_BRANDS)), rng.choice(("login", "sign-in", "oauth", "payment", "verification"))
    words = "-".join(rng.sample(_QUESTION, rng.randint(2, 4)))
    return rng.choice((f"https://stackoverflow.com/questions/{rng.randint(10**6, 10**8)}/{brand}-{page}-{words}",
                       f"https://{_ordinary_trade(rng)}/blog/how-to-add-{brand}-{page}-to-{rng.choice(_FRAMEWORKS)}",
                       f"https://dev.to/{rng.choice(('anna', 'tom'))}/{brand}-{page}-with-"
                       f"{rng.choice(_FRAMEWORKS)}-{_hexid(rng, 4)}"))


def _invitation(rng: random.Random) -> str:
    """An invitation or sign-up link that carries the invitee's address."""
    return f"https://{_ordinary_trade(rng)}/{rng.choice(('invite', 'signup', 'register', 'join'))}?" \
           f"{rng.choice(('email', 'invitee'))}={_victim(rng)}&code={_hexid(rng, 10)}"


# Where a shop or an application keeps a provider's pages (payment modules, sign-in routes, integration guides, brand
# catalogues), and what follows the provider's name there.
_INTEGRATIONS = ("checkout/{b}/", "payment/{b}/return", "modules/{b}/validation.php", "{b}/ipn.php",
                 "docs/integrations/{b}", "integrations/{b}/setup", "auth/{b}/callback", "accounts/{b}/login/",
                 "login/{b}", "connect/{b}", "apps/{b}", "brands/{b}/", "tag/{b}/", "category/{b}/accessories",
                 "help/{b}/sign-in-problems", "support/{b}/account-settings", "wp-content/plugins/{b}-payments/",
                 "settings/connections/{b}", "shop/{b}-gift-card.html", "download/{b}.html")


def _integration(rng: random.Random) -> str:
    """A shop's or application's page about a provider: `/checkout/paypal/`, `/docs/integrations/dropbox`."""
    brand = rng.choice(list(_BRANDS))
    return f"https://{_ordinary_trade(rng)}/" + rng.choice(_INTEGRATIONS).format(b=brand)


_DIRECTORIES = "access admin data ac ct in go v wyoming state mxd files new web home x1 tmp".split()


def _kit_folder(rng: random.Random) -> str:
    """A kit unzipped deep in a broken-into site, in a folder of the brand's name or the brand and a word, the brand
    repeated below it or a page file in it: `/access/wellsfargo/wells/wells.htm`, `/ac/in/office365-business/`."""
    brand = rng.choice([b for b in _BRANDS if b not in ("apple", "chase", "steam")])
    dirs = "/".join(rng.sample(_DIRECTORIES, rng.randint(0, 4)))
    folder = rng.choice((brand, f"{brand}-{rng.choice(('business', 'team', 'online', 'doc', 'files'))}",
                         f"{brand}.{rng.choice(('team', 'online', 'new'))}"))
    tail = rng.choice((f"{brand}/", f"{brand}/{brand}/", f"{brand[:5]}/{brand[:5]}.htm", "index.html", "",
                       f"{_hexid(rng, 6)}/", "main.php"))
    return f"https://{_host(rng)}/" + (f"{dirs}/" if dirs else "") + f"{folder}/{tail}"


# Free hosts where projects, portfolios and previews live, and what they call a preview.
_FREE_HOSTS = "vercel.app netlify.app pages.dev web.app firebaseapp.com github.io gitlab.io onrender.com " \
              "herokuapp.com blogspot.com surge.sh".split()
_ADJECTIVES = "gleaming quiet brave sunny misty silver lucky rapid gentle bold".split()


def _tenant(rng: random.Random) -> str:
    """A project's or person's name on a free host: `star-notes`, `anna-portfolio`, a preview's generated name."""
    return rng.choice((f"{rng.choice(_NOUNS)}-{rng.choice(_NOUNS2)}", f"{rng.choice(_NOUNS)}{rng.choice(_NOUNS2)}",
                       f"{rng.choice(('anna', 'tom', 'kasia', 'jsmith'))}-{rng.choice(('portfolio', 'blog', 'cv'))}",
                       f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{_hexid(rng, 6)}"))


def _project_page(rng: random.Random) -> str:
    """A project's page on a free host as it is shared: copied from the address bar, or its bare name."""
    host = f"{_tenant(rng)}.{rng.choice(_FREE_HOSTS)}"
    return rng.choice((f"https://{host}/", f"https://{host}/{rng.choice(('docs/', 'about', 'blog/2024/05/notes'))}",
                       host))


def _project_page_typed(rng: random.Random) -> str:
    """The same pages typed by hand with `http://`: what the sign of plain HTTP under an HTTPS-only TLD costs."""
    return f"http://{_tenant(rng)}.{rng.choice(_FREE_HOSTS)}/"


# Ordinary pages on the kinds of host `filters/threat/landing.py` reads, written from how each is used: project
# documentation as Sphinx, MkDocs and Docusaurus name their pages (one topic a page: `installation.html`,
# `security.html`, a command's page `commands/login.html`), blogs as Blogger and static generators name posts, a
# project's release files and data in a bucket (and a static site's `index.html` there), a developer's tunnel shown to
# a colleague (a webhook, an API's docs, the root), a home server under a dynamic DNS name (its root, an app's folder,
# a media server's web page).
_DOC_HOSTS = "github.io gitlab.io netlify.app vercel.app pages.dev web.app gitbook.io".split()
_DOC_PAGES = ("", "index.html", "installation.html", "quickstart.html", "usage.html", "api.html", "changelog.html",
              "security.html", "authentication.html", "configuration.html", "faq.html", "tutorial/index.html",
              "reference/cli.html", "commands/login.html", "docs/getting-started/", "guide/deploy.html",
              "en/latest/index.html", "en/stable/api.html")
_BLOG_HOSTS = "blogspot.com wordpress.com github.io netlify.app pages.dev".split()
_FILES = ("releases/v1.2.0/tool-1.2.0.tar.gz", "data/2024/measurements.csv", "docs/manual.pdf", "img/logo.png",
          "builds/app-latest.zip", "index.html", "report.pdf", "assets/site.css")
_TUNNELS = "trycloudflare.com ngrok-free.app ngrok.app loca.lt".split()
_TUNNEL_PATHS = ("", "/", "/api/webhook", "/docs", "/health", "/webhooks/github", "/graphql", "/admin/")
_DDNS = "duckdns.org ddns.net hopto.org dyndns.org mooo.com".split()
_DDNS_PATHS = ("/", ":8123/", "/nextcloud/", "/jellyfin/web/index.html", ":32400/web/", "/photos/", "/git/")


def _doc_page(rng: random.Random) -> str:
    """A project's documentation on a free host."""
    project = f"{rng.choice(_NOUNS)}{rng.choice(('', '-', 'py', 'js'))}{rng.choice(_NOUNS2)}"
    host = rng.choice(_DOC_HOSTS)
    base = f"https://{rng.choice(('anna', 'tom-k', 'orgname', project))}.{host}/{project}" \
        if host in ("github.io", "gitlab.io") else f"https://{project}.{host}"
    return f"{base}/{rng.choice(_DOC_PAGES)}"


def _blog_post(rng: random.Random) -> str:
    """A post on a free blog host, as Blogger (`/2024/05/slug.html`) or a static generator (`/posts/slug/`) names it."""
    slug = f"{rng.choice(_NOUNS)}-{rng.choice(('notes', 'update', 'review', 'trip', 'release', 'login-page-redesign'))}"
    host = f"{rng.choice(('anna', 'tomsblog', 'kasia-writes', rng.choice(_NOUNS)))}.{rng.choice(_BLOG_HOSTS)}"
    return rng.choice((f"https://{host}/{rng.randint(2015, 2025)}/{rng.randint(1, 12):02d}/{slug}.html",
                       f"https://{host}/posts/{slug}/", f"https://{host}/p/about.html", f"https://{host}/"))


def _bucket_file(rng: random.Random) -> str:
    """A project's files in object storage, path-style and virtual-hosted."""
    bucket = f"{rng.choice(_NOUNS)}-{rng.choice(('releases', 'data', 'public', 'assets', 'site'))}"
    host = rng.choice((f"storage.googleapis.com/{bucket}", f"{bucket}.s3.amazonaws.com",
                       f"s3.eu-west-1.amazonaws.com/{bucket}", f"pub-{_hexid(rng, 16)}.r2.dev",
                       f"{bucket}.blob.core.windows.net/public"))
    return f"https://{host}/{rng.choice(_FILES)}"


def _tunnel_link(rng: random.Random) -> str:
    """A developer's service behind a tunnel, shared with a colleague."""
    name = rng.choice((f"{_hexid(rng, 4)}-203-0-113-{rng.randint(1, 254)}",
                       f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{rng.choice(_NOUNS2)}", _hexid(rng, 8)))
    return f"https://{name}.{rng.choice(_TUNNELS)}{rng.choice(_TUNNEL_PATHS)}"


def _home_server(rng: random.Random) -> str:
    """A home server under a dynamic DNS name."""
    name = f"{rng.choice(('anna', 'tom', 'kowalski', 'casa'))}{rng.choice(('-nas', 'home', '-cloud', 'media'))}"
    return f"{rng.choice(('http', 'https'))}://{name}.{rng.choice(_DDNS)}{rng.choice(_DDNS_PATHS)}"


GENERATORS: dict[str, tuple[str, Maker]] = {
    "kit: brand directory": ("phishing", _kit_directory),
    "kit: brand and page in one name": ("phishing", _kit_slug),
    "kit: deep in wp-content": ("phishing", _kit_nested),
    "kit: the victim's address carried": ("phishing", _kit_victim),
    "kit: brand folder deep in a site": ("phishing", _kit_folder),
    "ordinary: a brand's own sign-in": ("ordinary", _brand_own),
    "ordinary: a site's own sign-in": ("ordinary", _site_own),
    "ordinary: sign-in documentation": ("ordinary", _docs),
    "ordinary: repositories, packages": ("ordinary", _code),
    "ordinary: questions, articles": ("ordinary", _question),
    "ordinary: invitations": ("ordinary", _invitation),
    "ordinary: a provider's pages on a site": ("ordinary", _integration),
    "ordinary: project pages, free hosts": ("ordinary", _project_page),
    "ordinary: the same typed with http://": ("ordinary", _project_page_typed),
    "ordinary: documentation, free hosts": ("ordinary", _doc_page),
    "ordinary: blog posts, free hosts": ("ordinary", _blog_post),
    "ordinary: files in a bucket": ("ordinary", _bucket_file),
    "ordinary: a service behind a tunnel": ("ordinary", _tunnel_link),
    "ordinary: a home server, dynamic DNS": ("ordinary", _home_server),
}


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    threat = ThreatFilter(ThreatOptions(sink="bot"))
    print(f"  {'generator':36} {'links':>6} {'flagged':>8}")
    for name, (kind, make) in GENERATORS.items():
        texts = names(make, args.count, args.seed)
        verdicts = [threat.decide(text) for text in texts]
        flagged = [v.action is not Action.PASS or v.hints.alert for v in verdicts]
        print(f"  {name:36} {len(texts):6d} {sum(flagged) / len(texts):8.1%}")
        odd = [t for t, f in zip(texts, flagged, strict=True) if f != (kind == "phishing")]
        for text in odd[:args.show]:
            print(f"      {'missed' if kind == 'phishing' else 'flagged'}: {text}")


if __name__ == "__main__":
    main()
