"""YAML config -> frozen, validated settings.

Everything is checked here, once, before any socket opens: types, unknown keys,
references between sections (routes -> upstreams, routes -> filters). Every error
names the exact key path so an operator can fix the file without guessing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from yarl import URL

from filters.options import ByteSize, Duration, OptionsError, bind, expand_env, join
from gateway.access.rbac.config import MESSAGE_KINDS, MessageRules, RoleSettings
from gateway.access.shield import ShieldSettings
from gateway.audit.config import AuditSettings
from gateway.auth.config import AuthSettings
from gateway.codec import FieldSelector, RouteCodecs
from gateway.codec.message_names import NameReader
from gateway.config.listeners import AdminSettings, ListenSettings, ProbeSettings, check_listeners
from gateway.e2ee.settings import E2EEPolicy, Recognition, SealedFields, check_e2ee
from gateway.edge.client_keys import ClientKeys
from gateway.enforce.settings import AlertSettings, ResponseSettings
from gateway.keyring.config import KeySettings
from gateway.state.settings import StateSettings
from gateway.tls.settings import UpstreamTLS
from gateway.transcripts.config import RoutePolicy, TranscriptSettings

__all__ = [
    "AdminSettings", "ByteSize", "ConfigError", "Duration", "FilterRef", "ListenSettings",
    "LoggingSettings", "MessageFields", "OffloadSettings", "ProbeSettings", "RouteMatch", "RouteSettings", "Settings",
    "UpstreamSettings", "WebSocketSettings", "load_settings", "loads_settings", "parse_settings",
]

ConfigError = OptionsError
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class LoggingSettings:
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["json", "text"] = "json"
    access_log: bool = True


@dataclass(frozen=True)
class UpstreamSettings:
    url: str
    connect_timeout: Duration = Duration(5)
    pool_size: int = 256
    pool_timeout: Duration = Duration(2)  # longest wait for a free pooled connection (503 + Retry-After)
    keepalive: Duration = Duration(30)
    tls: UpstreamTLS = field(default_factory=UpstreamTLS)
    proxy: str | None = None  # an HTTP proxy every connection to this backend goes through (CONNECT for https)

    def validate(self, path: str) -> None:
        if self.proxy is not None:
            check_proxy_url(self.proxy, join(path, "proxy"))
        try:
            parsed = URL(self.url)
        except (ValueError, TypeError):  # e.g. a port that is not a number
            raise ConfigError(join(path, "url"), f"not a URL: {self.url!r}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ConfigError(join(path, "url"), f"expected an http:// or https:// URL, got {self.url!r}")
        if parsed.path not in ("", "/") or parsed.query_string:
            raise ConfigError(join(path, "url"), "must be scheme://host[:port] only (no path or query)")
        if self.pool_size < 1:
            raise ConfigError(join(path, "pool_size"), f"expected >= 1, got {self.pool_size}")
        if not self.connect_timeout > 0:
            raise ConfigError(join(path, "connect_timeout"), f"expected a duration > 0, got {float(self.connect_timeout)}")
        if not 0 < self.pool_timeout <= 60:
            raise ConfigError(join(path, "pool_timeout"),
                              f"expected a duration in (0, 60s], got {float(self.pool_timeout)}")

    @property
    def origin(self) -> URL:
        return URL(self.url).origin()


def check_proxy_url(url: str, path: str) -> None:
    """An egress proxy: http://host:port (credentials allowed, never printed), nothing else."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        raise ConfigError(path, "not a URL") from None
    if parsed.scheme != "http" or not parsed.host:
        shown = str(parsed.with_user(None)) if parsed.host else url.split("@")[-1]
        raise ConfigError(path, f"expected http://HOST:PORT, got {shown!r}")
    if parsed.path not in ("", "/") or parsed.query_string:
        raise ConfigError(path, "must be http://HOST:PORT only (no path or query)")


# A connection cap above what one process can hold open is no cap (each connection takes a descriptor,
# and Linux lets a process hold at most fs.nr_open of them, 1,048,576 by default).
MAX_DESCRIPTORS = 1_048_576


