"""What `chatguard filters` prints for an option: its default as YAML and one line of help.

Help comes from where an option is documented: the field's `doc` metadata, else the comment after
the field in the Options class (`style: str = "redact"  # redact | partial ...`), else the comment
on its line in the YAML example of the class or module docstring. Defaults are written the way they
are configured: durations and sizes with units, nested option groups as mappings, never Python reprs.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

from filters.options import ByteSize, Duration

_FIELD_COMMENT = re.compile(r"^\s+(\w+)\s*:[^#\n]*#\s*(.+?)\s*$")
_YAML_COMMENT = re.compile(r"^\s*(\w+)\s*:[^#\n]*#\s*(.+?)\s*$")
_DURATION_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_SIZE_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def option_help(options: type) -> dict[str, str]:
    """Option name -> one line of help, from metadata, source comments and docstring examples."""
    found: dict[str, str] = {}
    docs = [inspect.getdoc(options) or "", inspect.getdoc(sys.modules.get(options.__module__)) or ""]
    for text in docs:
        for line in text.splitlines():
            if (match := _YAML_COMMENT.match(line)) is not None:
                found.setdefault(match.group(1), match.group(2))
    try:
        source = inspect.getsource(options)
    except (OSError, TypeError):  # no source (a compiled plugin): metadata and docstrings only
        source = ""
    for line in source.splitlines():
        if (match := _FIELD_COMMENT.match(line)) is not None:
            found[match.group(1)] = match.group(2)  # the field's own comment wins over an example's
    for field in dataclasses.fields(options):
        if field.metadata.get("doc"):
            found[field.name] = str(field.metadata["doc"])
    return found


def show_default(value: Any) -> str:
    """A default as it would be written in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return _duration(float(value))
    if isinstance(value, ByteSize):
        return _size(int(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return "[" + ", ".join(show_default(v) for v in items) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show_default(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "{" + ", ".join(f"{f.name}: {show_default(getattr(value, f.name))}"
                               for f in dataclasses.fields(value) if f.init) + "}"
    if hasattr(value, "value") and isinstance(value.value, str | int):  # an Enum
        return show_default(value.value)
    return str(value)


def _duration(seconds: float) -> str:
    if seconds and seconds < 1:
        return f"{round(seconds * 1000)}ms"
    for unit, size in _DURATION_UNITS:
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _size(count: int) -> str:
    for unit, size in _SIZE_UNITS:
        if count >= size and count % size == 0:
            return f"{count // size}{unit}"
    return str(count)
