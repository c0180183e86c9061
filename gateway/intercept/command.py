"""`chatguard intercept`: mitmproxy in front, the gateway behind it, one process, one event loop.

```
chatguard intercept --config F [--mode regular|transparent|upstream:URL] [--listen-host H] [--listen-port P]
                    [--ca-dir D]
```
The config is the gateway's; its `listen:` section is replaced by a loopback listener only the addon uses
(the proxy port is mitmproxy's; the listener refuses anything without this process's hop secret).
`--ca-dir` holds the CA that signs the certificates shown to the app: `ca.crt` and `ca.key` (as
`chatguard certs dev` writes them) or mitmproxy's `mitmproxy-ca.pem`.

`upstream:http://PROXY:PORT` is mitmproxy's upstream mode for networks whose egress goes through another
proxy: the app uses chatguard as its proxy (as in regular mode) and every connection that leaves goes
through PROXY. Only the gateway connects outward (to each route's upstream, verifying it), so the mode
becomes the `proxy` of every upstream: plain HTTP in absolute form, HTTPS and WebSockets by CONNECT.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import secrets
import socket
import sys
import tempfile
from pathlib import Path

from filters.options import OptionsError
from gateway.config.settings import ListenSettings, Settings, check_proxy_url

log = logging.getLogger("chatguard.intercept")

EXIT_CONFIG = 2
MODES = ("regular", "transparent")
UPSTREAM = "upstream:"
LOOPBACK = "127.0.0.1"


class UsageError(Exception):
    """A command-line mistake: one line on stderr, exit status 2."""


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("intercept", help="intercept an app's traffic with mitmproxy (sidecar extra)")
    parser.add_argument("--config", "-c", required=True, help="path to chatguard.yaml")
    parser.add_argument("--mode", default="regular",
                        help="regular (the app's HTTP(S) proxy), transparent (redirected by the OS) or "
                             "upstream:http://PROXY:PORT (regular, leaving through another proxy)")
    parser.add_argument("--listen-host", default="127.0.0.1", help="address of the proxy (default 127.0.0.1)")
    parser.add_argument("--listen-port", type=int, default=8080, help="port of the proxy (default 8080)")
    parser.add_argument("--ca-dir", help="directory with the CA that signs intercepted TLS (ca.crt + ca.key)")
    parser.set_defaults(func=main)


def mitm_confdir(ca_dir: str | None, into: Path) -> Path:
    """mitmproxy's configuration directory, holding the operator's CA as `mitmproxy-ca.pem`."""
    if ca_dir is None:
        return into  # mitmproxy makes a throw-away CA there: apps will (rightly) refuse intercepted TLS
    source = Path(ca_dir)
    bundled = source / "mitmproxy-ca.pem"
    if bundled.is_file():
        (into / "mitmproxy-ca.pem").write_bytes(bundled.read_bytes())
        return into
    cert, key = source / "ca.crt", source / "ca.key"
    if not (cert.is_file() and key.is_file()):
        raise UsageError(f"--ca-dir: {ca_dir!r} holds neither ca.crt + ca.key nor mitmproxy-ca.pem")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        x509.load_pem_x509_certificate(cert.read_bytes())
        serialization.load_pem_private_key(key.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--ca-dir: cannot read the CA in {ca_dir!r}: {exc}") from None
    target = into / "mitmproxy-ca.pem"
    target.touch(mode=0o600)
    target.write_bytes(key.read_bytes() + cert.read_bytes())
    return into


def parse_mode(mode: str) -> tuple[str, str | None]:
    """(mitmproxy's mode for the app-facing side, the egress proxy or None); UsageError if unknown."""
    if mode in MODES:
        return mode, None
    if mode.startswith(UPSTREAM):
        proxy = mode.removeprefix(UPSTREAM)
        try:
            check_proxy_url(proxy, "--mode")
        except OptionsError as exc:
            raise UsageError(f"--mode upstream: {exc.problem}") from None
        return "regular", proxy  # the app side is a regular proxy; the gateway's egress takes the proxy
    raise UsageError(f"--mode: expected regular, transparent or upstream:http://HOST:PORT, got {mode!r}")


def gateway_settings(settings: Settings, egress_proxy: str | None = None) -> Settings:
    """The gateway behind mitmproxy: plain HTTP on a free loopback port, trusting the addon's forwarding
    (which the hop secret authenticates); every upstream reached through `egress_proxy` when given."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = int(probe.getsockname()[1])
    trusted = (*settings.trusted_proxies, f"{LOOPBACK}/32")
    upstreams = settings.upstreams
    if egress_proxy is not None:
        upstreams = {name: dataclasses.replace(upstream, proxy=egress_proxy) for name, upstream in upstreams.items()}
    return dataclasses.replace(settings, listen=ListenSettings(host=LOOPBACK, port=port, tls=None),
                               trusted_proxies=trusted, upstreams=upstreams)


async def serve(settings: Settings, config_path: str, args: argparse.Namespace, confdir: Path,
                mode: str = "regular") -> None:
    from mitmproxy import options
    from mitmproxy.tools.dump import DumpMaster

    from gateway import server
    from gateway.intercept.addon import GatewayAddon

    ready, stop = asyncio.Event(), asyncio.Event()
    hop_secret = secrets.token_urlsafe(32)  # made here, never written anywhere: only this process knows it
    gateway = asyncio.ensure_future(server.run(settings, config_path, ready=ready, stop=stop, hop_secret=hop_secret))
    started = asyncio.ensure_future(ready.wait())
    await asyncio.wait({gateway, started}, return_when=asyncio.FIRST_COMPLETED)
    if gateway.done():
        started.cancel()
        await gateway  # raises what stopped it
        return
    opts = options.Options(listen_host=args.listen_host, listen_port=args.listen_port, mode=[mode],
                           confdir=str(confdir))
    master = DumpMaster(opts, with_termlog=False, with_dumper=False)
    # mitmproxy never talks to the app's servers itself (the gateway does, verifying them): no eager
    # connection, no certificate taken from upstream; the app sees a certificate for the name it asked for.
    master.options.update(connection_strategy="lazy", upstream_cert=False)  # type: ignore[no-untyped-call]
    master.addons.add(GatewayAddon(LOOPBACK, settings.listen.port, hop_secret))  # type: ignore[no-untyped-call]
    proxy = asyncio.ensure_future(master.run())
    log.info("intercepting", extra={"proxy": f"{args.listen_host}:{args.listen_port}", "mode": args.mode})
    waiting = asyncio.ensure_future(stop.wait())
    await asyncio.wait({waiting, proxy, gateway}, return_when=asyncio.FIRST_COMPLETED)
    stop.set()  # whichever ended first, end both
    master.shutdown()  # type: ignore[no-untyped-call]
    await asyncio.gather(proxy, gateway, return_exceptions=True)


def main(args: argparse.Namespace) -> int:
    from gateway import logs
    from gateway.config.settings import load_settings

    try:
        import mitmproxy  # noqa: F401
    except ImportError:
        print("chatguard: intercept needs mitmproxy: pip install 'chatguard[sidecar]'", file=sys.stderr)
        return EXIT_CONFIG
    try:
        mode, egress_proxy = parse_mode(args.mode)
        settings = load_settings(args.config)
        from gateway.config.preflight import preflight

        problems = preflight(settings)  # every file, route, filter and codec now: errors stop startup
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except UsageError as exc:
        print(f"chatguard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for problem in problems:
        print(f"chatguard: config error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_CONFIG
    logs.configure(settings.logging.level, settings.logging.format)
    if settings.logging.level != "debug":  # every client connect and disconnect: only when debugging
        logging.getLogger("mitmproxy").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="chatguard-mitm-") as scratch:
        try:
            confdir = mitm_confdir(args.ca_dir, Path(scratch))
        except UsageError as exc:
            print(f"chatguard: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        try:
            asyncio.run(serve(gateway_settings(settings, egress_proxy), args.config, args, confdir, mode))
        except OptionsError as exc:  # found while starting: a port in use, a key set that cannot be fetched
            print(f"chatguard: cannot start: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    return 0