@dataclass(frozen=True)
class WebSocketSettings:
    """Defaults for every WebSocket route; a route may override them."""

    max_frame: ByteSize = ByteSize(1024 * 1024)
    max_connections: int = 10000
    max_connections_per_ip: int = 100
    # Upstream WebSocket connections per backend; never taken from the HTTP keep-alive pool (`pool_size`).
    max_upstream_connections: int = 20000
    heartbeat: Duration = Duration(30)
    close_timeout: Duration = Duration(5)

    def validate(self, path: str) -> None:
        # max_frame 0 would be no bound at all to aiohttp; heartbeat 0 turns the pings off.
        for name in ("max_frame", "max_connections", "max_connections_per_ip", "max_upstream_connections"):
            if getattr(self, name) < 1:
                raise ConfigError(join(path, name), f"expected >= 1, got {getattr(self, name)}")
        for name in ("max_connections", "max_connections_per_ip", "max_upstream_connections"):
            if getattr(self, name) > MAX_DESCRIPTORS:
                raise ConfigError(join(path, name), f"expected at most {MAX_DESCRIPTORS}, got {getattr(self, name)}")
        if not self.close_timeout > 0:
            raise ConfigError(join(path, "close_timeout"), f"expected a duration > 0, got {float(self.close_timeout)}")


@dataclass(frozen=True)
class LimitSettings:
    """Bounds on what one client may send and hold (README, "Limits", says what each defends against)."""

    max_body: ByteSize = ByteSize(1024 * 1024)
    max_header_size: ByteSize = ByteSize(16 * 1024)
    header_timeout: Duration = Duration(10)
    body_timeout: Duration = Duration(30)
    idle_timeout: Duration = Duration(75)
    send_timeout: Duration = Duration(60)
    max_connections: int = 10000
    max_connections_per_ip: int = 256
    max_fields: int = 1000     # text fields per message (body, event, frame) given to the filters (422 above)
    max_chars: int = 65536     # characters per text field (413 above)
    inflate_ratio: int = 100   # a compressed answer on an inspected route may grow this much when read
    # Streamed text (SSE events, WebSocket frames) a masking stream reads is gathered per field up to this
    # many characters before the filters run (1: every piece alone), and let go after `stream_flush`.
    stream_batch: int = 4096
    stream_flush: Duration = Duration(0.005)

    def validate(self, path: str) -> None:
        for key in ("header_timeout", "body_timeout", "idle_timeout", "send_timeout"):
            if not getattr(self, key) > 0:
                raise ConfigError(join(path, key), f"expected a duration > 0, got {getattr(self, key)!r}")
        if not 0 < self.stream_flush <= 1:
            raise ConfigError(join(path, "stream_flush"), f"expected a duration in (0, 1s], got {self.stream_flush!r}")
        if not 1 <= self.stream_batch <= 65536:
            raise ConfigError(join(path, "stream_batch"), f"expected 1 to 65536, got {self.stream_batch}")
        for key in ("max_body", "max_header_size", "max_connections", "max_connections_per_ip", "max_fields",
                    "max_chars", "inflate_ratio"):
            if getattr(self, key) < 1:
                raise ConfigError(join(path, key), f"expected >= 1, got {getattr(self, key)}")
        for key in ("max_connections", "max_connections_per_ip"):
            if getattr(self, key) > MAX_DESCRIPTORS:
                raise ConfigError(join(path, key), f"expected at most {MAX_DESCRIPTORS}, got {getattr(self, key)}")


@dataclass(frozen=True)
class FilterRef:
    """A configured filter instance: which plugin, with which options."""

    use: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    timeout: Duration = Duration(0.5)
    isolate: Literal["none", "process"] = "none"  # process: worker processes, a hard deadline per call
    processes: int = 1                             # with isolate: process, per gateway worker

    def validate(self, path: str) -> None:
        if not self.timeout > 0:
            raise ConfigError(join(path, "timeout"), f"expected a duration > 0, got {self.timeout!r}")
        if not 1 <= self.processes <= 64:
            raise ConfigError(join(path, "processes"), f"expected 1 to 64, got {self.processes!r}")


