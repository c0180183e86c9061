"""Policy: the loaded routes and their access rules, what each role expands to, and an explain form.

Explain runs `gateway.tools.explain.decide` on the running config (the same route table and compiled
rules the gateway uses), so the answer on the page is the gateway's answer. Running it is an action:
it is audited with what was asked, like every other console action.
"""

from __future__ import annotations

from string import Template

from aiohttp import web

from gateway.admin.console import templates as t
from gateway.admin.console.frame import ROOT, Console, Done, Operator, Refused
from gateway.keys import RUNTIME
from gateway.runtime.canonical_path import PathRejected, canonicalise
from gateway.tools.explain import decide

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
EXPLAIN = Template("""<h2 id="explain">Explain a request</h2>
<form method="post" action="$root/policy/explain" class="stack" aria-labelledby="explain">
<input type="hidden" name="csrf" value="$csrf">
<div class="field"><label for="x-roles">Caller's roles (comma-separated; empty: anonymous)</label>
<input id="x-roles" name="roles" value="$roles" maxlength="300" autocomplete="off"></div>
$method
<div class="field"><label for="x-path">Path</label>
<input id="x-path" name="path" value="$path" required maxlength="2048" size="36" autocomplete="off"></div>
<div class="field"><label for="x-host">Host (optional)</label>
<input id="x-host" name="host" value="$host" maxlength="253" autocomplete="off"></div>
<div class="field"><label for="x-client">Client address (optional)</label>
<input id="x-client" name="client" value="$client" maxlength="64" autocomplete="off"></div>
<div class="field"><label><input type="checkbox" name="mfa" value="1"$mfa> Passed 2FA</label>
<label><input type="checkbox" name="websocket" value="1"$ws> WebSocket upgrade</label></div>
<button type="submit">Explain</button>
</form>
$answer""")
NO_ANSWER = t.Safe("")
ANSWERED: web.RequestKey[t.Safe] = web.RequestKey("chatguard.console.explained", t.Safe)
ANSWER = Template('<div class="result $style" id="explain-result" role="status"><pre>$lines</pre></div>\n')


def install(console: Console) -> None:
    def tables() -> t.Safe:
        settings = console.gateway_app[RUNTIME].current.settings
        routes = []
        for route in console.gateway_app[RUNTIME].current.routes:
            rs = route.settings
            methods = ", ".join(rs.match.methods) or "any"
            extra = [f"{m}: {', '.join(r)}" for m, r in rs.methods_allow.items()]
            if rs.networks:
                extra.append("networks: " + ", ".join(rs.networks))
            routes.append((route.name, rs.match.path + (" (WebSocket)" if rs.match.websocket else ""),
                           methods, rs.match.host or "any", rs.upstream, ", ".join(rs.allow) or "-",
                           ", ".join(rs.deny) or "-", rs.mfa, rs.mode, "; ".join(extra) or "-",
                           ", ".join(rs.filters) or "-"))
        roles = console.roles()
        role_rows = [(name, ", ".join(sorted(r for r in roles.expand([name]) if ":" not in r)),
                      ", ".join(sorted(r for r in roles.expand([name]) if ":" in r)) or "-")
                     for name in sorted(settings.roles)]
        return t.Safe(t.table("Routes, in the order they are matched",
                              ("Route", "Path", "Methods", "Host", "Upstream", "Allow", "Deny", "2FA", "Mode",
                               "Method and network rules", "Filters"), routes, "routes", "No routes.")
                      + t.table("Roles and what they include", ("Role", "Includes roles", "Permissions"),
                                role_rows, "roles", "No roles are configured (each role stands alone)."))

    def form(operator: Operator, values: dict[str, str], answer: t.Safe = NO_ANSWER) -> t.Safe:
        method = t.select("method", "Method", [(m, m) for m in METHODS], values.get("method", "GET"))
        return t.render(EXPLAIN, root=ROOT, csrf=operator.csrf, roles=values.get("roles", ""), method=method,
                        path=values.get("path", "/"), host=values.get("host", ""), client=values.get("client", ""),
                        mfa=t.Safe(" checked" if values.get("mfa") else ""),
                        ws=t.Safe(" checked" if values.get("websocket") else ""), answer=answer)

    async def view(request: web.Request, operator: Operator) -> t.Safe:
        shown = request.get(ANSWERED)  # set by `run` when the page is shown right after it
        return t.Safe(tables() + (shown if isinstance(shown, t.Safe) else form(operator, {})))

    async def run(request: web.Request, operator: Operator, values: dict[str, str]) -> Done:
        method = values.get("method", "GET")
        if method not in METHODS:
            raise Refused(400, "Choose a method from the list.")
        asked = {k: values.get(k, "")[:300] for k in ("roles", "path", "host", "client")}
        try:
            path = canonicalise(values.get("path", ""))
        except PathRejected as rejected:
            lines, allowed = [f"DENY 400 by rule path: {rejected.reason}"], False
        else:
            runtime = console.gateway_app[RUNTIME].current
            lines, allowed = decide(runtime.routes, runtime.access, values.get("roles", ""), bool(values.get("mfa")),
                                    method, path, values.get("host") or None, values.get("client") or None,
                                    bool(values.get("websocket")))
        answer = t.render(ANSWER, style="ok" if allowed else "bad", lines="\n".join(lines))
        request[ANSWERED] = form(operator, values, answer)
        return Done("Explained: " + lines[-1], fields={"asked": {**asked, "method": method}, "allowed": allowed})

    console.view("policy", view)
    console.action("policy", "explain", run)
