"""The demo chat backend alone, for containers: `python -m examples.demo_chat.backend --port 8008`.

`make demo` runs it in-process next to the gateway; docker-compose runs it as its own service.
"""

from __future__ import annotations

import argparse

from aiohttp import web

from examples.demo_chat.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8008, help="port to bind (default 8008)")
    args = parser.parse_args(argv)
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
