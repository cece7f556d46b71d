"""`write_report`: one self-contained HTML file (inline SVG, inline CSS, no scripts) for a run.

Inputs are plain rows as the journal readers return them (payload dicts plus `ts_ms` and
`market`), in the journal's units: prices in pips (1e-4), sizes in micro-shares (1e-6), cash,
costs and fees in micro-USD (1e-6).

- Equity: a ledger row's `equity` (marked equity: the equity record, docs/accounting.md) if it
  carries one, else cash + Σ position cost (a journal from before equity records). Drawdown is
  measured from the running peak.
- Performance: the metrics table (`astra.app.performance_summary`'s answer, given by the
  caller): each metric overall and per strategy, with its sample count, or why not.
- P&L by market: given as `market_pnl` rows (market, USD) by the caller (the journal's
  realised P&L per market, settlements included, plus open positions at cost; see
  `astra.app.funnel.pnl_by_market`), so the bars add up to the equity change at cost.
- Decision funnel: evaluations (decision records) by how far each got: wanted to quote,
  definition passed, new placements sent through the gates, one past EV, one past risk.
- Fill quality: for fills that carry `mid` (pips), the signed distance from mid in pips,
  positive when the fill was better than mid for us (a BUY below mid, a SELL above).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from astra.adapters.report import svg

Row = Mapping[str, Any]
PIPS = 10_000
MICRO = 1_000_000
# Decision actions that mean "orders wanted" (strategy protocol and journal spellings).
_QUOTING = frozenset({"quote", "place"})

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:780px}"
    "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
    "th{background:#f0f0f0}section{margin:1.5em 0}"
)


def _usd(value: float) -> str:
    sign = "-" if round(value, 2) < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def _when(ts_ms: float) -> str:
    stamp = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).isoformat(timespec="seconds")
    return stamp.replace("+00:00", "Z")


def equity_points(ledger: Sequence[Row]) -> list[tuple[float, float]]:
    points = []
    for row in sorted(ledger, key=lambda r: int(r["ts_ms"])):
        if "equity" in row:
            equity = float(row["equity"]) / MICRO
        else:
            positions = row.get("positions") or {}
            cost = sum(int(p.get("cost", 0)) for p in positions.values())
            equity = (int(row["cash"]) + cost) / MICRO
        points.append((float(row["ts_ms"]), equity))
    return points


def drawdown_points(equity: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    peak = float("-inf")
    points = []
    for ts, value in equity:
        peak = max(peak, value)
        points.append((ts, (peak - value) / peak if peak > 0 else 0.0))
    return points


def _chains(gates: Sequence[Row]) -> list[list[Row]]:
    """The placement chains of a decision's `gates` (each starts at its definition verdict)."""
    chains: list[list[Row]] = []
    for gate in gates:
        if gate.get("gate") == "definition" or not chains:
            chains.append([])
        chains[-1].append(gate)
    return chains


def _passed_through(chain: Sequence[Row], gate: str) -> bool:
    """Every verdict of the chain up to and including `gate` passed (and `gate` is in it)."""
    for verdict in chain:
        if not verdict.get("passed"):
            return False
        if verdict.get("gate") == gate:
            return True
    return False


def _stage(decision: Row) -> int:
    """How far down the funnel one evaluation got (0 = evaluated only)."""
    if str(decision.get("action", "")).lower() not in _QUOTING:
        return 0
    definition = decision.get("definition") or {}
    if not definition.get("passed", True):
        return 1
    chains = _chains(decision.get("gates") or [])
    if not chains:
        return 2
    return 3 + max(sum(_passed_through(c, g) for g in ("ev", "risk")) for c in chains)


FUNNEL_STAGES = (
    "evaluated",
    "wanted to quote",
    "passed definition",
    "sent new orders",
    "passed EV",
    "passed risk",
)


def decision_funnel(decisions: Sequence[Row]) -> list[tuple[str, float]]:
    """Evaluations reaching each stage, each a subset of the one before: quoting decisions,
    whose definition passed, that sent placements through the gates, with at least one
    placement past EV, and one past risk (an order placed)."""
    reached = Counter(_stage(d) for d in decisions)
    return [
        (label, float(sum(n for stage, n in reached.items() if stage >= i)))
        for i, label in enumerate(FUNNEL_STAGES)
    ]


def fill_quality(fills: Sequence[Row]) -> list[tuple[float, float]]:
    points = []
    for fill in fills:
        if fill.get("mid") is None:
            continue
        sign = 1 if str(fill["side"]).upper() == "BUY" else -1
        points.append((float(fill["ts_ms"]), float(sign * (int(fill["mid"]) - int(fill["price"])))))
    return sorted(points)


