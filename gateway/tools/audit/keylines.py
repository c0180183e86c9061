"""The line of a key path (`routes[2].websocket.origins`) in a YAML text, for findings and SARIF.

Best effort: a path the text does not spell (a default, a key inside a preset) gets the line of
its nearest written ancestor, and None when not even the top key is written.
"""

from __future__ import annotations

import re

import yaml

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _TOKEN.findall(path)]


def line_of(text: str, path: str) -> int | None:
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line: int | None = None
    for token in _tokens(path):
        if isinstance(node, yaml.MappingNode) and isinstance(token, str):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == token), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(token, int) and token < len(node.value):
            node = node.value[token]
            line = node.start_mark.line + 1
        else:
            break
    return line
