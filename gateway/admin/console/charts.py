"""Bar charts drawn by the server as inline SVG: no script, no library, nothing fetched.

Each chart carries a title and a description for screen readers and keeps its numbers in `<title>`
tooltips on the bars; colours come from the stylesheet (classes), so the CSP needs no inline style.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from gateway.auth.templates import Safe

WIDTH, HEIGHT = 640, 200
LEFT, BOTTOM, TOP = 36, 36, 12


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def bars(ident: str, title: str, points: Sequence[tuple[str, int]], *, label_every: int = 1) -> Safe:
    """A vertical bar chart of (label, value) pairs; `label_every` thins the axis labels."""
    total = sum(v for _, v in points)
    summary = ", ".join(f"{k}: {v}" for k, v in points if v) or "no events yet"
    top = max([v for _, v in points] + [1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(points), 1)
    parts = [f'<svg id="{_e(ident)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{_e(ident)}-t {_e(ident)}-d" preserveAspectRatio="xMinYMin meet">',
             f'<title id="{_e(ident)}-t">{_e(title)}</title>',
             f'<desc id="{_e(ident)}-d">{_e(total)} in total. {_e(summary)}</desc>',
             f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}"/>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
             f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>']
    for i, (label, value) in enumerate(points):
        h = round(plot_h * value / top, 1)
        w = round(min(step * 0.7, 56.0), 1)
        x = round(LEFT + i * step + (step - w) / 2, 1)
        parts.append(f'<rect class="bar" x="{x}" y="{round(TOP + plot_h - h, 1)}" width="{w}" height="{h}">'
                     f"<title>{_e(label)}: {_e(value)}</title></rect>")
        if i % label_every == 0:
            parts.append(f'<text class="tick" x="{round(x + w / 2, 1)}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{_e(label[:14])}</text>')
    parts.append("</svg>")
    return Safe("".join(parts))