def _summary(run: Row | None, equity: Sequence[tuple[float, float]], fills: Sequence[Row]) -> str:
    rows: list[tuple[str, str]] = []
    if run:
        rows += [(str(k), str(v)) for k, v in run.items() if k not in ("config_json",)]
    if equity:
        rows += [
            ("equity start", _usd(equity[0][1])),
            ("equity end", _usd(equity[-1][1])),
            ("max drawdown", _pct(max(d for _, d in drawdown_points(equity)))),
        ]
    rows.append(("fills", str(len(fills))))
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


_METRIC_LABELS = (
    ("sharpe", "Sharpe (annualised)"),
    ("sortino", "Sortino (annualised)"),
    ("calmar", "Calmar"),
    ("max_drawdown", "max drawdown (marked)"),
    ("win_rate", "win rate"),
    ("profit_factor", "profit factor"),
    ("brier", "Brier score"),
)


_FRACTIONS = frozenset({"max_drawdown", "win_rate"})


def _metric_cell(key: str, metric: Row | None) -> str:
    if not metric:
        return "-"
    if "unavailable" in metric:
        return f"unavailable: {metric['unavailable']}"
    if "insufficient" in metric:
        return f"insufficient: {metric['insufficient']} (n={metric['n']})"
    value = float(metric["value"])
    shown = f"{value * 100:.3f}%" if key in _FRACTIONS else f"{value:.4f}"
    return f"{shown} (n={metric['n']})"


def metrics_table(performance: Row | None) -> str:
    """Metrics as rows, `overall` then each strategy as columns."""
    if not performance or "overall" not in performance:
        return "<p>No performance metrics: the journal holds no equity records.</p>"
    columns = [("overall", performance["overall"])]
    columns += sorted((performance.get("strategies") or {}).items())
    head = "".join(f"<th>{escape(str(name))}</th>" for name, _ in columns)
    body = "".join(
        f"<tr><th>{escape(label)}</th>"
        + "".join(f"<td>{escape(_metric_cell(key, block.get(key)))}</td>" for _, block in columns)
        + "</tr>"
        for key, label in _METRIC_LABELS
    )
    interval = performance.get("returns_interval_s")
    note = (
        f"<p><small>Returns every {interval} s (the partial last interval kept), annualised "
        f"by ×{float(performance.get('annualisation', 0.0)):.1f}; "
        f"{performance.get('equity_points', 0)} equity records.</small></p>"
    )
    return f"<h2>Performance</h2><table><tr><th>metric</th>{head}</tr>{body}</table>{note}"


def render_report(
    *,
    fills: Sequence[Row],
    ledger: Sequence[Row],
    decisions: Sequence[Row],
    title: str = "Astra run report",
    run: Row | None = None,
    market_pnl: Sequence[tuple[str, float]] = (),
    performance: Row | None = None,
) -> str:
    equity = equity_points(ledger)
    span = (_when(equity[0][0]), _when(equity[-1][0])) if equity else ("", "")
    quality = fill_quality(fills)
    charts = [
        svg.line_chart("Equity (USD)", equity, _usd, span),
        svg.line_chart("Drawdown from peak", drawdown_points(equity), _pct, span),
        svg.bar_chart("P&L by market (USD)", market_pnl, _usd),
        svg.bar_chart("Decision funnel (evaluations)", decision_funnel(decisions), _count),
        svg.scatter_chart(
            "Fill quality: pips better than mid at fill", quality, lambda v: f"{v:.0f}"
        ),
    ]
    sections = "".join(f"<section>{chart}</section>" for chart in charts)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>{_summary(run, equity, fills)}"
        f"<section>{metrics_table(performance)}</section>{sections}"
        f"<p><small>Equity is marked (docs/accounting.md: longs at their best bid) where the "
        f"ledger records it, at cost otherwise; "
        f"{len(quality)} of {len(fills)} fills carry a mid.</small></p></body></html>\n"
    )


def write_report(
    out_path: Path | str,
    *,
    fills: Sequence[Row],
    ledger: Sequence[Row],
    decisions: Sequence[Row],
    title: str = "Astra run report",
    run: Row | None = None,
    market_pnl: Sequence[tuple[str, float]] = (),
    performance: Row | None = None,
) -> Path:
    """Render and write the report atomically (temp file, then rename); returns the path."""
    path = Path(out_path)
    html = render_report(
        fills=fills,
        ledger=ledger,
        decisions=decisions,
        title=title,
        run=run,
        market_pnl=market_pnl,
        performance=performance,
    )
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(html, encoding="utf-8")
    temp.replace(path)
    return path
