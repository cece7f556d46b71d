"""Performance from the journal: marked equity, closed trades and forecasts per strategy,
on a hand-built journal with hand-computed figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from astra.adapters.journal.store import JournalStore
from astra.app.journal_metrics import MeteredJournal
from astra.app.performance_summary import METRICS, collect, performance_summary
from astra.domain import metrics_port as mp
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import CountingMetrics
from astra.domain.performance import EquityPoint, TradeResult

T0 = 1_700_000_000_000
MIN = 60_000
OPEN = 100_000_000


class Journal:
    def __init__(self) -> None:
        self.records: list[JournalRecord] = []

    def add(
        self, producer: str, kind: RecordKind, ts: int, market: str | None, **data: Any
    ) -> None:
        seq = 1 + sum(r.producer == producer for r in self.records)
        self.records.append(JournalRecord.build(producer, seq, kind, ts, market, data))

    def decision(self, market: str, strategy: str) -> None:
        self.add(f"market:{market}", RecordKind.DECISION, T0, market, strategy=strategy,
                 action="quote", run_id="r", definition_hash=None, schema_version=1)  # fmt: skip

    def fill(self, ts: int, market: str, asset: str, side: str, price: int, size: int,
             fee: int = 0) -> None:  # fmt: skip
        n = len(self.records)
        self.add(f"market:{market}", RecordKind.FILL, ts, market, fill_id=f"f{n}",
                 order_id=f"o{n}", asset_id=asset, side=side, price=price, size=size, fee=fee,
                 liquidity="maker", mid=None)  # fmt: skip

    def equity(self, ts: int, equity: int, marks: dict[str, int]) -> None:
        self.peak = max(getattr(self, "peak", 0), equity)
        risk = {"marks": marks, "peak_equity": self.peak, "daily_pnl": equity - OPEN}
        self.add("risk", RecordKind.LEDGER, ts, None, equity=equity, opening_cash=OPEN,
                 cash=equity, fees=0, realised=0, fills=0, positions={}, risk=risk,
                 trigger="interval", marked_value=0, unrealised=0)  # fmt: skip

    def resolve(self, ts: int, market: str, winner: str, loser: str) -> None:
        snap = {"market": market, "winning_asset_id": winner, "losing_asset_id": loser,
                "ts_ms": ts}  # fmt: skip
        self.add(f"market:{market}", RecordKind.RISK_EVENT, ts, market, state="halted",
                 reason="market_resolved", detail="market", snapshot=snap)  # fmt: skip


def journal() -> Journal:
    j = Journal()
    j.decision("A", "maker")
    j.decision("B", "taker")
    j.equity(T0, OPEN, {})
    # maker buys 10 A-yes at 0.40 (fee 0.02), marked at 0.45: +0.50
    j.fill(T0 + MIN, "A", "ay", "BUY", 4000, 10_000_000, fee=20_000)
    j.equity(T0 + MIN, OPEN + 500_000 - 20_000, {"ay": 4500})
    # sells 4 at 0.50: realised 4 x 0.10 = 0.40, less 4/10 of the 0.02 opening fee
    j.fill(T0 + 2 * MIN, "A", "ay", "SELL", 5000, 4_000_000)
    # taker buys 5 B-no at 0.70; B resolves yes: the no position pays 0 (-3.50)
    j.fill(T0 + 3 * MIN, "B", "bn", "BUY", 7000, 5_000_000)
    j.equity(T0 + 3 * MIN, OPEN - 3_000_000, {"ay": 4000, "bn": 6000})
    j.resolve(T0 + 4 * MIN, "B", "by", "bn")
    # A resolves yes: 6 left at cost 2.40 (0.012 fee left open) pay 6.00
    j.resolve(T0 + 5 * MIN, "A", "ay", "an")
    j.equity(T0 + 6 * MIN, OPEN + 400_000 + 3_600_000 - 3_500_000 - 20_000, {})
    return j


def test_trades_are_position_reductions_net_of_their_fees() -> None:
    inputs = collect(journal().records)
    assert inputs.trades("maker") == [
        TradeResult(T0 + 2 * MIN, 400_000 - 8_000),
        TradeResult(T0 + 5 * MIN, 6_000_000 - 2_400_000 - 12_000),
    ]
    assert inputs.trades("taker") == [TradeResult(T0 + 4 * MIN, -3_500_000)]
    assert len(inputs.trades("overall")) == 3


def test_equity_curves_overall_and_per_strategy_at_the_journaled_marks() -> None:
    inputs = collect(journal().records)
    assert [p.equity for p in inputs.overall] == [
        OPEN, OPEN + 480_000, OPEN - 3_000_000, OPEN + 480_000,
    ]  # fmt: skip
    # maker alone: 10 at 0.45 = 4.50 for 4.00 + 0.02 fee; then after selling 4 at 0.50, the
    # 6 left at 0.40 (2.40, cost 2.40); then settled: +3.60 - 0.02 + 0.40 = 3.98.
    assert inputs.curve("maker") == [
        EquityPoint(T0, OPEN),
        EquityPoint(T0 + MIN, OPEN + 480_000),
        EquityPoint(T0 + 3 * MIN, OPEN + 380_000),
        EquityPoint(T0 + 6 * MIN, OPEN + 3_980_000),
    ]
    # taker alone: 5 no at 0.60 (3.00) for 3.50; then settled at 0.
    assert [p.equity for p in inputs.curve("taker")] == [
        OPEN, OPEN, OPEN - 500_000, OPEN - 3_500_000,
    ]  # fmt: skip


def test_forecasts_are_the_probability_we_traded_on() -> None:
    inputs = collect(journal().records)
    (maker,) = inputs.forecasts("maker")
    # A-yes bought at 0.40 (10) and sold at 0.50 (4): 0.4286 size-weighted; yes won.
    assert maker.p == pytest.approx((0.40 * 10 + 0.50 * 4) / 14)
    assert maker.outcome is True
    (taker,) = inputs.forecasts("taker")
    assert (taker.p, taker.outcome) == (pytest.approx(0.70), False)


def test_the_summary_names_every_metric_with_its_count_or_why_not() -> None:
    summary = performance_summary(journal().records, returns_interval_ms=5 * MIN)
    assert summary["returns_interval_s"] == 300
    assert summary["annualisation"] == pytest.approx((365.25 * 24 * 12) ** 0.5)
    for block in [summary["overall"], *summary["strategies"].values()]:
        assert set(block) == set(METRICS)
    overall = summary["overall"]
    # 6 minutes of 5-minute returns: one full interval and the partial last one.
    assert overall["sharpe"] == {"insufficient": "too_few_samples", "n": 2, "required": 30}
    assert overall["calmar"]["insufficient"] == "span_too_short"
    # peak 100.48, trough 97.00: 3.46% below it.
    assert overall["max_drawdown"]["value"] == pytest.approx(3_480_000 / 100_480_000)
    assert overall["max_drawdown"]["n"] == 4
    assert overall["win_rate"] == {"insufficient": "too_few_samples", "n": 3, "required": 20}
    assert summary["strategies"]["taker"]["brier"]["n"] == 1


def test_the_metered_journal_publishes_marked_equity_and_performance_gauges(
    tmp_path: Path,
) -> None:
    metrics = CountingMetrics()
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        metered = MeteredJournal(store, metrics, 5 * MIN)
        records = journal().records
        metered.write_batch(records[:-1])
        # At 97.00 after the 100.48 peak: drawdown 3.48 / 100.48, daily P&L -3.00.
        assert metrics.gauges[(mp.EQUITY, ())] == pytest.approx(97.0)
        assert metrics.gauges[(mp.DRAWDOWN, ())] == pytest.approx(3_480_000 / 100_480_000)
        assert metrics.gauges[(mp.DAILY_PNL, ())] == pytest.approx(-3.0)
        metered.write_batch(records[-1:])
    overall = (("metric", "max_drawdown"), ("strategy", "overall"))
    assert metrics.gauges[(mp.PERFORMANCE, overall)] == pytest.approx(3_480_000 / 100_480_000)
    assert metrics.gauges[(mp.PERFORMANCE_SAMPLES, overall)] == 4
    sharpe = (("metric", "sharpe"), ("strategy", "maker"))
    assert metrics.gauges[(mp.PERFORMANCE_SAMPLES, sharpe)] == 2
    assert (mp.PERFORMANCE, sharpe) not in metrics.gauges  # insufficient: no value


def test_an_equity_record_committed_before_its_fill_still_counts_the_fill() -> None:
    j = Journal()
    j.decision("A", "maker")
    j.equity(T0, OPEN, {})
    # The RiskActor's record of the fill commits first (another producer's batch).
    j.equity(T0 + MIN, OPEN + 500_000, {"ay": 4500})
    j.fill(T0 + MIN, "A", "ay", "BUY", 4000, 10_000_000)
    inputs = collect(j.records)
    assert [p.equity for p in inputs.curve("maker")] == [OPEN, OPEN + 500_000]
