"""Classic-injection rules written from each grammar (`injection`): each shape flagged, its everyday cousin not."""

from __future__ import annotations

import pytest

from filters import Action
from filters.threat import ThreatFilter, ThreatOptions

FILTER = ThreatFilter(ThreatOptions(sink="bot"))


def _flagged(text: str) -> bool:
    verdict = FILTER.decide(text)
    return verdict.action is not Action.PASS or verdict.hints.alert


@pytest.mark.parametrize("text", [
    "'};confirm(1);{'", "\");prompt(document.domain);//", "'])+alert(1)+(['", "x'});eval(name);({'",
])
def test_a_string_left_through_its_brackets_into_a_call_is_xss(text: str) -> None:
    assert FILTER.decide(text).action is Action.BLOCK


@pytest.mark.parametrize("text", ["'] | //user/* | //a['", "\")] | //* | //*[(\"", "x'] | /users/user/password | /a['"])
def test_a_predicate_closed_into_another_node_set_is_xpath_injection(text: str) -> None:
    assert _flagged(text)


@pytest.mark.parametrize("text", [
    '<!DOCTYPE foo PUBLIC "-//X//Y" "http://evil.test/p.dtd"><foo/>', "<!DOCTYPE r SYSTEM 'http://203.0.113.7/x.dtd'><r>1</r>",
    '<!doctype data SYSTEM "file:///etc/passwd">',
])
def test_a_document_type_fetched_from_a_url_is_xxe(text: str) -> None:
    assert _flagged(text)


@pytest.mark.parametrize("text", [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    "<!DOCTYPE html>", "Which <!DOCTYPE html> do I need for HTML5?",
])
def test_the_web_languages_own_document_types_are_not(text: str) -> None:
    assert not _flagged(text)


@pytest.mark.parametrize("text", [
    "{{['id']|filter('system')}}", "{{ ['ls']|map(\"passthru\")|join }}", "{{_self.env.getFilter('id')}}",
    "{{_self.env.registerUndefinedFilterCallback('exec')}}",
])
def test_a_template_handing_a_command_function_to_a_filter_is_injection(text: str) -> None:
    assert FILTER.decide(text).action is Action.BLOCK


@pytest.mark.parametrize("text", ["${pageContext.request.serverName}", "#{facesContext.externalContext}",
                                  "${applicationScope}", '{{#with "s" as |string|}}{{string.sub}}{{/with}}'])
def test_probes_of_a_page_s_objects_are_flagged(text: str) -> None:
    assert _flagged(text)


@pytest.mark.parametrize("text", [
    "{{ items|filter('active')|join(', ') }}", "{{ name|default('guest') }}",
    '<a href="${pageContext.request.contextPath}/login">Sign in</a> is what our JSP has',
    "{{#with author as |a|}}{{a.name}}{{/with}}", "Our header says ${header} where the title should be",
])
def test_ordinary_templates_are_not(text: str) -> None:
    assert FILTER.decide(text).action is not Action.BLOCK


@pytest.mark.parametrize("text", ["1 and sleep(5)", "'||sleep(5)||'", "x' or sleep(3)#", "1;select sleep(9)",
                                  "(sleep(5))", "1 AND pg_sleep(4)"])
def test_a_delay_asked_of_a_database_is_sqli(text: str) -> None:
    assert FILTER.decide(text).action is Action.BLOCK


@pytest.mark.parametrize("text", ["Is it safe to use sleep(5) in a retry loop in Python?", "time.sleep(5)",
                                  "await asyncio.sleep(1)", "Thread.sleep(100) blocks the thread, right?"])
def test_sleep_in_a_program_or_a_sentence_is_not(text: str) -> None:
    assert not _flagged(text)


@pytest.mark.parametrize("text", ["data://text/plain;base64,PD9waHAgcGhwaW5mbygpOz8+",
                                  "?page=data://text/plain,<?php system('id'); ?>"])
def test_php_s_data_wrapper_is_flagged(text: str) -> None:
    assert _flagged(text)


def test_a_browser_data_url_of_an_image_is_not() -> None:
    assert not _flagged("The logo is inlined as data:image/png;base64,iVBORw0KGgo")


@pytest.mark.parametrize("text", ["127.0.0.1+%26+whoami", "x%3B+cat+%2Fetc%2Fpasswd", "1%27+or+1%3D1--+-"])
def test_a_form_encoded_value_is_read_with_plus_as_space(text: str) -> None:
    assert FILTER.decide(text).action is Action.BLOCK


def test_a_plus_beside_spaces_stays_a_plus() -> None:
    assert not _flagged("C++ and 100% sure: 2+2 = 4")