@dataclass(frozen=True)
class OffloadSettings:
    """Where long texts of filters that only compute (masking without a vault, threat) are inspected,
    so that the event loop never runs their heavy work (filters/_offload.py)."""

    mode: Literal["process", "thread"] = "process"  # thread: a filter thread in each gateway worker
    processes: int = 1               # worker processes per gateway worker
    queue: int = 64                  # long texts waiting for a busy process; more fail closed at once
    from_chars: int = 2048           # texts this long and longer leave the event loop
    start: Literal["lazy", "eager"] = "lazy"  # eager: with the gateway (startup waits, a failure stops it)
    nice: int = 10                   # added to the processes' niceness: the event loops win the CPU from them

    def validate(self, path: str) -> None:
        if not 0 <= self.nice <= 19:
            raise ConfigError(join(path, "nice"), f"expected 0 to 19, got {self.nice!r}")
        if not 1 <= self.processes <= 64:
            raise ConfigError(join(path, "processes"), f"expected 1 to 64, got {self.processes!r}")
        if not 1 <= self.queue <= 10000:
            raise ConfigError(join(path, "queue"), f"expected 1 to 10000, got {self.queue!r}")
        if self.from_chars < 1:
            raise ConfigError(join(path, "from_chars"), f"expected >= 1, got {self.from_chars!r}")


@dataclass(frozen=True)
class RouteMatch:
    path: str
    methods: tuple[str, ...] = ()
    host: str | None = None
    websocket: bool = False

    def validate(self, path: str) -> None:
        if not self.path.startswith("/"):
            raise ConfigError(join(path, "path"), f"must start with '/', got {self.path!r}")
        for i, method in enumerate(self.methods):
            if method.upper() not in HTTP_METHODS:
                known = ", ".join(sorted(HTTP_METHODS))
                raise ConfigError(join(join(path, "methods"), i), f"unknown method {method!r} (known: {known})")


@dataclass(frozen=True)
class MessageFields:
    """A route's `messages:`: where its text lives each way; compiled to codecs once, when validated."""

    inbound: FieldSelector = field(default_factory=FieldSelector)
    outbound: FieldSelector = field(default_factory=FieldSelector)

    def validate(self, path: str) -> None:
        self.compile(path)

    def compile(self, path: str = "") -> RouteCodecs:
        """The route's codecs: built at config load (errors name the key) and kept, never built twice."""
        built: RouteCodecs | None = self.__dict__.get("_codecs")
        if built is None:
            built = RouteCodecs.compile(self.inbound, self.outbound, path)
            self.__dict__["_codecs"] = built  # a cache beside the frozen fields (not compared, not a key)
        return built


@dataclass(frozen=True)
class RouteWebSocket:
    origins: tuple[str, ...] = ()
    max_frame: ByteSize | None = None
    on_block: Literal["drop", "error_frame", "close"] = "error_frame"
    on_parse_error: Literal["close_1003", "close_1008"] = "close_1003"

    def validate(self, path: str) -> None:
        if self.max_frame is not None and self.max_frame < 1:
            raise ConfigError(join(path, "max_frame"), f"expected >= 1, got {self.max_frame}")


