"""The strategies driven by the MarketActor's synchronous body: decisions become orders.

The actor does not pass a spot yet, so a small wrapper adds it to the view — exactly the field
the actor is asked to fill (see docs/architecture.md, Strategies).
"""

from __future__ import annotations

from dataclasses import replace

from astra.actors.market_state import MarketConfig, MarketState
from astra.domain.events import BookSnapshot
from astra.domain.journal_record import RecordKind
from astra.domain.prices import Tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies import MarketView, StrategyDecision
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import (
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict
from tests.actors.trading_support import Sink

from .scenario import INFO, NOW_MS, contract, spot


class Risk:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.asked: list[OrderIntent] = []

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        self.asked.append(intent)
        return self.verdict

    def report_fill(self, fill: Fill) -> None:
        raise AssertionError("no fills expected")


class WithSpot:
    """Adds the underlying's spot to the view, as the actor is asked to."""

    def __init__(self, inner: CryptoThresholdStrategy) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        return self.inner.evaluate(replace(view, spot=spot(ts_ms=now_ms)), now_ms)


def _run(verdict: Verdict) -> tuple[Sink, Risk]:
    strategy = CryptoThresholdStrategy(
        contract(), CryptoThresholdConfig(model=ModelConfig(vol_annual=0.5))
    )
    journal, risk = Sink(), Risk(verdict)
    state = MarketState(
        INFO,
        WithSpot(strategy),
        journal,
        risk,
        MarketConfig(require_contract=True, min_edge_pips=50),
        contract=contract(),
    )
    for asset, bids, asks in (
        ("yes", ((7000, 500_000_000),), ((7200, 500_000_000),)),
        ("no", ((2800, 500_000_000),), ((3000, 500_000_000),)),
    ):
        snap = BookSnapshot(INFO.condition_id, asset, NOW_MS, bids, asks, tick=Tick.T0_01)
        state.on_event(snap, NOW_MS)
    return journal, risk


def test_defect_output_thrown_away() -> None:
    """Seed §0: the strategy's signal was discarded and no order ever resulted. Here the
    decision passes definition -> EV -> risk and becomes a resting post-only paper order."""
    journal, risk = _run(Verdict.ok("risk"))
    orders = journal.of(RecordKind.ORDER_EVENT)
    assert [(o["asset_id"], o["side"], o["price"], o["state"]) for o in orders] == [
        ("yes", "BUY", 7100, "pending_new")
    ]
    assert orders[0]["reason"] == "submitted"  # not would_cross: below the 0.72 ask
    final = journal.of(RecordKind.DECISION)[-1]
    assert final["action"] == "quote"
    assert [g["gate"] for g in final["gates"]] == ["definition", "ev", "risk"]
    assert final["definition_hash"] == final["analysis"]["definition_hash"]
    assert [i.strategy for i in risk.asked] == ["crypto_threshold"]


def test_a_risk_veto_places_nothing_and_is_recorded() -> None:
    journal, risk = _run(Verdict.veto("risk", GateVeto.HALTED, "halted"))
    assert journal.of(RecordKind.ORDER_EVENT) == []
    final = journal.of(RecordKind.DECISION)[-1]
    assert final["gates"][-1]["reason"] == "halted"
    assert risk.asked
    # The first evaluation (only the YES book synced) skipped with its reason.
    first = journal.of(RecordKind.DECISION)[0]
    assert (first["action"], first["veto"]) == ("skip", "book_not_synced")
