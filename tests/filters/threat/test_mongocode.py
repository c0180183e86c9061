"""MongoDB queries written as code pass; operator objects given as values, and JavaScript, still block."""

from __future__ import annotations

import pytest

from filters.threat import ThreatFilter, ThreatOptions
from filters.threat.mongocode import written

_THREAT = ThreatFilter(ThreatOptions(sink="bot"))


def _flagged(text: str) -> bool:
    verdict = _THREAT.decide(text)
    return verdict.action.name != "PASS" or verdict.hints.alert


@pytest.mark.parametrize("text", [
    "db.orders.find({ total: { $gt: 40 } }) returns nothing, why?",
    "mongoose: Order.find({ status: { $in: ['new', 'paid'] } }).limit(5) is slow",
    "db.items.countDocuments({ qty: { $lte: 3 }, tags: { $exists: true } }) takes seconds",
    "how do I index db.events.aggregate([{ $match: { kind: { $ne: 'ping' } } }]) for this?",
    "products.updateMany({ stock: { $lt: 1 } }, { $set: { hidden: true } }) updated 0 documents",
    "is db.logs.find({}) with no filter a full collection scan?",
])
def test_queries_a_developer_wrote_pass(text: str) -> None:
    assert not _flagged(text), text


@pytest.mark.parametrize("text", [
    '{"username": {"$ne": null}, "password": {"$ne": null}}',
    "user[$ne]=x&pass[$ne]=x",
    "username[$gt]=&password[$gt]=",
    "login=admin&password[$regex]=.*",
    "db.users.find({ $where: \"sleep(5000)\" })",
    "db.users.find({ $where: function() { return true } })",
    "db.sales.aggregate([{ $group: { _id: 1, t: { $accumulator: { init: 'function(){}' } } } }])",
    "db.users.find({ $expr: { $function: { body: 'function(){ sleep(5000) }', args: [], lang: 'js' } } })",
    "'; return db.users.find({ pass: { $ne: 1 } }); var x='",
    "x'; db.users.find({ age: { $gt: 0 } }); '",
    'db.users.find({"password": {"$ne": null}})',
    "db.users.find({ name: { $gt: '' } ",
])
def test_operator_values_and_javascript_are_still_flagged(text: str) -> None:
    assert _flagged(text), text


@pytest.mark.parametrize("text", ['{"username": {"$ne": null}, "password": {"$ne": null}}', "user[$ne]=x",
                                  "db.users.find({ $where: \"sleep(5000)\" })"])
def test_operator_values_and_javascript_block(text: str) -> None:
    assert _THREAT.decide(text).action.name == "BLOCK", text


def test_written_reads_the_call_around_the_hit() -> None:
    text = "db.users.find({ age: { $gt: 23 } })"
    start = text.index("{ $gt")
    assert written(text, start, start + 7)
    assert not written("{ age: { $gt: 23 } }", 7, 14)  # no call around it: a value
    assert not written("db.users.find({ age: { $gt: 23 }", 22, 29)  # unclosed: not read as code
    outside = "db.users.find({}) and {age: {$gt: 1}}"
    assert not written(outside, outside.index("{$gt"), outside.index("{$gt") + 6)  # after the call, not in it
