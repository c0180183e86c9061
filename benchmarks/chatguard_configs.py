"""The chatguard configs a benchmark run serves: pass-through, shield on, the full chain, many routes."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.servers import ECHO_PATH, HTTP_PATH, WS_PATH

VARIANTS = ("chatguard", "shield", "chain", "fields")
ROOM_PATH = HTTP_PATH.replace("/bench/", "/{room}/")  # /api/rooms/{room}/messages: fixed and echo answers
assert ECHO_PATH.replace("/echo/", "/{room}/") == ROOM_PATH


def _extra_routes(count: int) -> str:
    """`count` more routes under the same first segment as the benchmark's, ahead of it in specificity
    (more literal segments): a table that scans routes one by one pays for every one of them."""
    return "".join(
        f"""
  - name: team{i}
    match: {{path: "/api/team{i}/rooms/{{room}}/messages", methods: [GET, POST]}}
    upstream: api
    allow: [anonymous]""" for i in range(count))


def chatguard_conf(workdir: Path, variant: str, port: int, admin: int, http_port: int, ws_port: int,
                   routes: int = 2, workers: int = 1) -> Path:
    """chatguard  pass-through routes (no message fields, no filters, shield off): the gateway itself.
    shield     the same with the shield on (bans and rates on Redis, limits far above the load).
    chain      masking + threat on the message text, both directions, HTTP and WebSocket.
    fields     the chain's message fields with no filters: reading, inspecting and enforcing alone.
    `routes` > 2 adds routes the request path has to get past (the route-count rows)."""
    assert variant in VARIANTS
    messages = filters = ""
    if variant in ("chain", "fields"):
        messages = f"""
    messages: {{inbound: {{json: ["/text"]}}, outbound: {{json: ["/text"]}}}}
    filters: {"[mask, threat]" if variant == "chain" else "[]"}"""
        filters = """
filters:
  mask: {use: masking}
  threat: {use: threat}"""
    if variant == "shield":
        prefix = f"chatguard-bench-{os.getpid()}-{port}:"
        shield = "{enabled: true, requests: 1000000000, connects: 1000000000}"
        state = f'{{backend: redis, url: "redis://127.0.0.1:6379/0", prefix: "{prefix}"}}'
    else:
        shield = "{enabled: false}  # one load generator address would trip the per-address limits"
        state = "{backend: memory}"
    conf = workdir / f"chatguard-{variant}-{port}.yaml"
    conf.write_text(f"""
listen: {{host: 127.0.0.1, port: {port}}}
admin: {{host: 127.0.0.1, port: {admin}}}
logging: {{level: warning, access_log: false}}
workers: {workers}
shield: {shield}
state: {state}
limits: {{max_connections_per_ip: 20000}}  # one load generator address holds thousands of sockets
websocket: {{max_connections: 20000, max_connections_per_ip: 20000}}
upstreams:
  api: {{url: "http://127.0.0.1:{http_port}"}}
  ws: {{url: "http://127.0.0.1:{ws_port}"}}  # WebSockets never take HTTP pool connections{filters}
routes:{_extra_routes(max(0, routes - 2))}
  - name: api
    match: {{path: "{ROOM_PATH}", methods: [POST]}}
    upstream: api
    allow: [anonymous]{messages}
  - name: ws
    match: {{path: "{WS_PATH}", websocket: true}}
    upstream: ws
    allow: [anonymous]{messages}
""")
    return conf
