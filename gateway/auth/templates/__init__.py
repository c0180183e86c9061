"""HTML for the sign-in pages, as `string.Template`s: every value is escaped unless marked `Safe`.

Plain Python strings keep the pages free of a template engine and of package data;
escaping is the default so a value from a request (a user name, a return path) can never
become markup. The pages load one stylesheet from the gateway and nothing else: the
strict CSP on gateway pages forbids inline script and style, and so do these templates.
"""

from __future__ import annotations

import html
from string import Template

__all__ = ["Safe", "render"]


class Safe(str):
    """A fragment already rendered by `render` (or a constant): inserted as is."""


def render(template: Template, **values: object) -> Safe:
    escaped = {k: v if isinstance(v, Safe) else html.escape(str(v), quote=True) for k, v in values.items()}
    return Safe(template.substitute(escaped))


LAYOUT = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title - chatguard</title>
<link rel="stylesheet" href="$static/pages.css">
</head>
<body>
<main class="card">
<h1>$title</h1>
$notice$content
</main>
</body>
</html>
""")

ERROR = Template('<p class="notice error" role="alert" id="error">$message</p>\n')
INFO = Template('<p class="notice info" role="status" id="info">$message</p>\n')

LOGIN = Template("""<form method="post" action="$action" autocomplete="on">
<input type="hidden" name="csrf" value="$csrf">
<input type="hidden" name="next" value="$next">
<label for="username">Username</label>
<input id="username" name="username" value="$username" autocomplete="username" maxlength="64" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>
<button type="submit">Sign in</button>
</form>
""")

MFA = Template("""<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
<form method="post" action="$action" autocomplete="off">
<input type="hidden" name="csrf" value="$csrf">
<input type="hidden" name="next" value="$next">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus>
<button type="submit">Verify</button>
</form>
""")

ENROL = Template("""<p>Scan this code with an authenticator app (for example FreeOTP, Aegis or Google
Authenticator), then enter the 6-digit code it shows.</p>
<figure class="qr"><img src="$qr" alt="QR code for your authenticator app" width="240" height="240"></figure>
<p>Cannot scan? Enter this key by hand (time-based, 6 digits, 30 seconds):</p>
<p class="secret"><code id="secret">$secret</code></p>
<form method="post" action="$action" autocomplete="off">
<input type="hidden" name="csrf" value="$csrf">
<input type="hidden" name="next" value="$next">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required autofocus>
<button type="submit">Turn on two-factor sign-in</button>
</form>
""")

RECOVERY = Template("""<p>Two-factor sign-in is on. Keep these recovery codes somewhere safe: each one signs
you in once if you lose your authenticator. They are shown only now.</p>
<ul class="codes" id="recovery-codes">
$codes</ul>
<p><a class="button" id="continue" href="$next">Continue</a></p>
""")

CODE = Template("<li><code>$code</code></li>\n")

LOGOUT = Template("""<p>Sign out of chatguard on this browser?</p>
<form method="post" action="$action">
<input type="hidden" name="csrf" value="$csrf">
<button type="submit">Sign out</button>
</form>
""")

LINK = Template('<p><a href="$href">$text</a></p>\n')
