import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from filters import Filter, OptionsError
from filters._registry import GROUP, build, check_class, describe, format_filters, installed, load
from filters.builtin.keyword import Keyword
from filters.builtin.size_limit import SizeLimit

PLUGINS = '''
from dataclasses import dataclass, field
from typing import Literal
from filters import PASS, Direction, Filter

class NotAFilter:
    pass

@dataclass
class Mutable:
    x: int = 1

class MutableOptions(Filter):
    name = "mutable"
    Options = Mutable

class NoName(Filter):
    pass

class NotDataclass(Filter):
    name = "nd"
    Options = dict

class SyncInspect(Filter):
    name = "sync"
    def inspect(self, message):
        return PASS

class NoDirections(Filter):
    name = "nodir"
    directions = frozenset()

class Rejects(Filter):
    name = "rejects"
    def __init__(self, options=None):
        raise ValueError("level and mode do not fit")

@dataclass(frozen=True)
class GoodOptions:
    level: int = field(default=1, metadata={"doc": "how hard to look"})
    mode: Literal["a", "b"] = "a"
    tags: tuple[str, ...] = ()

class Good(Filter):
    """A well-formed test filter.

    More text that is not shown.
    """
    name = "good"
    Options = GoodOptions
    directions = frozenset({Direction.INBOUND})
'''

ENTRY_POINTS = {
    "t_not_filter": "NotAFilter", "t_mutable": "MutableOptions", "t_no_name": "NoName",
    "t_not_dataclass": "NotDataclass", "t_sync": "SyncInspect", "t_nodir": "NoDirections",
    "t_rejects": "Rejects", "t_good": "Good", "t_missing": "DoesNotExist",
}


