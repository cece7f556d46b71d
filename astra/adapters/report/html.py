"""`render_report` / `write_report`: one self-contained HTML page (inline CSS and SVG, no
scripts, no fetches) from a `ReportModel`.

Every figure comes from the model, which the application builds from the journal; this
module only lays it out: dollars and cents, prices per share, shares, UTC times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from astra.adapters.report import fmt, svg
from astra.adapters.report.model import ReportModel, RunDetails

FILL_ROWS = 200  # the newest fills shown; the count says how many there were

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em auto;color:#222;max-width:800px;"
    "padding:0 1em}h1{margin-bottom:0}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:3px 10px;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}td.n,th.n{text-align:right;"
    "font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#fafafa}"
    ".note{color:#555;font-size:.9em}td:first-child{white-space:nowrap}"
)


def render_report(model: ReportModel) -> str:
    sections = [
        _section("run", "Run", _run_table(model.run)),
        _section("summary", "Summary", _summary(model)),
        _section("performance", "Performance", _performance(model)),
        _section("equity", "Equity and drawdown", _equity(model)),
        _section("exposure", "Exposure", _exposure(model)),
        _section("strategies", "By strategy", _strategies(model)),
        _section("markouts", "Fill markouts", _markouts(model)),
        _section("positions", "Open positions", _positions(model)),
        _section("markets", "P&L by market", _markets(model)),
        _section("fills", "Fills", _fills(model)),
        _section("funnel", "Decision funnel", _funnel(model)),
        _section("arbitrage", "Arbitrage (measured, not traded)", _arbitrage(model)),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(model.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(model.title)}</h1>{''.join(sections)}</body></html>\n"
    )


def write_report(out_path: Path | str, model: ReportModel) -> Path:
    """Render and write atomically (temp file, then rename); returns the path."""
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(render_report(model), encoding="utf-8")
    temp.replace(path)
    return path


def _section(ident: str, heading: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{escape(heading)}</h2>{body}</section>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        css = ' class="n"' if i in numeric else ""
        return f"<{tag}{css}>{escape(text)}</{tag}>"

    header = "".join(cell("th", i, h) for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _pairs(rows: Sequence[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _run_table(run: RunDetails | None) -> str:
    if run is None:
        return _note("No run manifest: the whole journal is reported.")
    strategies = ", ".join(f"{c}: {s}" for c, s in sorted(run.strategies.items()))
    span = (
        None if run.ended_ms is None else run.ended_ms - run.started_ms if run.started_ms else None
    )
    return _pairs(
        [
            ("run id", run.run_id),
            ("status", run.status),
            ("started", fmt.utc(run.started_ms)),
            ("ended", fmt.utc(run.ended_ms)),
            ("duration", fmt.duration(span)),
            ("seed", fmt.DASH if run.seed is None else str(run.seed)),
            ("strategies", strategies),
            ("code version", run.code_version),
            ("settings hash", run.settings_hash or fmt.DASH),
            ("journal digest", run.journal_digest),
        ]
    )


def _summary(model: ReportModel) -> str:
    start = model.opening_cash
    end = model.equity[-1][1] if model.equity else None
    pnl = None if start is None or end is None else end - start
    ret = None if not start or pnl is None else pnl / start
    fees = sum(f.fee for f in model.fills)
    halts = ", ".join(f"{reason} at {fmt.utc(ts)}" for ts, reason in model.halts) or "none"
    rows = [
        ("opening equity", fmt.usd(start)),
        (f"closing equity ({model.equity_basis})", fmt.usd(end)),
        ("P&L", fmt.usd(pnl)),
        ("return", fmt.pct(ret)),
        ("max drawdown", fmt.pct(model.max_drawdown)),
        ("orders placed", f"{model.orders_placed:,}"),
        ("fills", f"{len(model.fills):,}"),
        ("fees paid", fmt.usd(fees)),
        ("halts", halts),
    ]
    basis = (
        "Equity is marked (see docs/accounting.md)."
        if model.equity_basis == "marked"
        else "Equity is at cost: this journal's ledger records carry no marks, so open "
        "positions are valued at what they cost and losses on them do not show."
    )
    return _pairs(rows) + _note(basis)


_METRICS = (
    ("sharpe", "Sharpe (annualised)"),
    ("sortino", "Sortino (annualised)"),
    ("calmar", "Calmar"),
    ("max_drawdown", "max drawdown (marked)"),
    ("win_rate", "win rate"),
    ("profit_factor", "profit factor"),
    ("brier", "Brier score"),
)
_FRACTIONS = frozenset({"max_drawdown", "win_rate"})


def _metric_cell(key: str, metric: Mapping[str, Any] | None) -> str:
    if not metric:
        return fmt.DASH
    if "unavailable" in metric:
        return f"unavailable: {metric['unavailable']}"
    if "insufficient" in metric:
        return f"insufficient: {metric['insufficient']} (n={metric['n']})"
    value = float(metric["value"])
    shown = f"{value * 100:.3f}%" if key in _FRACTIONS else f"{value:.4f}"
    return f"{shown} (n={metric['n']})"


def _performance(model: ReportModel) -> str:
    """Each metric with its sample count, or why it cannot be computed: overall, then each
    strategy as a column."""
    perf = model.performance
    if not perf or "overall" not in perf:
        return _note("No performance metrics: the journal holds no marked equity record.")
    columns = [("overall", perf["overall"]), *sorted((perf.get("strategies") or {}).items())]
    head = ["metric", *(str(name) for name, _ in columns)]
    rows = [
        [label, *(_metric_cell(key, block.get(key)) for _, block in columns)]
        for key, label in _METRICS
    ]
    note = _note(
        f"Returns every {perf.get('returns_interval_s')} s of marked equity (the partial last "
        f"interval kept), annualised by x{float(perf.get('annualisation', 0.0)):.1f}; "
        f"{perf.get('equity_points', 0)} equity records. A metric without enough samples "
        "says so rather than showing a number."
    )
    return _table(head, rows, set()) + note


def _end(model: ReportModel) -> int | None:
    return None if model.run is None else model.run.ended_ms


def _equity(model: ReportModel) -> str:
    dollars = [(ts, v / 1_000_000) for ts, v in model.equity]
    drawdown = [(ts, -d) for ts, d in model.drawdown]
    return svg.step_chart(
        f"Equity, USD ({model.equity_basis})", dollars, fmt.usd_axis, end_ms=_end(model)
    ) + svg.step_chart(
        "Drawdown from peak", drawdown, lambda v: fmt.pct(v, 1), end_ms=_end(model),
        include_zero=True, y_span=(-0.01,),
    )  # fmt: skip


def _exposure(model: ReportModel) -> str:
    dollars = [(ts, v / 1_000_000) for ts, v in model.exposure]
    title = f"Gross value of open positions, USD ({model.equity_basis})"
    return svg.step_chart(title, dollars, fmt.usd_axis, end_ms=_end(model), include_zero=True)


def _strategies(model: ReportModel) -> str:
    if not model.strategies:
        return _note("No strategy made a decision in this run.")
    head = ["strategy", "markets", "evaluations", "orders", "fills", "fill rate",
            "realised", "fees", "open at cost"]  # fmt: skip
    rows = [
        [
            s.strategy,
            f"{s.markets:,}",
            f"{s.evaluations:,}",
            f"{s.orders:,}",
            f"{s.fills:,}",
            fmt.pct(s.fill_rate, 1),
            fmt.usd(s.realised),
            fmt.usd(s.fees),
            fmt.usd(s.open_cost),
        ]
        for s in model.strategies
    ]
    return _table(head, rows, set(range(1, 9)))


def _markouts(model: ReportModel) -> str:
    if not model.markouts:
        return _note("No fill reached a markout horizon.")
    head = ["strategy", "horizon", "fills marked", "no mid", "total", "mean", "adverse"]
    rows = [
        [
            m.strategy,
            f"{m.horizon_ms / 1000:g} s",
            f"{m.marked:,}",
            f"{m.no_mid:,}",
            fmt.usd(m.total),
            fmt.DASH if m.mean is None else fmt.usd(round(m.mean)),
            fmt.pct(m.adverse_share, 0),
        ]
        for m in model.markouts
    ]
    note = _note(
        "Each fill marked at its token's mid 1 s, 10 s and 60 s later, signed for us "
        "(negative: the market moved through the fill, adverse selection)."
    )
    return _table(head, rows, {2, 3, 4, 5, 6}) + note


def _positions(model: ReportModel) -> str:
    if not model.positions:
        return _note("No open positions at the end of the run.")
    head = ["market", "outcome", "shares", "cost", "mark", "value", "unrealised"]
    rows = [
        [
            p.market,
            p.outcome,
            fmt.shares(p.size),
            fmt.usd(p.cost),
            fmt.price(p.mark),
            fmt.usd(p.value),
            fmt.usd(p.unrealised),
        ]
        for p in model.positions
    ]
    unmarked = sum(1 for p in model.positions if p.mark is None)
    note = _note(f"{unmarked} position(s) carry no mark and are shown at cost.") if unmarked else ""
    return _table(head, rows, {2, 3, 4, 5, 6}) + note


def _markets(model: ReportModel) -> str:
    bars = [(label, v / 1_000_000) for label, v in model.market_pnl]
    explain = _note(
        "Realised P&L per market (settlements included, fees out) plus open positions at "
        "cost; the bars add up to the run's P&L at cost."
    )
    return svg.hbar_chart("P&L by market, USD", bars, fmt.usd_axis) + explain


def _fills(model: ReportModel) -> str:
    if not model.fills:
        return _note("No fills in this run.")
    shown = model.fills[-FILL_ROWS:]
    head = ["time (UTC)", "market", "outcome", "side", "price", "shares", "fee", "liquidity",
            "vs mid", "strategy"]  # fmt: skip
    rows = [
        [fmt.utc(f.ts_ms), f.market, f.outcome, f.side, fmt.price(f.price), fmt.shares(f.size),
         fmt.usd(f.fee), f.liquidity,
         fmt.DASH if f.edge_vs_mid is None else f"{f.edge_vs_mid / 100:+.2f}\u00a2", f.strategy]
        for f in shown
    ]  # fmt: skip
    points = [(f.ts_ms, f.edge_vs_mid / 100) for f in model.fills if f.edge_vs_mid is not None]
    chart = svg.scatter_chart(
        "Fill price vs mid at the fill, cents per share (above 0: better than mid for us)",
        points,
        lambda v: f"{v:.1f}\u00a2",
        end_ms=_end(model),
    )
    more = (
        _note(f"The newest {len(shown)} of {len(model.fills)} fills.")
        if len(shown) < len(model.fills)
        else ""
    )
    return _table(head, rows, {4, 5, 6, 8}) + more + chart


def _funnel(model: ReportModel) -> str:
    rows = [[stage, f"{count:,}"] for stage, count in model.funnel]
    note = _note(
        "Evaluations down to a passed definition; below that, orders: each placement a "
        f"decision sends through the gates. Placed orders: {model.orders_placed:,}."
    )
    return _table(["stage", "count"], rows, {1}) + note


def _arbitrage(model: ReportModel) -> str:
    arb = model.arbitrage
    if not arb:
        return _note("No arbitrage was measured in this run (EventActors off, or none found).")
    durations = arb.get("duration_ms")
    spans = durations if isinstance(durations, dict) else {}
    median = arb.get("median_net_per_share_micros")
    by_kind = arb.get("by_kind")
    kinds = by_kind if isinstance(by_kind, dict) else {}
    pairs = [
        ("opportunities", f"{arb.get('opportunities', 0):,} ({arb.get('open', 0):,} still open)"),
        ("by kind", ", ".join(f"{k} {v:,}" for k, v in kinds.items()) or fmt.DASH),
        (
            "median edge at open",
            fmt.DASH if not isinstance(median, int) else f"{median / 100:.2f} pips per share",
        ),
        ("capturable at open, after fees", fmt.usd(_int(arb.get("capturable_net_micros")))),
        (
            "duration p50 / p90 / max",
            " / ".join(_lasted(_opt_int(spans.get(k))) for k in ("p50", "p90", "max")),
        ),
    ]
    taken = arb.get("escalation")
    if isinstance(taken, dict) and (taken.get("decisions") or taken.get("takes")):
        pairs.append(("taker escalations", _counts(taken.get("decisions"))))
        pairs.append(("takes executed", _counts(taken.get("takes"))))
        pairs.append(("realised by filled takes", fmt.usd(_int(taken.get("realised_net_micros")))))
    top = arb.get("top")
    rows = [
        [fmt.utc(_int(e.get("opened_ms"))), str(e.get("kind")),
         fmt.shares(_int(e.get("size_at_open"))), fmt.usd(_int(e.get("net_at_open"))),
         _lasted(_opt_int(e.get("duration_ms"))), str(e.get("close_reason") or "open")]
        for e in (top if isinstance(top, list) else [])
        if isinstance(e, dict)
    ]  # fmt: skip
    head = ["opened (UTC)", "kind", "sets", "net at open", "lasted", "closed by"]
    note = _note(
        "Edges are after each market's taker fees, sized by walking the visible books; "
        "capturable counts each opportunity once, at its first sight, never at its peak."
    )
    return _pairs(pairs) + _table(head, rows, {2, 3, 4}) + note


def _lasted(ms: int | None) -> str:
    """Arbitrage lives in milliseconds to minutes: below 10 s the milliseconds are shown."""
    if ms is not None and 0 <= ms < 10_000:
        return f"{ms:,} ms"
    return fmt.duration(ms)


def _counts(value: object) -> str:
    if not isinstance(value, dict) or not value:
        return fmt.DASH
    return ", ".join(f"{k} {v:,}" for k, v in value.items())


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) else None