@dataclass(frozen=True)
class RouteSettings:
    match: RouteMatch
    upstream: str
    allow: tuple[str, ...]
    name: str = ""
    timeout: Duration = Duration(60)
    max_body: ByteSize | None = None
    max_upload: ByteSize = ByteSize(0)  # multipart bodies past max_body stream up to this (0: they get 413)
    max_fields: int | None = None   # overrides limits.max_fields
    max_chars: int | None = None    # overrides limits.max_chars
    messages: MessageFields = field(default_factory=MessageFields)
    filters: tuple[str, ...] = ()
    fail: Literal["closed", "open"] = "closed"
    websocket: RouteWebSocket = field(default_factory=RouteWebSocket)
    strip_prefix: str = ""
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    deny: tuple[str, ...] = ()
    methods_allow: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    networks: tuple[str, ...] = ()
    mfa: Literal["required", "optional"] = "optional"
    login_redirect: bool = False  # browsers without credentials go to the login page (and back), scripts get 401
    mode: Literal["enforce", "shadow"] = "enforce"
    messages_allow: MessageRules = field(default_factory=MessageRules)
    responses: ResponseSettings | None = None  # this route's score bands; None: the global `responses:`
    transcripts: RoutePolicy | None = None     # this route's transcript policy over `transcripts:`
    audit_access: bool = False                 # audit allowed requests too (PHI, transcript routes)
    conversation: str = ""                     # the path variable naming the conversation ("": room, else the first)
    message_names: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    e2ee: E2EEPolicy = "allow"                 # require | forbid end-to-end encrypted client messages
    encrypted: Recognition = field(default_factory=Recognition)   # how E2EE messages are recognised
    encrypt_fields: SealedFields = field(default_factory=SealedFields)  # sealed for a blind backend

    def validate(self, path: str) -> None:
        NameReader(self.message_names, MESSAGE_KINDS, join(path, "message_names"))
        if self.conversation and not re.search(r"\{" + re.escape(self.conversation) + r"(:[^}]*)?\}", self.match.path):
            raise ConfigError(join(path, "conversation"),
                              f"{self.conversation!r} is not a variable of match.path {self.match.path!r}")
        check_e2ee(self.e2ee, self.encrypted, self.messages.inbound, path)


