"""A bar chart as an SVG string, drawn on the server: no JavaScript, nothing fetched.

Pure (no Django): the caller passes the texts, already translated. The chart is an image with a ``<title>`` and
a ``<desc>`` (``role="img"``, ``aria-labelledby``); each bar carries its own ``<title>`` (a tooltip) and
``data-key`` / ``data-value`` attributes. Pages show the same numbers in a table as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 40
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    key: str  # machine-readable (an ISO date)
    label: str  # short axis label ("29/12")
    text: str  # full text of the bar's tooltip ("Semaine du 29/12/2025 : 12 badges")
    value: int


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


# A phone's chart: drawn for about 360 CSS pixels wide, so that its 12-unit texts stay about 12 px tall.
NARROW = {"width": 360, "height": 240, "max_labels": 4}


def bar_chart_svg(bars: list[Bar], *, title: str, desc: str, element_id: str = "chart", width: int = WIDTH,
                  height: int = HEIGHT, max_labels: int = MAX_X_LABELS, css_class: str = "chart") -> str:
    """The chart, drawn for ``width`` by ``height`` units (``NARROW`` for phones: fewer date labels)."""
    WIDTH, HEIGHT = width, height  # the drawing below reads these names
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max((b.value for b in bars), default=0))
    band = plot_w / max(len(bars), 1)
    bar_w = max(band * 0.7, 1.0)
    every = max(1, math.ceil(len(bars) / max_labels))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{element_id}-title {element_id}-desc" id="{element_id}">',
           f'<title id="{element_id}-title">{escape(title)}</title>',
           f'<desc id="{element_id}-desc">{escape(desc)}</desc>']
    # Horizontal grid and the value axis: 0, a quarter, half... of the top value.
    out.append('<g class="chart__grid" aria-hidden="true">')
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    out.append("</g>")
    out.append('<g class="chart__bars">')
    for i, bar in enumerate(bars):
        height = plot_h * bar.value / top_value
        x = LEFT + i * band + (band - bar_w) / 2
        y = TOP + plot_h - height
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                   f'data-key={quoteattr(bar.key)} data-value="{bar.value}"><title>{escape(bar.text)}</title></rect>')
    out.append("</g>")
    out.append('<g class="chart__labels" aria-hidden="true">')
    for i, bar in enumerate(bars):
        if i % every == 0:
            x = LEFT + i * band + band / 2
            out.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{escape(bar.label)}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="chart__axis"/>')
    out.append("</g></svg>")
    return "".join(out)
