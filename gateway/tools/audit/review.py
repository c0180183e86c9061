"""Run every check over one config and collect the findings, each with its YAML line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gateway.tools.audit import checks_data, checks_network, checks_routes
from gateway.tools.audit.findings import SEVERITIES, Finding
from gateway.tools.audit.keylines import line_of
from gateway.tools.audit.subject import Check, subject_of

CHECKS: tuple[Check, ...] = (*checks_network.CHECKS, *checks_routes.CHECKS, *checks_data.CHECKS)


def review(text: str, source: str = "") -> list[Finding]:
    """Every finding for the config `text`, worst first, each with the line its key is on."""
    subject = subject_of(text, source)
    found = [replace(f, line=line_of(text, f.path)) for check in CHECKS for f in check(subject)]
    return sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.id, f.path))


def review_file(path: str | Path) -> list[Finding]:
    from gateway.config.settings import ConfigError

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("", f"cannot read config file {str(file)!r}: {exc.strerror or exc}") from None
    return review(text, source=str(file))
