"""WebSocket requests named by an `action` member: Mattermost's `{"seq": 1, "action": "...", "data": {...}}`.

Mattermost hands every request a client sends on its WebSocket to the plugins as well
(`WebSocketMessageHasBeenPosted`), and those whose action starts with `custom_` to the plugins alone:
`custom_<plugin id>_<name>` carries whatever the plugin defines in `data` (a call's title, a reaction),
text the core actions (typing, statuses, the authentication challenge with its token) never hold.
Requests are selected by action name: a name ending in `*` selects every action it begins
(`custom_*`: every plugin's), `*` alone every action. Pointers address the whole request (`/data/**`).

Read as the server reads it: Go's `encoding/json` decodes one object into `model.WebSocketRequest`,
matching keys whatever their case (`Action`, `DATA`), a later key overwriting an earlier one, so a
request whose `action` is spelt twice, or is not a string, is refused, and keys are folded on every
pointer's way. A binary message is decoded by the server as MessagePack: it is read as the JSON text of
its values (`gateway.codec.packed`, which refuses what Go would read otherwise), passed as it came when its
action is not selected, a changed string written back into it in place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gateway.codec._base import CodecError, Renderer, TextField
from gateway.codec.jsonpath import check_document, parse_document, reject_constant
from gateway.codec.keys import fold_key
from gateway.codec.selection import NamedSelections, Selection

__all__ = ["ACTION_KEY", "extract_action", "prefixes"]

ACTION_KEY = "action"
_FOLDED = fold_key(ACTION_KEY)


def prefixes(names: Sequence[str]) -> tuple[str, ...]:
    """The beginnings that names ending in `*` select by (`custom_*` -> `custom_`), longest first."""
    return tuple(sorted((name[:-1] for name in names if name.endswith("*") and name != "*"), key=len, reverse=True))


class _Members(list[tuple[str, Any]]):
    """A JSON object's members in order, repeats kept (Go reads them all, the last one winning)."""


def action_name(text: str) -> str:
    """The action the server reads in one request; CodecError when it would read none or another."""
    check_document(text)
    try:
        message = json.loads(text, object_pairs_hook=_Members, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        raise CodecError("WebSocket request is not valid JSON") from None
    if not isinstance(message, _Members):
        raise CodecError("WebSocket request is not a JSON object")
    named = [value for key, value in message if fold_key(key) == _FOLDED]
    if len(named) != 1:
        raise CodecError("WebSocket request without one action (keys are matched whatever their case)")
    if not isinstance(named[0], str):
        raise CodecError("WebSocket request whose action is not a string")
    return named[0]


def selection_for(actions: NamedSelections, begins: tuple[str, ...], name: str) -> Selection | None:
    """The pointers that read action `name`: its own, else the longest declared beginning's, else `*`'s."""
    if actions.declared(name):
        return actions.get(name)
    for begin in begins:
        if name.startswith(begin):
            return actions.get(begin + "*")
    return actions.get(name)


def extract_action(text: str, actions: NamedSelections, begins: tuple[str, ...], fields: list[TextField],
                   names: list[str] | None = None) -> Renderer | None:
    """Fields of one WebSocket request; None when its action is not selected (`names` gets the action)."""
    name = action_name(text)
    if names is not None:
        names.append(name)
    selection = selection_for(actions, begins, name)
    if selection is None:
        return None
    return parse_document(text, selection, fields, f"[{name}]").render
