"""`make demo`: the demo chat backend with chatguard in front of it, until Ctrl-C or SIGTERM.

The backend runs in this process; the gateway runs as its own process with the real command
(`python -m gateway serve --config ...`), exactly as an operator would start it. Addresses come
from the config file, so a copy of config/demo.yaml with other ports works too.

The gateway serves HTTPS with development certificates kept in `.demo-certs/` (git-ignored):
the CA is created once and reused, so a browser told to trust it keeps trusting it. Transcripts go
to SQLite in `.demo-data/` (git-ignored), created here before the gateway starts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from yarl import URL

from examples.demo_chat.app import start_backend
from gateway.config.settings import ConfigError, Settings, load_settings
from gateway.tls.certs import RENEW_BEFORE, TRUST_HELP, DevCerts, Issued, create_dev_certs, load_ca

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / "config" / "demo.yaml"
CERTS_ENV = "CHATGUARD_DEMO_CERTS"     # config/demo.yaml reads its certificate paths from it
DEFAULT_CERTS = REPO / ".demo-certs"
DATA_ENV = "CHATGUARD_DEMO_DATA"       # config/demo.yaml keeps its transcript database there
DEFAULT_DATA = REPO / ".demo-data"
STARTUP_TIMEOUT = 30.0   # seconds for the gateway to answer /healthz
STOP_TIMEOUT = 10.0      # seconds for the gateway to drain before it is killed


def _usable(cert_path: Path, key_path: Path, ca: Issued) -> bool:
    """True if the server pair matches, was signed by `ca` and stays valid a while longer."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca.cert)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return False
    fresh = cert.not_valid_after_utc - RENEW_BEFORE > dt.datetime.now(dt.UTC)
    return fresh and key.public_key() == cert.public_key()


def ensure_certs(directory: Path) -> DevCerts:
    """The demo's CA and server certificate in `directory`: reused while usable, else (re)issued."""
    ca = load_ca(directory / "ca.crt", directory / "ca.key")
    found = DevCerts(directory / "ca.crt", directory / "ca.key", directory / "server.crt", directory / "server.key")
    if ca is not None and _usable(found.server_cert, found.server_key, ca):
        return found
    return create_dev_certs(directory, client_name=None)


def gateway_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "gateway", "serve", "--config", str(config)]


async def wait_healthy(url: str, process: asyncio.subprocess.Process, within: float) -> None:
    """Poll the admin /healthz until it answers 200; fail early if the gateway exits."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the gateway exited with status {process.returncode}")
            try:
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the gateway did not answer {url} within {within:.0f} s")


async def stop_gateway(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _public_url(settings: Settings) -> str:
    scheme = "https" if settings.listen.tls else "http"
    return f"{scheme}://{_local(settings.listen.host)}:{settings.listen.port}/"


def _redirect_note(settings: Settings) -> str:
    tls = settings.listen.tls
    if tls is None or not tls.redirect_http.enabled:
        return ""
    return f"http://{_local(tls.redirect_http.host)}:{tls.redirect_http.port}/ redirects there; "


def _uses(settings: Settings, certs: Path) -> bool:
    """True if the listener's certificate lives in the demo certificate directory."""
    tls = settings.listen.tls
    return tls is not None and Path(tls.cert).resolve().parent == certs.resolve()


async def run(config: Path, certs: Path = DEFAULT_CERTS, data: Path = DEFAULT_DATA) -> int:
    environ = {**os.environ, CERTS_ENV: str(certs), DATA_ENV: str(data)}
    settings = load_settings(config, environ=environ)
    trust = ""
    if _uses(settings, certs):
        made = ensure_certs(certs)
        trust = TRUST_HELP.format(out=certs, ca=made.ca_cert, server_cert=made.server_cert,
                                  server_key=made.server_key, client="(not issued)")
    upstream = URL(settings.upstreams["chat"].url)
    backend = await start_backend(upstream.host or "127.0.0.1", upstream.port or 80)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    process = await asyncio.create_subprocess_exec(*gateway_command(config), cwd=REPO, env=environ,
                                                   stdin=subprocess.DEVNULL)
    try:
        admin = f"http://{settings.admin.host}:{settings.admin.port}/healthz"
        await wait_healthy(admin, process, STARTUP_TIMEOUT)
        redirect = _redirect_note(settings)
        print(f"\n{trust}\nDemo chat is up: open {_public_url(settings)}\n"
              f"({redirect}backend {upstream}, gateway admin {admin}). Press Ctrl-C to stop.\n", flush=True)
        exited = asyncio.ensure_future(process.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if exited.done():
            print(f"the gateway exited with status {process.returncode}", file=sys.stderr)
            return 1
        return 0
    except RuntimeError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        await stop_gateway(process)
        await backend.cleanup()
        print("demo stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.demo_chat.run", description=__doc__)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="gateway config (default: %(default)s)")
    parser.add_argument("--certs", type=Path, default=Path(os.environ.get(CERTS_ENV) or DEFAULT_CERTS),
                        help=f"development certificates, created if missing (default: ${CERTS_ENV} or %(default)s)")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get(DATA_ENV) or DEFAULT_DATA),
                        help=f"transcript database directory, created if missing (default: ${DATA_ENV} or %(default)s)")
    args = parser.parse_args(argv)
    try:
        args.data.mkdir(mode=0o700, parents=True, exist_ok=True)  # SQLite creates the file, not its directory
        return asyncio.run(run(args.config.resolve(), args.certs.resolve(), args.data.resolve()))
    except ConfigError as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
