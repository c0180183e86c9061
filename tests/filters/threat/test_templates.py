"""Template expressions read as the engines read them: constant arithmetic in an engine's delimiters is a probe."""

from __future__ import annotations

import pytest

from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.templates import probes


@pytest.mark.parametrize("text", [
    "{{7-3}}", "{{ (6+1)*7 }}", "{{ 3**3 }}", "{{'7'*7}}", "{{ 7~7 }}", "${ 49/7 }", "${(28+63)*63}",
    '${"63"?length*43}', "#{ (35-72)*35 }", "<%= 7*7 %>", "<%- 9%4 %>", "<% print(14*99) %>", "[[${7*7}]]",
    "__${7*7}__::.x", "*{ 6*6 }", "@(7*7)", "@{ var x=7*7; }@x", "{{ 7|add:7 }}", "{{ [7,7]|sum }}",
    "{{ range(7)|length*7 }}", "{% print(7*7) %}", "#set($x = 7*7)$x", '{math equation="x*y" x=7 y=7}',
    "{% widthratio 7 1 7 %}", "#evaluate(\"#set($x=1)\")", "{{\n42*2\n}}", "John{{7*7}}Smith",
])
def test_constant_arithmetic_in_delimiters_is_a_probe(text: str) -> None:
    assert probes(text.lower()), text


@pytest.mark.parametrize("text", [
    "{{ price * 1.2 }}", "${user.age + 1}", "{{ items|length }}", "{{ 7 }}", "${total}", "#{name}", "<%= @user.name %>",
    "[[1, 2], [3, 4]]", "[[${user.name}]]", "{{ 'a' }}", "{% for i in range(3) %}", "${60 * seconds}", "{{7*", "{{ }}",
    "#set($total = $item.price * 2)",
])
def test_expressions_on_data_or_without_an_operator_are_no_probe(text: str) -> None:
    assert not probes(text.lower()), text


def test_openers_that_never_close_are_read_a_bounded_number_of_times() -> None:
    assert probes("{{ (" * 5000 + "{{7*7}}") == []  # past the openers read: the text is a template's own


_THREAT = ThreatFilter(ThreatOptions(sink="bot"))


@pytest.mark.parametrize("text", ["{{7-3}}", "%24%7B%2843%2B93%29%2A93%7D", "name=&#x0024;&#x007b;7&#x002a;7&#x007d;"])
def test_probes_block_plain_and_decoded(text: str) -> None:
    assert _THREAT.decide(text).action.name == "BLOCK", text


@pytest.mark.parametrize("text", [
    "my jinja template {{ price * 1.2 }} shows nothing", "FreeMarker prints ${amount} with a comma",
    "```js\nconst ttl = `${60 * 60 * 24}`;\n```",
])
def test_templates_on_data_and_pasted_programs_pass(text: str) -> None:
    verdict = _THREAT.decide(text)
    assert verdict.action.name == "PASS" and not verdict.hints.alert, text
