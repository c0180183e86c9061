"""`python -m gateway` and the `chatguard` command.

`serve` holds HUP/TERM/INT pending before anything else is imported (loading the gateway takes
seconds on a busy machine, and SIGHUP's default action ends the process); the event loop releases
them once its handlers are in place (`gateway.signals`).
"""

import sys

from gateway import signals


def run() -> int:
    signals.hold_for_serve(sys.argv[1:])
    from gateway.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
