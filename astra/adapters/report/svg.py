"""Small inline-SVG charts: line, bar and scatter. No plotting library, no scripts, no fetches.

Every function returns one `<svg>` element as text; all labels are escaped. Empty input gives a
chart frame with a "no data" note rather than an error, since a short run may lack a series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 40
COLOR = "#2b6cb0"
NEGATIVE = "#c53030"

Fmt = Callable[[float], str]


def _frame(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
        f"{body}</svg>"
    )


def _no_data(title: str) -> str:
    note = f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#888">no data</text>'
    return _frame(title, note)


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    span = hi - lo or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _axes(y_lo: float, y_hi: float, fmt: Fmt) -> str:
    y = _scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
    ]
    for i in range(5):
        value = y_lo + (y_hi - y_lo) * i / 4
        py = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - RIGHT}" y2="{py:.1f}" stroke="#eee"/>'
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(fmt(value))}</text>"
        )
    return "".join(parts)


def _bounds(values: Sequence[float], include_zero: bool) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    return lo, hi


def line_chart(
    title: str, points: Sequence[tuple[float, float]], fmt: Fmt, x_labels: tuple[str, str]
) -> str:
    """A polyline over (x, y) points; `x_labels` are the first and last x captions."""
    if not points:
        return _no_data(title)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    y_lo, y_hi = _bounds(ys, include_zero=False)
    x = _scale(min(xs), max(xs), LEFT, WIDTH - RIGHT)
    y = _scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    path = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in points)
    body = (
        _axes(y_lo, y_hi, fmt)
        + f'<polyline fill="none" stroke="{COLOR}" stroke-width="2" points="{path}"/>'
        + f'<text x="{LEFT}" y="{HEIGHT - 20}" font-size="11">{escape(x_labels[0])}</text>'
        + f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 20}" font-size="11" text-anchor="end">'
        + f"{escape(x_labels[1])}</text>"
    )
    return _frame(title, body)


def _short(label: str, slot: float) -> str:
    """The label, shortened with an ellipsis only when it cannot fit its bar's slot."""
    fits = max(int(slot / 5.8), 4)  # under 5.8 px per character at font-size 9
    return label if len(label) <= fits else label[: fits - 1] + "\u2026"


def bar_chart(title: str, bars: Sequence[tuple[str, float]], fmt: Fmt) -> str:
    """Vertical bars with their labels under them and values above; negatives in red."""
    if not bars:
        return _no_data(title)
    y_lo, y_hi = _bounds([v for _, v in bars], include_zero=True)
    y = _scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    slot = (WIDTH - LEFT - RIGHT) / len(bars)
    parts = [_axes(y_lo, y_hi, fmt)]
    for i, (label, value) in enumerate(bars):
        left = LEFT + i * slot + slot * 0.15
        top, bottom = sorted((y(value), y(0.0)))
        color = NEGATIVE if value < 0 else COLOR
        parts.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{max(bottom - top, 0.5):.1f}" fill="{color}"><title>{escape(label)}: '
            f"{escape(fmt(value))}</title></rect>"
            f'<text x="{left + slot * 0.35:.1f}" y="{HEIGHT - 24}" font-size="9" '
            f'text-anchor="middle">{escape(_short(label, slot))}</text>'
            f'<text x="{left + slot * 0.35:.1f}" y="{top - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{escape(fmt(value))}</text>'
        )
    return _frame(title, "".join(parts))


def scatter_chart(title: str, points: Sequence[tuple[float, float]], fmt: Fmt) -> str:
    """Dots over (x, y); a dashed zero line when y changes sign."""
    if not points:
        return _no_data(title)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    y_lo, y_hi = _bounds(ys, include_zero=True)
    x = _scale(min(xs), max(xs), LEFT + 5, WIDTH - RIGHT - 5)
    y = _scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    zero = y(0.0)
    parts = [
        _axes(y_lo, y_hi, fmt),
        f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{WIDTH - RIGHT}" y2="{zero:.1f}" '
        'stroke="#888" stroke-dasharray="4 3"/>',
    ]
    for px, py in points:
        color = NEGATIVE if py < 0 else COLOR
        parts.append(f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3" fill="{color}"/>')
    return _frame(title, "".join(parts))
