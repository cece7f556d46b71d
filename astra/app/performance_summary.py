"""Performance of a run, per strategy and overall, from the committed journal alone.

Inputs, all read from records (journal order):
- Marked equity: the risk producer's LEDGER records that carry `equity` (the equity record,
  docs/accounting.md). Overall, that figure; per strategy, the opening cash plus that
  strategy's own fills and settlements replayed into a ledger of its own, its positions at
  the marks the same record carries (at cost where it has none): the account as if it had
  run that strategy alone.
- Closed trades (win rate, profit factor): every reduction of a position (a SELL fill, a
  settlement) with its realised P&L, net of its own fee and of the opening fees of the part
  it closes (pro rata).
- Forecasts (Brier): one per resolved market we traded, the probability we traded on that
  the first token we traded in it wins (its fill prices, size-weighted; a fill of the other
  token at p counts as 1 - p), against whether it won. A market paying neither 1 nor 0 per
  share (a 50/50 or void resolution) is not a forecast outcome and is left out.

Returns are taken on a fixed grid (`returns_interval_ms`, 5 minutes by default, the partial
last interval kept) and annualised by √(intervals per 365.25-day year): a one-day run has
288 returns, past the 30-return minimum. Every figure carries its sample count; one that
cannot be computed is `{"insufficient": <reason>, "n": ..., "required": ...}`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from astra.actors.settlements import resolution_from_record
from astra.adapters.journal.recovery import to_fill
from astra.app.funnel import UNKNOWN, strategy_of_markets
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.ledger import Ledger, LedgerError
from astra.domain.performance import (
    MS_PER_YEAR,
    EquityPoint,
    Forecast,
    PerformanceConfig,
    TradeResult,
    WindowReport,
    window_report,
)
from astra.domain.prices import ONE, SIZE_SCALE, Side
from astra.domain.settlement import settlement_payout
from astra.domain.trading import Fill, Settlement

RISK_PRODUCER = "risk"
METRICS = (
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "win_rate",
    "profit_factor",
    "brier",
)
OVERALL = "overall"


@dataclass(slots=True)
class _Book:
    """One strategy's own ledger, the opening fees not yet closed, and its results."""

    ledger: Ledger
    open_fees: dict[str, int] = field(default_factory=dict)
    points: list[EquityPoint] = field(default_factory=list)
    trades: list[TradeResult] = field(default_factory=list)
    traded: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    forecasts: list[Forecast] = field(default_factory=list)

    def fill(self, fill: Fill) -> None:
        held = self.ledger.position(fill.asset_id)
        before = self.ledger.realized
        if not self.ledger.apply_fill(fill):
            return  # a fill seen twice counts once
        self.traded.setdefault(fill.market, []).append((fill.asset_id, fill.price, fill.size))
        if fill.side is Side.BUY:
            self.open_fees[fill.asset_id] = self.open_fees.get(fill.asset_id, 0) + fill.fee
            return
        size = held.size if held is not None else fill.size
        opening = self.open_fees.get(fill.asset_id, 0) * fill.size // size
        self.open_fees[fill.asset_id] = self.open_fees.get(fill.asset_id, 0) - opening
        pnl = self.ledger.realized - before - fill.fee - opening
        self.trades.append(TradeResult(fill.ts_ms, pnl))

    def settle(self, settlement: Settlement) -> None:
        if self.ledger.is_settled(settlement.market):
            return
        held = {
            a: self.ledger.position(a)
            for a in (settlement.winning_asset_id, settlement.losing_asset_id)
        }
        self.ledger.settle(settlement)
        for asset, pos in held.items():
            if pos is None:
                continue
            payout = settlement_payout(asset, pos.size, settlement)
            fees = self.open_fees.pop(asset, 0)
            self.trades.append(TradeResult(settlement.ts_ms, payout - pos.cost - fees))
        forecast = _forecast(self.traded.get(settlement.market, []), settlement)
        if forecast is not None:
            self.forecasts.append(forecast)


def _forecast(traded: Sequence[tuple[str, int, int]], settlement: Settlement) -> Forecast | None:
    if not traded:
        return None
    reference = traded[0][0]
    weighted = sum((p if a == reference else ONE - p) * s for a, p, s in traded)
    total = sum(s for _, _, s in traded)
    payout = settlement_payout(reference, SIZE_SCALE, settlement)
    if payout not in (0, SIZE_SCALE) or total <= 0:
        return None
    return Forecast(settlement.ts_ms, weighted / total / ONE, payout == SIZE_SCALE)


def equity_of(record: JournalRecord) -> tuple[int, dict[str, int]] | None:
    """A risk LEDGER record's marked equity and marks, None if it carries none."""
    if record.kind is not RecordKind.LEDGER or record.producer != RISK_PRODUCER:
        return None
    data = record.data()
    equity = data.get("equity")
    if isinstance(equity, bool) or not isinstance(equity, int):
        return None
    risk = data.get("risk")
    marks = risk.get("marks") if isinstance(risk, dict) else None
    return equity, dict(marks) if isinstance(marks, dict) else {}


