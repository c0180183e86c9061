"""What a decision depends on, for tests that compare a fast path with the general one."""

from __future__ import annotations

from gateway.codec import CodecError
from gateway.inspect.inspection import Inspection


def shown(result: object) -> object:
    """Refusals by type and message, inspections by their parts."""
    if isinstance(result, CodecError):
        return type(result).__name__, str(result)
    assert isinstance(result, Inspection)
    return (result.action, result.payload, result.original, result.sources,
            [(r.action, r.text, r.verdicts, r.failures) for r in result.results])
