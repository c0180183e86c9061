"""Config loading: any YAML text gives Settings or an OptionsError naming the key, nothing else."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from filters.options import OptionsError
from gateway.config.settings import loads_settings
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import JSON_VALUES, TEXT, damaged, utf8

VALID: dict[str, Any] = {
    "listen": {"host": "127.0.0.1", "port": 8080},
    "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
    "filters": {"words": {"use": "keyword", "options": {"words": ["x"]}}},
    "roles": {"agent": {"permissions": ["transcripts:read"]}},
    "limits": {"max_body": "1MiB"},
    "routes": [{"name": "chat", "match": {"path": "/chat/{room}", "methods": ["POST"]}, "upstream": "up",
                "allow": ["agent"], "filters": ["words"], "messages": {"inbound": {"json": ["/text"]}}},
               {"preset": "generic_json", "upstream": "up", "allow": ["agent"]}],
}
VALUES = st.one_of(JSON_VALUES, st.sampled_from(["1MiB", "-1s", "10x", "0", "${UNSET}", "${A:-}", "$x", "*", "/"]))


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*here, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> str:
    config = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(config)))
        if not path:
            continue
        parent = config
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.integers(0, 2))
        if op == 0:
            parent[path[-1]] = draw(VALUES)
        elif op == 1 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(TEXT)] = draw(VALUES)
    return yaml.safe_dump(config, allow_unicode=True)


def load(text: str) -> None:
    try:
        loads_settings(text, environ={})
    except OptionsError as exc:
        assert str(exc).strip() and "\n" not in str(exc)  # one line, whatever the file holds


@FUZZ
@given(mutated())
@example("routes: [{preset: matrix, upstream: up, allow: [a], options: []}]\nupstreams: {up: {url: 'http://h'}}")
@example("listen: {port: 1e999}")
@example("? '\n\n  '\n: null\n")
@example("&a [*a]")
@example("a: !!python/object:os.system x")
@example("[" * 5000)
@example("- " * 3000 + "x")
@example("{a: " * 3000)
def test_mutated_config(text: str) -> None:
    load(text)


@FUZZ
@given(damaged(st.just(utf8(yaml.safe_dump(VALID)))))
def test_damaged_config_text(data: bytes) -> None:
    load(data.decode("utf-8", "replace"))


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    try:
        loads_settings("\n".join(levels), environ={})
    except OptionsError as exc:
        assert "aliases" in str(exc)
    else:
        raise AssertionError("accepted")
