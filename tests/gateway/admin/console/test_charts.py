"""Server-drawn SVG charts: valid markup, escaped labels, a description for screen readers."""

from __future__ import annotations

from xml.etree import ElementTree

from gateway.admin.console.charts import bars

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_scaled_and_described() -> None:
    chart = bars("c1", "Blocks by type", [("keyword", 4), ("card", 2), ("<script>", 0)])
    root = ElementTree.fromstring(chart.replace("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1))  # noqa: S314 (our own output)
    heights = [float(r.get("height", "0")) for r in root.iter(f"{SVG}rect")]
    assert heights[0] == 2 * heights[1] and heights[2] == 0
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-t c1-d"
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert root.find(f"{SVG}desc").text == "6 in total. keyword: 4, card: 2"


def test_an_empty_chart_says_so() -> None:
    assert "no events yet" in bars("c2", "Alerts", [("00:00", 0)])
