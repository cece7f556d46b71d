"""What the HTML run report shows, as plain data in the journal's exact units.

Money is micro-USD (int), prices pips (int, 1e-4), sizes micro-shares (int), times epoch ms.
The application builds it from the committed journal (`astra.app.report_model`); the
renderer (`astra.adapters.report.html`) only formats it, so every figure on the page has one
source and the page and `astra report --json` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Series = list[tuple[int, int]]  # (ts_ms, value) steps: the value holds until the next point


@dataclass(frozen=True, slots=True)
class RunDetails:
    run_id: str
    status: str
    started_ms: int | None
    ended_ms: int | None
    code_version: str
    seed: int | None
    settings_hash: str | None
    strategies: dict[str, str]  # category -> strategy; "*" the default
    journal_digest: str


@dataclass(frozen=True, slots=True)
class StrategyRow:
    strategy: str
    markets: int
    evaluations: int
    orders: int
    fills: int
    realised: int
    fees: int
    open_cost: int

    @property
    def fill_rate(self) -> float | None:
        return None if self.orders == 0 else self.fills / self.orders


@dataclass(frozen=True, slots=True)
class MarkoutRow:
    """How one strategy's fills fared `horizon_ms` later: each fill marked at its token's mid
    then, signed for us (negative: the market moved through the fill)."""

    strategy: str
    horizon_ms: int
    marked: int  # fills with a mid at the horizon
    no_mid: int
    total: int  # micro-USD
    adverse: int  # marked fills with a negative markout

    @property
    def mean(self) -> float | None:
        return None if self.marked == 0 else self.total / self.marked

    @property
    def adverse_share(self) -> float | None:
        return None if self.marked == 0 else self.adverse / self.marked


@dataclass(frozen=True, slots=True)
class PositionRow:
    market: str  # the market's question (its id when unknown)
    outcome: str
    size: int
    cost: int
    mark: int | None  # pips; None when the journal holds no mark for it
    value: int  # micro-USD at the mark (at cost when unmarked)

    @property
    def unrealised(self) -> int:
        return self.value - self.cost


@dataclass(frozen=True, slots=True)
class FillRow:
    ts_ms: int
    market: str
    outcome: str
    side: str
    price: int
    size: int
    fee: int
    liquidity: str
    mid: int | None
    strategy: str

    @property
    def edge_vs_mid(self) -> int | None:
        """Pips better than mid for us at the fill (a BUY below mid, a SELL above)."""
        if self.mid is None:
            return None
        sign = 1 if self.side.upper() == "BUY" else -1
        return sign * (self.mid - self.price)


@dataclass(frozen=True, slots=True)
class ReportModel:
    title: str
    run: RunDetails | None
    equity_basis: str  # "marked" when the ledger records marked equity, else "cost"
    opening_cash: int | None
    equity: Series
    exposure: Series  # gross value of open positions (same basis as equity)
    strategies: list[StrategyRow]
    positions: list[PositionRow]
    fills: list[FillRow]
    market_pnl: list[tuple[str, int]]  # (question, micro-USD), worst first
    funnel: list[tuple[str, int]]
    orders_placed: int
    markouts: list[MarkoutRow]
    halts: list[tuple[int, str]]  # (ts_ms, reason)
    # `astra.app.performance_summary`'s answer plus the marked equity summary (None: the
    # journal holds no marked equity record)
    performance: dict[str, Any] | None = None
    # The EventActors' opportunity log (`astra.app.arb_summary`): the summary plus the largest
    # episodes; empty when the run measured no arbitrage.
    arbitrage: dict[str, object] = field(default_factory=dict)

    @property
    def drawdown(self) -> list[tuple[int, float]]:
        """Fraction below the running peak of equity, at each equity step."""
        peak: int | None = None
        points = []
        for ts, value in self.equity:
            peak = value if peak is None else max(peak, value)
            points.append((ts, (peak - value) / peak if peak > 0 else 0.0))
        return points

    @property
    def max_drawdown(self) -> float:
        return max((d for _, d in self.drawdown), default=0.0)