def _distribution(root: Path, name: str, module: str, source: str, points: dict[str, str]) -> None:
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = [f"{key} = {module}:{target}" for key, target in points.items()]
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n" + "\n".join(lines) + "\n")


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Installs (on sys.path, as a real distribution) a set of good and broken test plugins."""
    module = f"cg_plugins_{abs(hash(tmp_path))}"
    _distribution(tmp_path, "cg-test-plugins", module, PLUGINS, ENTRY_POINTS)
    _distribution(tmp_path, "cg-broken", f"{module}_broken", "raise RuntimeError('boom')\n", {"t_broken": "X"})
    monkeypatch.syspath_prepend(str(tmp_path))
    yield module
    for name in (module, f"{module}_broken"):
        sys.modules.pop(name, None)


def test_builtins_and_the_example_plugin_are_installed() -> None:
    found = installed()
    assert found["size_limit"].value == "filters.builtin.size_limit:SizeLimit"
    assert found["keyword"].value == "filters.builtin.keyword:Keyword"
    assert found["ticket_mask"].value == "chatguard_example_filter:TicketMask"
    assert load("keyword", "x") is Keyword
    assert load("size_limit", "x") is SizeLimit


def test_example_plugin_is_only_imported_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "chatguard_example_filter", raising=False)  # restored afterwards
    installed()
    assert "chatguard_example_filter" not in sys.modules
    assert load("ticket_mask", "x").name == "ticket_mask"
    assert "chatguard_example_filter" in sys.modules


def test_unknown_plugin_lists_installed_ones() -> None:
    with pytest.raises(OptionsError, match=r"^filters\.f\.use: unknown filter plugin 'nope' \(installed: .*keyword") as err:
        build("f", "nope", {}, "filters.f")
    assert "size_limit" in str(err.value)


@pytest.mark.parametrize(("use", "problem"), [
    ("t_not_filter", "is not a subclass of filters.Filter"),
    ("t_mutable", "Options is not a frozen dataclass (use @dataclass(frozen=True))"),
    ("t_no_name", "does not set `name`"),
    ("t_not_dataclass", "Options is not a dataclass"),
    ("t_sync", "inspect is not an async def"),
    ("t_nodir", "directions is not a non-empty frozenset of Direction"),
])
def test_unfit_classes_are_refused(plugins: str, use: str, problem: str) -> None:
    target = f"{plugins}:{ENTRY_POINTS[use]}"
    with pytest.raises(OptionsError) as err:
        build("f", use, {}, "filters.f")
    assert str(err.value) == f"filters.f.use: filter plugin {use!r} ({target}) {problem}"


@pytest.mark.parametrize(("use", "expected"), [
    ("t_missing", r"^filters\.f\.use: cannot load filter plugin 't_missing' from .*:DoesNotExist: AttributeError"),
    ("t_broken", r"^filters\.f\.use: cannot load filter plugin 't_broken' from .*: RuntimeError: boom$"),
])
def test_import_errors_name_the_key(plugins: str, use: str, expected: str) -> None:
    with pytest.raises(OptionsError, match=expected):
        build("f", use, {}, "filters.f")


def test_constructor_errors_name_the_options_key(plugins: str) -> None:
    with pytest.raises(OptionsError) as err:
        build("f", "t_rejects", {}, "filters.f")
    assert str(err.value) == "filters.f.options: rejected by filter 'rejects': level and mode do not fit"


def test_two_plugins_with_one_name_are_refused(plugins: str, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _distribution(other, "cg-shadow", f"{plugins}_shadow", "from filters.builtin.keyword import Keyword\n",
                  {"keyword": "Keyword"})
    sys.path.insert(0, str(other))
    try:
        with pytest.raises(OptionsError, match=r"^filters\.f\.use: filter plugin 'keyword' is provided more than once"):
            build("f", "keyword", {"words": ["x"]}, "filters.f")
    finally:
        sys.path.remove(str(other))


@pytest.mark.parametrize(("use", "options", "message"), [
    ("keyword", {"wrods": ["x"]}, "filters.f.options.wrods: unknown option (known: action, replacement, words)"),
    ("keyword", {}, "filters.f.options.words: required option missing"),
    ("keyword", {"words": []}, "filters.f.options.words: list at least one word"),
    ("keyword", {"words": ["ok", "\u200b "]}, "filters.f.options.words[1]: empty word '\\u200b '"),
    ("keyword", {"words": "bad"}, "filters.f.options.words: expected a list, got 'bad'"),
    ("keyword", {"words": ["x"], "action": "drop"}, "filters.f.options.action: expected 'block' | 'replace', got 'drop'"),
    ("keyword", {"words": [1]}, "filters.f.options.words[0]: expected str, got 1"),
    ("keyword", ["words"], "filters.f.options: expected a mapping, got list"),
    ("size_limit", {"max_chars": 0}, "filters.f.options.max_chars: expected >= 1 or null, got 0"),
    ("size_limit", {"max_chars": None}, "filters.f.options: set max_chars or max_bytes (or both)"),
    ("size_limit", {"max_bytes": "lots"}, "filters.f.options.max_bytes: expected a size such as 1MiB or 65536, got 'lots'"),
    ("size_limit", {"action": "cut"}, "filters.f.options.action: expected 'block' | 'truncate', got 'cut'"),
    ("size_limit", {"max_chars": True}, "filters.f.options.max_chars: expected int, got True"),
])
def test_option_errors_name_the_key_path(use: str, options: object, message: str) -> None:
    with pytest.raises(OptionsError) as err:
        build("f", use, options, "filters.f")  # type: ignore[arg-type]
    assert str(err.value) == message


def test_build_binds_options() -> None:
    flt = build("f", "size_limit", {"max_chars": 10, "max_bytes": "1KiB", "action": "truncate"}, "filters.f")
    assert isinstance(flt, Filter)
    assert (flt.options.max_chars, flt.options.max_bytes, flt.options.action) == (10, 1024, "truncate")


def test_check_class_accepts_builtins() -> None:
    assert check_class(Keyword) == check_class(SizeLimit) == ""


def test_describe_lists_options_and_errors(plugins: str) -> None:
    infos = {info.use: info for info in describe()}
    good = infos["t_good"]
    assert good.description == "A well-formed test filter."
    assert good.directions == ("inbound",)
    assert [(o.name, o.type, o.default, o.doc) for o in good.options] == [
        ("level", "int", "1", "how hard to look"),
        ("mode", "'a' | 'b'", '"a"', ""),
        ("tags", "list of str", "[]", ""),
    ]
    assert "RuntimeError: boom" in infos["t_broken"].error
    text = format_filters(describe())
    assert f"t_good  ({plugins}:Good)\n    A well-formed test filter.\n    directions: inbound\n" in text
    assert "    level: int = 1  how hard to look\n" in text
    assert "    words: list of str (required)  words or phrases" in text
    assert "    error: cannot load filter plugin 't_broken'" in text
    assert "ticket_mask  (chatguard_example_filter:TicketMask)" in text


def test_format_without_plugins() -> None:
    assert format_filters([]).startswith("no filter plugins installed")
