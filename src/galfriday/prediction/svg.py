"""Tiny inline-SVG charts for the training report: lines on a unit square, and horizontal bars.

matplotlib is not a dependency of Gal-Friday, and a report needs only three simple plots; SVG in
the HTML page keeps the report one self-contained file that any browser shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

W, H, PAD = 360, 300, 44
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def unit_line_chart(
    title: str,
    series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    x_label: str,
    y_label: str,
) -> str:
    """Lines on [0, 1] × [0, 1] with the dashed diagonal (chance for ROC, perfect for calibration)."""

    def x(v: float) -> float:
        return PAD + v * (W - 2 * PAD)

    def y(v: float) -> float:
        return H - PAD - v * (H - 2 * PAD)

    parts = [_frame(title, x_label, y_label)]
    parts.append(
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#999" stroke-dasharray="4"/>'
    )
    for i, (name, xs, ys) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(xs, ys, strict=True))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(
            f'<text x="{W - PAD}" y="{PAD + 14 * i}" text-anchor="end" fill="{colour}">{escape(name)}</text>'
        )
    for tick in (0, 0.5, 1):
        parts.append(f'<text x="{x(tick)}" y="{H - PAD + 14}" text-anchor="middle">{tick:g}</text>')
        parts.append(f'<text x="{PAD - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:g}</text>')
    return _svg(parts)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], x_label: str) -> str:
    """Horizontal bars from a zero line (negative values to the left)."""
    height = max(H, 2 * PAD + 18 * len(labels))
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    left, right = PAD + 110, W - PAD

    def x(v: float) -> float:
        return left + (v - low) / span * (right - left)

    parts = [_frame(title, x_label, "", height)]
    parts.append(f'<line x1="{x(0)}" y1="{PAD}" x2="{x(0)}" y2="{height - PAD}" stroke="#999"/>')
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        top = PAD + 18 * i + 2
        a, b = sorted((x(0), x(value)))
        colour = COLOURS[0] if value >= 0 else COLOURS[1]
        parts.append(
            f'<rect x="{a:.1f}" y="{top}" width="{max(b - a, 0.5):.1f}" height="14" fill="{colour}"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{top + 11}" text-anchor="end">{escape(name)}</text>')
    parts.append(f'<text x="{left}" y="{height - PAD + 14}">{low:.3g}</text>')
    parts.append(f'<text x="{right}" y="{height - PAD + 14}" text-anchor="end">{high:.3g}</text>')
    return _svg(parts, height)


def _frame(title: str, x_label: str, y_label: str, height: int = H) -> str:
    return (
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>'
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{height - 2 * PAD}" '
        'fill="none" stroke="#333"/>'
        f'<text x="{W / 2}" y="{height - 8}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="12" y="{height / 2}" transform="rotate(-90 12 {height / 2})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )


def _svg(parts: list[str], height: int = H) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
        f'font-family="sans-serif" font-size="11">{body}</svg>'
    )
