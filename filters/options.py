"""Typed binding of plain config data (YAML) onto frozen dataclasses.

Public and shared: the gateway binds its own settings with it and the registry binds
every filter's `Options`, so a wrong key or type anywhere stops startup with the same
kind of message: the exact key path, what was found and what was expected.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import os
import re
import types
import typing
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints


class OptionsError(ValueError):
    """A config value that does not fit; `str()` is `key.path: what is wrong`."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = _one_line(path) or "(top level)"
        self.problem = _one_line(problem)
        super().__init__(f"{self.path}: {self.problem}")


def _one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: an error is one line, whatever
    key or value of the file it quotes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _hints(cls: type) -> dict[str, Any]:
    """A class's resolved annotations, once per class (resolving them compiles every string annotation)."""
    return _class_hints(cls)


@functools.cache
def _class_hints(cls: Hashable) -> dict[str, Any]:
    return get_type_hints(cls)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Duration(float):
    """Seconds, written as a number or with a unit: `250ms`, `30s`, `15m`, `12h`, `730d`."""

    _UNITS: typing.ClassVar[dict[str, float]] = {
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800,
    }
    _FORM: typing.ClassVar[re.Pattern[str]] = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")

    @classmethod
    def parse(cls, value: Any, path: str) -> Duration:
        if isinstance(value, bool):
            raise OptionsError(path, f"expected a duration such as 30s, got {value!r}")
        if isinstance(value, int | float):
            if value < 0:
                raise OptionsError(path, f"expected a duration >= 0, got {value!r}")
            return cls(value)
        if isinstance(value, str):
            found = cls._FORM.match(value)
            if found:
                return cls(float(found.group(1)) * cls._UNITS[found.group(2) or "s"])
        raise OptionsError(path, f"expected a duration such as 30s, 15m or 250ms, got {value!r}")


class ByteSize(int):
    """Bytes, written as a number or with a unit: `64KiB`, `1MiB`, `10MB`."""

    _UNITS: typing.ClassVar[dict[str, int]] = {
        "": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
        "kib": 1024, "mib": 1024**2, "gib": 1024**3, "k": 1024, "m": 1024**2, "g": 1024**3,
    }
    _FORM: typing.ClassVar[re.Pattern[str]] = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")

    @classmethod
    def parse(cls, value: Any, path: str) -> ByteSize:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return cls(value)
        if isinstance(value, str):
            found = cls._FORM.match(value)
            if found and found.group(2).lower() in cls._UNITS:
                return cls(int(float(found.group(1)) * cls._UNITS[found.group(2).lower()]))
        raise OptionsError(path, f"expected a size such as 1MiB or 65536, got {value!r}")


def _describe(tp: Any) -> str:
    if tp is type(None):
        return "null"
    if get_origin(tp) is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " | ".join(repr(m.value) for m in tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return "a mapping"
    origin = get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        return "a list"
    if origin in (dict, Mapping):
        return "a mapping"
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp))
    return getattr(tp, "__name__", str(tp))


def _fail(path: str, tp: Any, value: Any) -> OptionsError:
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return OptionsError(path, f"expected {_describe(tp)}, got {shown}")


def convert(tp: Any, value: Any, path: str) -> Any:
    """Turn `value` into type `tp`, raising `OptionsError` that names `path`."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return convert(option, value, path)
            except OptionsError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise _fail(path, tp, value)
    if origin is Literal:
        if value in get_args(tp):
            return value
        raise _fail(path, tp, value)
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, list):
            raise _fail(path, tp, value)
        item_type = get_args(tp)[0] if get_args(tp) else Any
        items = [convert(item_type, item, join(path, i)) for i, item in enumerate(value)]
        return tuple(items) if origin in (tuple, list) else frozenset(items)
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            raise _fail(path, tp, value)
        key_type, value_type = get_args(tp) or (str, Any)
        return types.MappingProxyType({
            convert(key_type, k, path): convert(value_type, v, join(path, str(k)))
            for k, v in value.items()
        })
    if isinstance(tp, type):
        if hasattr(tp, "parse") and issubclass(tp, Duration | ByteSize):
            return tp.parse(value, path)
        if dataclasses.is_dataclass(tp):
            return bind(tp, value, path)
        if issubclass(tp, enum.Enum):
            try:
                return tp(value)
            except ValueError:
                raise _fail(path, tp, value) from None
        if tp is bool:
            if isinstance(value, bool):
                return value
            raise _fail(path, tp, value)
        if tp is float:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            raise _fail(path, tp, value)
        if tp is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise _fail(path, tp, value)
        if tp is str:
            if isinstance(value, str):
                return value
            raise _fail(path, tp, value)
        if isinstance(value, tp):
            return value
    raise _fail(path, tp, value)


def _read_secret_file(path: str, filename: Any) -> str:
    if not isinstance(filename, str):
        raise OptionsError(path, f"expected a file path, got {filename!r}")
    try:
        return Path(filename).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise OptionsError(path, f"cannot read {filename!r}: {exc.strerror or exc}") from None


def bind[T](cls: type[T], data: Any, path: str = "", *, label: str = "key") -> T:
    """Build dataclass `cls` from mapping `data`.

    Unknown keys are errors (a typo must never silently fall back to a default).
    A field `secret` may instead be given as `secret_file: PATH`, whose content is used.
    `label` names what a key is in messages ("option" for filter options).
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise OptionsError(path, f"expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        key_path = join(path, str(key))
        name = str(key)
        if name not in fields and name.endswith("_file") and name[:-5] in fields:
            target = name[:-5]
            if target in data:
                raise OptionsError(key_path, f"give either {target} or {name}, not both")
            values[target] = convert(hints[target], _read_secret_file(key_path, raw), key_path)
            continue
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise OptionsError(key_path, f"unknown {label} (known: {known})")
        values[name] = convert(hints[name], raw, key_path)
    for name, f in fields.items():
        if name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise OptionsError(join(path, name), f"required {label} missing")
    try:
        instance = cls(**values)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, OptionsError):
            raise
        raise OptionsError(path, str(exc)) from None
    check = getattr(instance, "validate", None)
    if callable(check):
        check(path)
    return instance


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(data: Any, path: str = "", environ: Mapping[str, str] | None = None) -> Any:
    """Replace `${NAME}` (or `${NAME:-default}`) in every string; an unset name is an error."""
    env = os.environ if environ is None else environ
    if isinstance(data, dict):
        return {k: expand_env(v, join(path, str(k)), env) for k, v in data.items()}
    if isinstance(data, list):
        return [expand_env(v, join(path, i), env) for i, v in enumerate(data)]
    if isinstance(data, str) and "${" in data:
        def substitute(found: re.Match[str]) -> str:
            name, default = found.group(1), found.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise OptionsError(path, f"environment variable {name} is not set")
        return _ENV_REF.sub(substitute, data)
    return data