@dataclass(frozen=True)
class Settings:
    upstreams: Mapping[str, UpstreamSettings]
    routes: tuple[RouteSettings, ...]
    listen: ListenSettings = field(default_factory=ListenSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    probes: ProbeSettings = field(default_factory=ProbeSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    websocket: WebSocketSettings = field(default_factory=WebSocketSettings)
    trusted_proxies: tuple[str, ...] = ()
    clients: ClientKeys = field(default_factory=ClientKeys)  # IPv6 clients count by their /64
    filters: Mapping[str, FilterRef] = field(default_factory=lambda: MappingProxyType({}))
    offload: OffloadSettings = field(default_factory=OffloadSettings)
    state: StateSettings = field(default_factory=StateSettings)
    auth: AuthSettings | None = None
    audit: AuditSettings = field(default_factory=AuditSettings)
    roles: Mapping[str, RoleSettings] = field(default_factory=lambda: MappingProxyType({}))
    shield: ShieldSettings = field(default_factory=ShieldSettings)
    responses: ResponseSettings = field(default_factory=ResponseSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    keys: KeySettings = field(default_factory=KeySettings)
    transcripts: TranscriptSettings = field(default_factory=TranscriptSettings)
    workers: int = 1
    shutdown_timeout: Duration = Duration(30)
    attacksim_report: str = ""  # attack-sim JSON report exposed as chatguard_attacksim_failed_probes
    source: str = ""

    def validate(self, path: str) -> None:
        for i, cidr in enumerate(self.trusted_proxies):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ConfigError(join(join(path, "trusted_proxies"), i), f"not an IP network: {cidr!r}") from None
        if not self.upstreams:
            raise ConfigError(join(path, "upstreams"), "at least one upstream is required")
        if self.workers < 1:
            raise ConfigError(join(path, "workers"), f"expected >= 1, got {self.workers}")
        check_listeners(self, path)
        known_upstreams = ", ".join(sorted(self.upstreams))
        known_filters = ", ".join(sorted(self.filters)) or "none configured"
        names: set[str] = set()
        for i, route in enumerate(self.routes):
            route_path = join(join(path, "routes"), i)
            if route.upstream not in self.upstreams:
                raise ConfigError(join(route_path, "upstream"),
                                  f"unknown upstream {route.upstream!r} (known: {known_upstreams})")
            for j, name in enumerate(route.filters):
                if name not in self.filters:
                    raise ConfigError(join(join(route_path, "filters"), j),
                                      f"unknown filter {name!r} (known: {known_filters})")
            if not route.allow:
                raise ConfigError(join(route_path, "allow"),
                                  "must list at least one role (deny by default; public routes say [anonymous])")
            for key in ("max_body", "max_fields", "max_chars"):
                if (value := getattr(route, key)) is not None and value < 1:
                    raise ConfigError(join(route_path, key), f"expected >= 1, got {value}")
            if route.encrypt_fields.xmpp and not route.match.websocket:
                raise ConfigError(join(join(route_path, "encrypt_fields"), "xmpp"),
                                  "XMPP bodies are sealed on WebSocket routes only (match.websocket: true)")
            if route.encrypt_fields.declared and not (self.keys.enabled and (self.keys.store or self.transcripts.database)):
                raise ConfigError(join(route_path, "encrypt_fields"), "needs the key service: keys.kek_file (or "
                                  "kek_env, kms) and keys.store (or transcripts.database)")
            if route.name in names:
                raise ConfigError(join(route_path, "name"), f"duplicate route name {route.name!r}")
            names.add(route.name)
        from gateway.access.rbac import check_access  # local: rbac reads these settings
        from gateway.transcripts.config import check_transcripts

        check_transcripts(self, path)
        check_access(self, path)

    @property
    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(c, strict=False) for c in self.trusted_proxies)


def _name_routes(raw_routes: Any) -> Any:
    """Give each unnamed route a stable name (`route-N`) so metrics and audit can refer to it."""
    if not isinstance(raw_routes, list):
        return raw_routes
    named = []
    for i, route in enumerate(raw_routes):
        if isinstance(route, dict) and "name" not in route:
            route = {**route, "name": f"route-{i}"}
        named.append(route)
    return named


def parse_settings(data: Any, source: str = "", environ: Mapping[str, str] | None = None) -> Settings:
    """Validate already-parsed YAML data. Raises ConfigError naming the key path."""
    if not isinstance(data, dict):
        raise ConfigError("", f"expected a mapping at the top of the config, got {type(data).__name__}")
    data = expand_env(data, environ=environ)
    from gateway.config.presets import (
        expand_presets,  # local: presets are YAML files shipped in gateway/config/presets/
    )

    if "routes" in data:
        data["routes"] = _name_routes(expand_presets(data["routes"]))
    data.setdefault("routes", [])
    data["source"] = source
    return bind(Settings, data)


def load_settings(path: str | Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate a config file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("", f"cannot read config file {str(file)!r}: {exc.strerror or exc}") from None
    return loads_settings(text, source=str(file), environ=environ)


# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python one takes seconds
# for a table of a thousand routes. Both build plain data only (the safe constructor).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64            # nesting levels: a config needs about ten
MAX_NODES = 1_000_000     # values once every alias is expanded ("billion laughs" stops here)


def _checked_document(text: str) -> yaml.Node | None:
    """The YAML document's node tree (None when empty), refused when nested or aliased beyond any config
    before anything is built from it (the builder recurses)."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):  # iterative: safe on any nesting
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError("", f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = MAX_NODES + 1  # a node met again while sizing itself contains itself
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1 + sum(size(child) for child in children)
        sizes[id(node)] = total
        return total

    root = yaml.compose(text, Loader=_LOADER)
    if root is not None and size(root) > MAX_NODES:
        raise ConfigError("", f"invalid YAML: more than {MAX_NODES} values once aliases are expanded")
    return root


def _construct(root: yaml.Node | None) -> Any:
    """Plain data from the checked node tree (the safe constructor), without parsing the text again."""
    if root is None:
        return None
    loader = _LOADER("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()


def loads_settings(text: str, source: str = "", environ: Mapping[str, str] | None = None) -> Settings:
    """Validate a config given as YAML text (`source`: the file it came from, for reloads and errors)."""
    try:
        data = _construct(_checked_document(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError("", f"invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise ConfigError("", "invalid YAML: nested too deeply") from None
    try:
        return parse_settings(data if data is not None else {}, source=source, environ=environ)
    except RecursionError:  # an alias that contains itself (`&a [*a]`), or nesting no config needs
        raise ConfigError("", "a value that contains itself or is nested too deeply") from None
