"""`chatguard filters`: each option with its type, its default as it is written in YAML and one line of help."""

from __future__ import annotations

import dataclasses
import re

from filters._describe import option_help, show_default
from filters._registry import describe, format_filters
from filters.options import ByteSize, Duration


@dataclasses.dataclass(frozen=True)
class Inner:
    enabled: bool = True
    window: Duration = Duration(600)


@dataclasses.dataclass(frozen=True)
class Sample:
    """Example:

    ```yaml
    only_in_example: 3   # help from the docstring's YAML
    ```
    """

    window: Duration = Duration(0.25)  # how long to wait
    size: ByteSize = ByteSize(1024 * 1024)
    inner: Inner = dataclasses.field(default_factory=Inner)
    only_in_example: int = 3
    documented: str = dataclasses.field(default="x", metadata={"doc": "from metadata"})  # loses to metadata


def test_defaults_are_written_as_yaml_not_python() -> None:
    assert show_default(Duration(0.25)) == "250ms"
    assert show_default(Duration(2592000)) == "30d"
    assert show_default(Duration(90)) == "90s"
    assert show_default(ByteSize(1024 * 1024)) == "1MiB"
    assert show_default(Inner()) == "{enabled: true, window: 10m}"
    assert show_default(frozenset({"b", "a"})) == '["a", "b"]'
    assert show_default(None) == "null"


def test_help_comes_from_metadata_then_the_field_comment_then_the_docstring_example() -> None:
    helps = option_help(Sample)
    assert helps["window"] == "how long to wait"
    assert helps["only_in_example"] == "help from the docstring's YAML"
    assert helps["documented"] == "from metadata"
    assert "size" not in helps


def test_every_built_in_option_has_help_and_no_python_repr() -> None:
    infos = [info for info in describe() if info.target.startswith("filters.")]
    assert {info.use for info in infos} >= {"masking", "threat", "behaviour", "keyword", "size_limit"}
    missing = [f"{info.use}.{opt.name}" for info in infos for opt in info.options if not opt.doc]
    assert missing == []
    text = format_filters(infos)
    assert not re.search(r"\w+\(\w+=", text), "a Python repr in the listing"
    assert "token_ttl: Duration = 30d  how long a tokenised value can be turned back" in text
