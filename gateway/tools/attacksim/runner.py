"""Build the probes from the config and run them one after another within the run's deadline."""

from __future__ import annotations

import logging
import time

from gateway.config.settings import Settings
from gateway.tools.attacksim import probes_auth, probes_http, probes_ws
from gateway.tools.attacksim.model import Probe, Ran, skipped
from gateway.tools.attacksim.session import Session

log = logging.getLogger("chatguard.attacksim")


def plan(settings: Settings) -> list[Probe]:
    """Every probe the config calls for, in a stable order (ids are unique)."""
    probes = [*probes_http.build(settings), *probes_auth.build(settings), *probes_ws.build(settings)]
    seen: set[str] = set()
    unique = []
    for probe in probes:
        if probe.id not in seen:
            seen.add(probe.id)
            unique.append(probe)
    return unique


async def run_all(session: Session, probes: list[Probe]) -> list[Ran]:
    done: list[Ran] = []
    for probe in probes:
        started = time.monotonic()
        if session.pace.expired:
            result = skipped("the run's --max-duration was spent before this probe")
        else:
            try:
                result = await probe.run(session)
            except Exception as exc:  # a probe's own bug must not end the run; it is reported, not hidden
                log.exception("probe %s failed to run", probe.id)
                result = skipped(f"the probe could not run: {type(exc).__name__}: {exc}")
        done.append(Ran(probe, result, int((time.monotonic() - started) * 1000)))
    return done
