"""Finding and loading filter plugins through the `chatguard.filters` entry-point group.

Built-in filters register exactly like third-party ones, so there is one loading path
to test. Only plugins named in the config are imported: an installed but unused package
never runs code inside the gateway. Everything that can be wrong with a plugin (unknown
name, import error, not a Filter, bad Options, bad option values) stops startup with
the config key path.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Union, get_args, get_origin, get_type_hints

from filters._api import AnyFilter, Direction, Filter
from filters._context import FilterContext
from filters._describe import option_help, show_default
from filters.options import OptionsError, _describe, bind, join

__all__ = [
    "GROUP", "FilterInfo", "OptionInfo", "build", "check_class", "describe", "format_filters",
    "installed", "load",
]

GROUP = "chatguard.filters"


def _entry_points() -> dict[str, list[EntryPoint]]:
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=GROUP):
        if ep not in found.get(ep.name, []):
            found.setdefault(ep.name, []).append(ep)
    return found


def installed() -> Mapping[str, EntryPoint]:
    """Every installed filter plugin by the name a config's `use:` refers to (not imported)."""
    return {name: eps[0] for name, eps in sorted(_entry_points().items())}


def check_class(obj: Any) -> str:
    """Why `obj` cannot serve as a filter class ("" when it can)."""
    if not (isinstance(obj, type) and issubclass(obj, Filter)):
        return "is not a subclass of filters.Filter"
    if not isinstance(obj.name, str) or not obj.name:
        return "does not set `name`"
    options = obj.Options
    if not (isinstance(options, type) and dataclasses.is_dataclass(options)):
        return "Options is not a dataclass"
    if not options.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return "Options is not a frozen dataclass (use @dataclass(frozen=True))"
    directions = obj.directions
    if not (isinstance(directions, frozenset) and directions
            and all(isinstance(d, Direction) for d in directions)):
        return "directions is not a non-empty frozenset of Direction"
    if not inspect.iscoroutinefunction(obj.inspect):
        return "inspect is not an async def"
    if not inspect.iscoroutinefunction(obj.aclose):
        return "aclose is not an async def"
    return ""


def load(use: str, path: str) -> type[AnyFilter]:
    """Import the plugin `use`; errors name `path` (the config key holding `use`)."""
    found = _entry_points()
    if use not in found:
        known = ", ".join(sorted(found)) or "none installed"
        raise OptionsError(path, f"unknown filter plugin {use!r} (installed: {known})")
    candidates = found[use]
    if len(candidates) > 1:
        targets = ", ".join(sorted(ep.value for ep in candidates))
        raise OptionsError(path, f"filter plugin {use!r} is provided more than once ({targets})")
    ep = candidates[0]
    try:
        obj = ep.load()
    except Exception as exc:
        raise OptionsError(path, f"cannot load filter plugin {use!r} from {ep.value}: "
                                 f"{type(exc).__name__}: {exc}") from exc
    problem = check_class(obj)
    if problem:
        raise OptionsError(path, f"filter plugin {use!r} ({ep.value}) {problem}")
    return obj  # type: ignore[no-any-return]


def instantiate(cls: type[AnyFilter], options: Mapping[str, Any] | None, path: str,
                context: FilterContext | None = None) -> AnyFilter:
    """Bind `options` onto `cls.Options` at `path` and build the filter with `context`.

    A plugin written before filters took a context (its constructor takes options only)
    is still built; it gets the default context from the base class.
    """
    data = dict(options) if isinstance(options, Mapping) else options
    bound: Any = bind(cls.Options, data, path, label="option")
    try:
        if _takes_context(cls):
            return cls(bound, context if context is not None else FilterContext())
        return cls(bound)
    except OptionsError as exc:
        if exc.path.startswith(path):
            raise
        # Constructors check their options by the option's own name (`blocklists[0]`): name the whole key.
        inner = "" if exc.path == "(top level)" else exc.path
        raise OptionsError(join(path, inner) if inner else path, exc.problem) from None
    except (ValueError, TypeError) as exc:
        raise OptionsError(path, f"rejected by filter {cls.name!r}: {exc}") from exc


def _takes_context(cls: type[AnyFilter]) -> bool:
    try:
        inspect.signature(cls).bind(None, None)
    except TypeError:
        return False
    return True


def build(name: str, use: str, options: Mapping[str, Any] | None, path: str,
          context: FilterContext | None = None) -> AnyFilter:
    """Build configured filter `name` (config key `path`, e.g. `filters.mask`) with its own logger."""
    cls = load(use, join(path, "use"))
    return instantiate(cls, options, join(path, "options"), (context or FilterContext()).for_filter(name))


@dataclass(frozen=True, slots=True)
class OptionInfo:
    name: str
    type: str
    default: str  # as written in YAML; "(required)" when the option has no default
    doc: str = ""


@dataclass(frozen=True, slots=True)
class FilterInfo:
    use: str
    target: str
    description: str = ""
    directions: tuple[str, ...] = ()
    options: tuple[OptionInfo, ...] = ()
    error: str = ""


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp))
    return _describe(tp)


def _options_of(cls: type[AnyFilter]) -> tuple[OptionInfo, ...]:
    hints = get_type_hints(cls.Options)
    helps = option_help(cls.Options)
    infos = []
    for f in dataclasses.fields(cls.Options):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            default = show_default(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = show_default(f.default_factory())
        else:
            default = "(required)"
        infos.append(OptionInfo(f.name, _type_name(hints[f.name]), default, helps.get(f.name, "")))
    return tuple(infos)


def describe() -> list[FilterInfo]:
    """Every installed plugin with its options; one that cannot load is listed with its error."""
    infos = []
    for use, ep in installed().items():
        try:
            cls = load(use, use)
        except OptionsError as exc:
            infos.append(FilterInfo(use, ep.value, error=exc.problem))
            continue
        doc = cls.description or (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        infos.append(FilterInfo(use, ep.value, doc, tuple(sorted(d.value for d in cls.directions)),
                                _options_of(cls)))
    return infos


def format_filters(infos: list[FilterInfo]) -> str:
    """The text of `chatguard filters`."""
    if not infos:
        return f"no filter plugins installed (entry-point group {GROUP})\n"
    lines = []
    for info in infos:
        lines.append(f"{info.use}  ({info.target})")
        if info.error:
            lines.append(f"    error: {info.error}")
            lines.append("")
            continue
        if info.description:
            lines.append(f"    {info.description}")
        lines.append(f"    directions: {', '.join(info.directions)}")
        if not info.options:
            lines.append("    options: none")
        for opt in info.options:
            doc = f"  {opt.doc}" if opt.doc else ""
            default = opt.default if opt.default == "(required)" else f"= {opt.default}"
            lines.append(f"    {opt.name}: {opt.type} {default}{doc}")
        lines.append("")
    return "\n".join(lines)
