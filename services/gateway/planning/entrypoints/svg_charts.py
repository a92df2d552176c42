"""Bar charts drawn as SVG on the server: no script, no CDN, nothing the CSP must allow,
readable on a phone (the drawing scales to its box) and printable."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

HEIGHT, TOP, BOTTOM, LEFT = 190, 28, 34, 30  # px of the drawing; axes inside it


def bar_chart(rows: list[dict[str, Any]], series: list[tuple[str, str, str]],
              title: str, unit: str = "") -> Markup:
    """Grouped bars, one group per row (``row["label"]``), one bar per series
    ``(key, name, colour)``; the value is written above its bar, the legend on top."""
    slot = 12 * len(series) + 10
    width = LEFT + max(len(rows), 1) * slot + 10
    top = max([r[k] for r in rows for k, _, _ in series] + [1])
    scale = (HEIGHT - TOP - BOTTOM) / top
    base = HEIGHT - BOTTOM
    parts = [f'<svg class="chart" viewBox="0 0 {width} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
             f'<title>{escape(title)}</title>',
             f'<line x1="{LEFT}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#999"/>',
             f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="9">'
             f'{top:g}{escape(unit)}</text>']
    for k, (_, name, colour) in enumerate(series):
        x = LEFT + k * 90
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="15" font-size="10">{escape(name)}</text>')
    for i, row in enumerate(rows):
        x0 = LEFT + i * slot + 5
        for k, (key, _, colour) in enumerate(series):
            value = row[key]
            h = round(value * scale, 1)
            x = x0 + k * 12
            parts.append(f'<rect x="{x}" y="{base - h}" width="10" height="{h}" '
                         f'fill="{colour}"><title>{escape(row["label"])}: {value:g}'
                         f'{escape(unit)}</title></rect>')
            if value:
                parts.append(f'<text x="{x + 5}" y="{base - h - 2}" font-size="8" '
                             f'text-anchor="middle">{value:g}</text>')
        cx = x0 + 6 * len(series)
        parts.append(f'<text x="{cx}" y="{base + 12}" font-size="8" text-anchor="end" '
                     f'transform="rotate(-35 {cx} {base + 12})">{escape(row["label"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