@dataclass(slots=True)
class PerformanceInputs:
    """Equity points, trades and forecasts per strategy (and `OVERALL`)."""

    books: dict[str, _Book] = field(default_factory=dict)
    overall: list[EquityPoint] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def curve(self, name: str) -> list[EquityPoint]:
        return self.overall if name == OVERALL else self.books[name].points

    def trades(self, name: str) -> list[TradeResult]:
        if name == OVERALL:
            return sorted((t for b in self.books.values() for t in b.trades), key=_ts)
        return self.books[name].trades

    def forecasts(self, name: str) -> list[Forecast]:
        if name == OVERALL:
            return sorted((f for b in self.books.values() for f in b.forecasts), key=_ts)
        return self.books[name].forecasts


def _ts(item: TradeResult | Forecast) -> int:
    return item.ts_ms


class Collector:
    """Builds `PerformanceInputs` record by record. An equity record is evaluated once a
    record of a later instant arrives (or on `inputs()`), so the fills of its own instant
    count whichever order the two producers' records committed in (the RiskActor books a
    fill after the market journals it). Market owners are the decisions' strategies: fixed
    up front (a whole journal), or learnt as decisions arrive (a live run)."""

    def __init__(self, owners: Mapping[str, str] | None = None) -> None:
        self._fixed = owners is not None
        self._owners: dict[str, str] = dict(owners or {})
        self._out = PerformanceInputs()
        self._opening: int | None = None
        self._pending: list[tuple[int, int, dict[str, int]]] = []

    def add(self, record: JournalRecord, data: Mapping[str, Any] | None = None) -> None:
        if self._pending and record.ts_ms > self._pending[-1][0]:
            self._flush()
        if record.kind is RecordKind.DECISION:
            if record.market and not self._fixed:
                payload = record.data() if data is None else data
                self._owners[record.market] = str(payload.get("strategy", UNKNOWN))
                self._book(self._owners[record.market])
            return
        marked = equity_of(record)
        if marked is not None:
            if self._opening is None:
                self._opening = int(record.data()["opening_cash"])
                for name in sorted(set(self._owners.values())):
                    self._book(name)
            self._pending.append((record.ts_ms, *marked))
            return
        if record.market is None:
            return
        name = self._owners.get(record.market, UNKNOWN)
        book = self._book(name)
        if book is not None:
            _book_record(self._out, name, book, record)

    def _book(self, name: str) -> _Book | None:
        if self._opening is None:
            return None
        return self._out.books.setdefault(name, _Book(Ledger(self._opening)))

    def _flush(self) -> None:
        for ts, equity, marks in self._pending:
            self._out.overall.append(EquityPoint(ts, equity))
            for book in self._out.books.values():
                book.points.append(EquityPoint(ts, book.ledger.equity(marks)))
        self._pending.clear()

    def inputs(self) -> PerformanceInputs:
        self._flush()
        return self._out


def collect(records: Sequence[JournalRecord]) -> PerformanceInputs:
    """A whole journal's inputs, its records taken in time order."""
    collector = Collector(strategy_of_markets(records))
    for record in sorted(records, key=lambda r: r.ts_ms):
        collector.add(record)
    return collector.inputs()


def _book_record(out: PerformanceInputs, name: str, book: _Book, record: JournalRecord) -> None:
    if name in out.errors:
        return
    try:
        if record.kind is RecordKind.FILL:
            book.fill(to_fill(record))
        else:
            settlement = resolution_from_record(record)
            if settlement is not None:
                book.settle(settlement)
    except (LedgerError, KeyError, ValueError) as exc:
        out.errors[name] = f"ledger_error: {exc}"


def metrics_of(report: WindowReport) -> dict[str, Any]:
    whole = report.as_dict()
    return {name: _plain(whole[name]) for name in METRICS}


def _plain(metric: dict[str, Any]) -> dict[str, Any]:
    if "insufficient" in metric:
        return metric
    return {"value": metric["value"], "n": metric["n"], "ci": metric["ci"]}


def performance_summary(
    records: Sequence[JournalRecord],
    *,
    returns_interval_ms: int = 300_000,
    seed: int = 0,
    n_resamples: int = 2000,
) -> dict[str, Any]:
    """The run's metrics (`METRICS`) over the whole run: `overall` and per strategy."""
    return summarise(collect(records), returns_interval_ms, seed=seed, n_resamples=n_resamples)


def summarise(
    inputs: PerformanceInputs,
    returns_interval_ms: int = 300_000,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
) -> dict[str, Any]:
    """`performance_summary` of collected inputs (the gauges keep a `Collector` running)."""
    config = PerformanceConfig(period_ms=returns_interval_ms, n_resamples=n_resamples)
    now_ms = inputs.overall[-1].ts_ms if inputs.overall else 0

    def metrics(name: str) -> dict[str, Any]:
        if name in inputs.errors:
            return {"unavailable": inputs.errors[name]}
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        curve, trades, forecasts = inputs.curve(name), inputs.trades(name), inputs.forecasts(name)
        report = window_report("all", curve, trades, forecasts, now_ms, config, rng)
        return metrics_of(report)

    return {
        "returns_interval_s": returns_interval_ms / 1000,
        "annualisation": math.sqrt(MS_PER_YEAR / returns_interval_ms),
        "equity_points": len(inputs.overall),
        OVERALL: metrics(OVERALL),
        "strategies": {name: metrics(name) for name in sorted(inputs.books)},
    }
