"""Inline-SVG charts for the report: step lines on a UTC time axis, horizontal bars, dots.

No plotting library and no scripts: the page stays one small self-contained file. Axes use
"nice" ticks (1, 2, 2.5, 5 x 10^k; time steps from seconds to days), series are drawn as
steps (a journaled value holds until the next record), and every label is escaped. An empty
series gives a frame with "no data" rather than an error: a short run may lack one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 30, 44
COLOR = "#2b6cb0"
NEGATIVE = "#c53030"
GRID = "#e6e6e6"

Fmt = Callable[[float], str]
_TIME_STEPS_MS = (
    1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
    1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
    172_800_000, 604_800_000,
)  # fmt: skip


def _frame(title: str, body: str, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
        f"{body}</svg>"
    )


def _no_data(title: str) -> str:
    note = f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#888">no data</text>'
    return _frame(title, note)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9)
    ticks = [round((first + i) * step, 10) for i in range(count * 3)]
    last = next(i for i, t in enumerate(ticks) if t >= hi - step * 1e-9)
    return ticks[: last + 1]


def time_ticks(start_ms: int, end_ms: int, most: int = 7) -> list[int]:
    """Tick times on whole steps of a human interval (UTC), at most `most` of them."""
    span = max(end_ms - start_ms, 1)
    step = next((s for s in _TIME_STEPS_MS if span / s <= most - 1), _TIME_STEPS_MS[-1])
    first = -(-start_ms // step) * step
    return list(range(first, end_ms + 1, step))


def _time_label(ts_ms: int, span_ms: int) -> str:
    moment = datetime.fromtimestamp(ts_ms // 1000, tz=UTC)
    if span_ms >= 2 * 86_400_000:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%H:%M:%S" if span_ms < 300_000 else "%H:%M")


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    span = hi - lo or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def step_chart(
    title: str,
    points: Sequence[tuple[int, float]],
    fmt: Fmt,
    *,
    end_ms: int | None = None,
    include_zero: bool = False,
    y_span: Sequence[float] = (),
) -> str:
    """A step line over (ts_ms, y): each value holds until the next point, the last one
    until `end_ms` (the run's end) when given. The x axis is UTC time; the y axis covers the
    points and `y_span` (values to keep in view without drawing them)."""
    if not points:
        return _no_data(title)
    xs = [p[0] for p in points]
    x_lo, x_hi = min(xs), max(*xs, end_ms or 0)
    if x_hi == x_lo:
        x_hi = x_lo + 1_000
    ys = [p[1] for p in points] + ([0.0] if include_zero else []) + list(y_span)
    ticks = nice_ticks(min(ys), max(ys))
    x = _scale(x_lo, x_hi, LEFT, WIDTH - RIGHT)
    y = _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    path = [f"M{x(points[0][0]):.1f},{y(points[0][1]):.1f}"]
    for (_, value), (next_ts, next_value) in itertools.pairwise(points):
        path.append(f"H{x(next_ts):.1f}V{y(next_value):.1f}")
        del value
    path.append(f"H{x(x_hi):.1f}")
    body = (
        _y_axis(ticks, y, fmt)
        + _x_time_axis(x_lo, x_hi, x)
        + f'<path d="{"".join(path)}" fill="none" stroke="{COLOR}" stroke-width="2"/>'
    )
    return _frame(title, body)


def _y_axis(ticks: Sequence[float], y: Callable[[float], float], fmt: Fmt) -> str:
    parts = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>']
    for value in ticks:
        py = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - RIGHT}" y2="{py:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(fmt(value))}</text>"
        )
    return "".join(parts)


def _x_time_axis(x_lo: int, x_hi: int, x: Callable[[float], float]) -> str:
    base = HEIGHT - BOTTOM
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#444"/>']
    span = x_hi - x_lo
    for tick in time_ticks(x_lo, x_hi):
        px = x(tick)
        parts.append(
            f'<line x1="{px:.1f}" y1="{base}" x2="{px:.1f}" y2="{base + 4}" stroke="#444"/>'
            f'<text x="{px:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">'
            f"{escape(_time_label(tick, span))}</text>"
        )
    day = datetime.fromtimestamp(x_lo // 1000, tz=UTC).strftime("%Y-%m-%d")
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{base + 34}" font-size="11" text-anchor="end" '
        f'fill="#555">time, UTC (from {day})</text>'
    )
    return "".join(parts)


def hbar_chart(title: str, bars: Sequence[tuple[str, float]], fmt: Fmt) -> str:
    """Horizontal bars, one row per label (long labels fit), negatives in red."""
    if not bars:
        return _no_data(title)
    row, label_w = 22, 300
    height = TOP + row * len(bars) + 30
    ticks = nice_ticks(min(0.0, *(v for _, v in bars)), max(0.0, *(v for _, v in bars)), 4)
    x = _scale(ticks[0], ticks[-1], label_w, WIDTH - RIGHT - 60)
    zero = x(0.0)
    parts = []
    for i, (label, value) in enumerate(bars):
        top = TOP + 6 + i * row
        left, right = sorted((x(value), zero))
        color = NEGATIVE if value < 0 else COLOR
        short = label if len(label) <= 48 else label[:47] + "\u2026"
        parts.append(
            f'<text x="{label_w - 8}" y="{top + 13}" font-size="11" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
            f'<rect x="{left:.1f}" y="{top}" width="{max(right - left, 0.5):.1f}" height="16" '
            f'fill="{color}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
            f'<text x="{max(right, zero) + 4:.1f}" y="{top + 13}" font-size="11">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append(
        f'<line x1="{zero:.1f}" y1="{TOP}" x2="{zero:.1f}" y2="{height - 24}" stroke="#444"/>'
    )
    return _frame(title, "".join(parts), height)


def scatter_chart(
    title: str, points: Sequence[tuple[int, float]], fmt: Fmt, *, end_ms: int | None = None
) -> str:
    """Dots over (ts_ms, y) on a UTC time axis, with a dashed zero line."""
    if not points:
        return _no_data(title)
    xs = [p[0] for p in points]
    x_lo, x_hi = min(xs), max(*xs, end_ms or 0)
    if x_hi == x_lo:
        x_hi = x_lo + 1_000
    ticks = nice_ticks(min(0.0, *(p[1] for p in points)), max(0.0, *(p[1] for p in points)))
    x = _scale(x_lo, x_hi, LEFT + 5, WIDTH - RIGHT - 5)
    y = _scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    parts = [_y_axis(ticks, y, fmt), _x_time_axis(x_lo, x_hi, x)]
    zero = y(0.0)
    parts.append(
        f'<line x1="{LEFT}" y1="{zero:.1f}" x2="{WIDTH - RIGHT}" y2="{zero:.1f}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    for px, py in points:
        color = NEGATIVE if py < 0 else COLOR
        parts.append(f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3" fill="{color}"/>')
    return _frame(title, "".join(parts))
