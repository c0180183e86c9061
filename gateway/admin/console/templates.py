"""HTML of the console: `string.Template`s whose values are escaped unless marked `Safe`.

The same rule as the sign-in pages: no template engine, escaping by default, no inline script or
style (the CSP forbids both), one stylesheet and one script from the admin listener itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from string import Template

from gateway.auth.templates import Safe, render

__all__ = ["Safe", "render", "rows", "select", "table"]

LAYOUT = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title - chatguard console</title>
<link rel="stylesheet" href="$static/console.css">
<script src="$static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">chatguard console</span>
<nav aria-label="Console pages"><ul>$nav</ul></nav>
<form class="whoami" method="post" action="$root/logout">
<input type="hidden" name="csrf" value="$csrf">
<span>$operator</span> <button type="submit" class="link">Sign out</button>
</form>
</header>
<main id="main" tabindex="-1">
<h1>$title</h1>
$notice$content
</main>
</body>
</html>
""")

NAV_ITEM = Template('<li><a href="$href"$current>$label</a></li>')
NOTICE_OK = Template('<p class="notice ok" role="status" id="notice">$message</p>\n')
NOTICE_BAD = Template('<p class="notice bad" role="alert" id="notice">$message</p>\n')
HIDDEN_CSRF = Template('<input type="hidden" name="csrf" value="$csrf">')


def table(caption: str, headers: Sequence[str], body: Iterable[Sequence[object]], ident: str,
          empty: str = "Nothing to show.") -> Safe:
    """A captioned table; cells are escaped unless `Safe` (forms, links)."""
    head = "".join(f'<th scope="col">{render(Template("$h"), h=h)}</th>' for h in headers)
    lines = rows(body)
    if not lines:
        lines = Safe(f'<tr><td colspan="{len(headers)}" class="empty">{render(Template("$e"), e=empty)}</td></tr>')
    return Safe(f'<table id="{ident}"><caption>{render(Template("$c"), c=caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>\n")


def rows(body: Iterable[Sequence[object]]) -> Safe:
    cell = Template("$v")
    return Safe("".join("<tr>" + "".join(f"<td>{render(cell, v=v)}</td>" for v in row) + "</tr>" for row in body))


def select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str = "") -> Safe:
    """A labelled `<select>`; `options` are (value, text)."""
    item = Template('<option value="$v"$s>$t</option>')
    opts = "".join(render(item, v=v, t=t, s=Safe(" selected" if v == chosen else "")) for v, t in options)
    return render(Template('<div class="field"><label for="$id">$label</label>'
                           '<select id="$id" name="$name">$opts</select></div>'),
                  id=f"f-{name}", label=label, name=name, opts=Safe(opts))
