"""Open now everything `serve` will open: `check-config` and `serve` run the same checks.

Loading the YAML proves the config is well-typed; this proves the machine can run it. Every file a
key names is read and parsed (certificates and keys, and that they belong together; JWT signing keys;
key-encryption keys; CA files; blocklists through the filters that load them), every directory the
gateway writes to exists and is writable, every database URL is well-formed. Each problem is an
`OptionsError` naming the key, so the operator sees `listen.tls.cert: cannot read ...`, never a
traceback. Nothing here contacts the network (`reachability.py` does, for `check-config --connect`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from yarl import URL

from filters.options import OptionsError, join
from gateway.config.settings import Settings

__all__ = ["bindable", "builtin_issuer", "check_database_url", "identity_sources", "preflight"]


def builtin_issuer(settings: Settings) -> bool:
    """Whether the gateway issues tokens itself: `auth.enabled` with signing keys, or without any external
    issuer (then the missing keys are an error). External issuers alone need no signing key."""
    auth = settings.auth
    if auth is None or not auth.enabled:
        return False
    return bool(auth.jwt.signing_keys) or not auth.external


def identity_sources(settings: Settings) -> list[str]:
    """The ways callers can prove who they are with this config, for `check-config` to print."""
    auth = settings.auth
    sources: list[str] = []
    if builtin_issuer(settings) and auth is not None:
        sources.append(f"built-in issuer {auth.jwt.issuer!r} (/auth/*)")
    for issuer in auth.external if auth is not None else ():
        sources.append(f"external issuer {issuer.issuer!r} (JWKS {issuer.jwks_url})")
    for delegate in auth.delegates if auth is not None and auth.enabled else ():
        sources.append(f"backend-delegated {delegate.path} for routes {', '.join(delegate.routes)}")
    tls = settings.listen.tls
    if tls is not None and tls.client_cert != "none":
        sources.append(f"client certificates ({tls.client_cert}, principal from {tls.principal_from})")
    if auth is not None and auth.enabled and builtin_issuer(settings) and auth.visitors.enabled:
        sources.append(f"visitor tokens (role {auth.visitors.role})")
    if any("anonymous" in route.allow for route in settings.routes):
        sources.append("anonymous (routes allowing it)")
    return sources


def preflight(settings: Settings) -> list[OptionsError]:
    """Every problem found, each naming its key; empty when `serve` can start with this config."""
    problems: list[OptionsError] = []
    for check in (_listener, _upstreams, _auth, _audit, _keys, _transcripts, _runtime):
        _collect(problems, check, settings)
    return problems


def _collect(problems: list[OptionsError], check: Callable[[Settings], None], settings: Settings) -> None:
    try:
        check(settings)
    except OptionsError as exc:
        problems.append(exc)


def _listener(settings: Settings) -> None:
    from gateway.edge.request_parser import PROBLEM, compiled_parser_in_use

    if not compiled_parser_in_use():
        raise OptionsError("listen", PROBLEM)
    if settings.listen.tls is not None:
        from gateway.tls.server import ServerTLS

        ServerTLS.load(settings.listen.tls, "listen.tls")  # cert, key, that they match, SNI pairs, client CA


def _upstreams(settings: Settings) -> None:
    from gateway.tls.upstream import upstream_context

    for name, upstream in settings.upstreams.items():
        if upstream.url.startswith("https:"):
            upstream_context(upstream.tls, join(join("upstreams", name), "tls"))


def _auth(settings: Settings) -> None:
    auth = settings.auth
    if auth is None or not auth.enabled and not auth.external:
        return
    if not builtin_issuer(settings):
        for key, used in (("delegates", bool(auth.delegates)), ("visitors.enabled", auth.visitors.enabled)):
            if used:
                raise OptionsError(join("auth", key), "needs the built-in issuer "
                                                      "(auth.enabled with auth.jwt.signing_keys)")
        return
    check_signing_keys(auth.jwt.signing_keys, "auth.jwt.signing_keys")
    check_database_url(auth.store, "auth.store")


def check_signing_keys(paths: tuple[str, ...], path: str) -> None:
    """Each PEM file readable and a key the issuer can sign with (Ed25519 or P-256)."""
    from gateway.auth.tokens import load_key

    if not paths:
        raise OptionsError(path, "at least one PEM key is required for the built-in issuer "
                                 "(`chatguard keys generate` makes one; external issuers alone need none)")
    for i, name in enumerate(paths):
        data = read_file(name, join(path, i))
        try:
            load_key(data)
        except (ValueError, TypeError) as exc:
            raise OptionsError(join(path, i), f"{name!r} holds no usable signing key: {exc}") from None


def _audit(settings: Settings) -> None:
    audit = settings.audit
    if not audit.enabled:
        return
    writable_parent(audit.path, "audit.path")
    if audit.anchor:
        writable_parent(audit.anchor, "audit.anchor")
    if audit.postgres is not None:
        check_database_url(audit.postgres.dsn, "audit.postgres.dsn")


def _keys(settings: Settings) -> None:
    if not settings.keys.enabled:
        return
    from gateway.keyring.kek import wrappers

    wrappers(settings.keys, "keys")
    if settings.keys.store:
        check_database_url(settings.keys.store, "keys.store")


def _transcripts(settings: Settings) -> None:
    transcripts = settings.transcripts
    if not transcripts.enabled:
        return
    check_database_url(transcripts.database, "transcripts.database")
    if transcripts.archive.dir:
        writable_dir(transcripts.archive.dir, "transcripts.archive.dir")


def _runtime(settings: Settings) -> None:
    from gateway.runtime.runtime import Runtime

    Runtime(settings)  # routes, codecs and filter chains: blocklists, masking keys and plugin options load here


def read_file(name: str, path: str) -> bytes:
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise OptionsError(path, f"cannot read {name!r}: {exc.strerror or exc}") from None


def writable_dir(name: str, path: str) -> None:
    directory = Path(name)
    if not directory.is_dir():
        raise OptionsError(path, f"directory {name!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OptionsError(path, f"directory {name!r} is not writable by this user")


def writable_parent(name: str, path: str) -> None:
    """A file the gateway creates or appends to: its directory must exist; the file, if there, be writable."""
    file = Path(name)
    parent = file.parent if str(file.parent) else Path(".")
    if not parent.is_dir():
        raise OptionsError(path, f"directory {str(parent)!r} of {name!r} does not exist")
    if file.exists() and not os.access(file, os.W_OK):
        raise OptionsError(path, f"{name!r} is not writable by this user")
    if not file.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise OptionsError(path, f"directory {str(parent)!r} is not writable by this user")


def check_database_url(url: str, path: str) -> None:
    """`sqlite:///PATH` (its directory must exist and be writable) or a well-formed `postgresql://` URL."""
    if url.startswith("sqlite://"):
        from gateway.database.base import sqlite_path

        name = sqlite_path(url)
        if name == ":memory:":
            return
        if not name:
            raise OptionsError(path, "sqlite:/// needs a file path, e.g. sqlite:///var/lib/chatguard/data.db")
        writable_parent(name, path)
        return
    if url.startswith(("postgresql://", "postgres://")):
        try:
            parsed = URL(url)
        except (ValueError, TypeError):
            raise OptionsError(path, "not a well-formed postgresql:// URL") from None
        if not parsed.host and "host" not in parsed.query:
            raise OptionsError(path, "no host in the postgresql:// URL")
        try:
            parsed.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            raise OptionsError(path, "the port in the postgresql:// URL is not a number") from None
        return
    raise OptionsError(path, "expected sqlite:///PATH or postgresql://HOST/DB")


def bindable(settings: Settings) -> list[OptionsError]:
    """Every listener's port, tried the way the workers of `--workers N` bind it (SO_REUSEPORT), before any
    worker starts: a port another program holds is one line naming its key, not a worker dying at start."""
    import errno
    import socket

    from gateway.config.listeners import listeners

    problems: list[OptionsError] = []
    for key, host, port in listeners(settings):
        try:
            infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except OSError as exc:
            problems.append(OptionsError(key, f"cannot listen on {host}:{port}: {exc.strerror or exc}"))
            continue
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                cause = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
                problems.append(OptionsError(key, f"cannot listen on {host}:{port}: {cause}"))
    return problems
