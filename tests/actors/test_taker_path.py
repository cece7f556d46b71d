"""The engine's taker path: a crypto_threshold market with taker escalation on crosses on a
strong edge through definition -> EV -> risk, gets TAKER fills with the venue's fees in the
journal and the ledger; with escalation off it never crosses; the strategy's budget stops
further takes; the RiskActor's caps still apply to a taker intent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.engine import Engine, EngineParts
from astra.actors.market_inputs import MarketInputs, SharedSpot
from astra.actors.market_state import MarketConfig, MarketState
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.events import BookSnapshot, SpotPrice
from astra.domain.fees import taker_fee
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.order_manager import OrderConfig
from astra.domain.reasons import GateVeto
from astra.domain.strategies import Strategy
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import CryptoThresholdConfig, CryptoThresholdStrategy
from astra.domain.strategies.spot_state import SpotTracker
from astra.domain.strategies.taker_escalation import TakerConfig
from astra.domain.trading import OrderIntent
from astra.domain.verdict import Verdict
from tests.domain.strategies.scenario import INFO, NOW_MS, SHARE, contract, with_fees

from .trading_support import NoBooks, Risk, Sink, records, running

BTC = with_fees(INFO, "0.25")
SPOT = SpotPrice("BTCUSDT", NOW_MS, "68000")  # far above the strike: a strong YES edge
YES_ASKS = ((6200, 100 * SHARE), (6300, 400 * SHARE))


def snapshots(ts_ms: int, info: MarketInfo = BTC) -> tuple[BookSnapshot, BookSnapshot]:
    """YES 0.60 / 0.62 with depth behind the ask; NO is its mirror."""
    yes = BookSnapshot(
        info.condition_id, "yes", ts_ms, ((6000, 100 * SHARE),), YES_ASKS, tick=info.tick
    )
    no = BookSnapshot(
        info.condition_id,
        "no",
        ts_ms,
        ((3800, 100 * SHARE), (3700, 400 * SHARE)),
        ((4000, 100 * SHARE),),
        tick=info.tick,
    )
    return yes, no


def strategy(found: DefinitionContract | None, *, escalate: bool = True) -> Strategy:
    taker = TakerConfig(enabled=escalate, daily_budget=300 * SHARE, cooldown_ms=0)
    config = CryptoThresholdConfig(model=ModelConfig(vol_annual=0.5), taker=taker)
    return CryptoThresholdStrategy(found, config)


class TakerRisk(Risk):
    """Approves (or vetoes taker intents with `taker_veto`) and records what it hears."""

    def __init__(self, taker_veto: Verdict | None = None) -> None:
        super().__init__(Verdict.ok("risk", "approved"))
        self.taker_veto = taker_veto

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        verdict = super().approve(intent, now_ms)
        if not intent.post_only and self.taker_veto is not None:
            return self.taker_veto
        return verdict


def run_state(
    *, taker_enabled: bool, escalate: bool = True, risk: TakerRisk | None = None
) -> tuple[MarketState, Sink, TakerRisk]:
    journal, gateway = Sink(), risk or TakerRisk()
    config = MarketConfig(
        orders=OrderConfig(latency_mean_ms=0, taker_enabled=taker_enabled),
        require_contract=True,
    )
    state = MarketState(
        BTC,
        strategy(contract(), escalate=escalate),
        journal,
        gateway,
        config,
        contract=contract(),
        inputs=MarketInputs(spot=SharedSpot(SpotTracker(60_000))),
    )
    for snap in snapshots(NOW_MS):
        state.on_event(snap, NOW_MS)
    assert state.on_spot(SPOT, NOW_MS)  # the print that makes the edge strong
    return state, journal, gateway


def taker_events(journal: Sink) -> list[tuple[str, str]]:
    return [(o["state"], o["reason"]) for o in journal.of(RecordKind.ORDER_EVENT)]


def test_escalation_on_crosses_and_pays_the_taker_fee_per_level() -> None:
    state, journal, risk = run_state(taker_enabled=True)
    [asked] = [i for i in risk.asked if not i.post_only]
    assert (asked.asset_id, asked.price) == ("yes", 6300)  # the worst level walked, as limit
    fills = journal.of(RecordKind.FILL)
    assert [(f["price"], f["liquidity"]) for f in fills] == [(6200, "taker"), (6300, "taker")]
    assert fills[0]["size"] == 100 * SHARE  # the whole first level, then into the second
    assert sum(f["size"] for f in fills) == asked.size
    for fill in fills:
        assert fill["fee"] == taker_fee(BTC.fees, fill["price"], fill["size"]) > 0
    assert taker_events(journal) == [
        ("pending_new", "submitted"),
        ("resting", "accepted"),
        ("partially_filled", "partial_fill"),
        ("filled", "filled"),
    ]
    # Reported to the RiskActor exactly as journaled, and counted in the market's positions.
    assert [(f.fill_id, f.fee, f.liquidity.value) for f in risk.fills] == [
        (f["fill_id"], f["fee"], f["liquidity"]) for f in fills
    ]
    assert state.positions.held("yes") == asked.size
    decision = journal.of(RecordKind.DECISION)[-1]
    assert [(g["gate"], g["passed"]) for g in decision["gates"]] == [
        ("definition", True),
        ("ev", True),
        ("risk", True),
    ]
    assert state.orders.open_orders() == []  # a taker order never rests


def test_escalation_off_never_crosses() -> None:
    # The strategy asks to cross, but the engine's taker path is off: rejected by name.
    _, journal, risk = run_state(taker_enabled=False)
    assert any(not i.post_only for i in risk.asked)
    assert taker_events(journal) == [("rejected", "not_post_only")]
    assert journal.of(RecordKind.FILL) == []
    assert risk.fills == []
    # Escalation off in the strategy too (the default): only a maker quote below the ask.
    _, journal, risk = run_state(taker_enabled=False, escalate=False)
    assert all(i.post_only for i in risk.asked)
    orders = journal.of(RecordKind.ORDER_EVENT)
    assert [(o["price"] < 6200, o["reason"]) for o in orders] == [(True, "submitted")]
    assert journal.of(RecordKind.FILL) == []


def test_the_budget_stops_further_takes() -> None:
    state, journal, risk = run_state(taker_enabled=True)
    first_fills = len(journal.of(RecordKind.FILL))
    for snap in snapshots(NOW_MS + 1_000):
        state.on_event(snap, NOW_MS + 1_000)
    takers = [i for i in risk.asked if not i.post_only]
    assert len(takers) == 1  # one take fit the 300 USD budget; the next does not
    assert len(journal.of(RecordKind.FILL)) == first_fills
    last = journal.of(RecordKind.DECISION)[-1]
    assert last["analysis"]["yes"]["taker"]["veto"] == "taker_budget_exhausted"
    after = risk.asked[risk.asked.index(takers[0]) + 1 :]
    assert after  # the maker quote stands instead
    assert all(i.post_only for i in after)
    assert all(i.price < 6200 for i in after)


def test_a_risk_veto_stops_the_take() -> None:
    veto = Verdict.veto("risk", GateVeto.MAX_ORDER_NOTIONAL, "too big")
    _, journal, risk = run_state(taker_enabled=True, risk=TakerRisk(taker_veto=veto))
    assert any(not i.post_only for i in risk.asked)
    assert journal.of(RecordKind.ORDER_EVENT) == []
    assert journal.of(RecordKind.FILL) == []
    decision = journal.of(RecordKind.DECISION)[-1]
    assert decision["gates"][-1]["reason"] == "max_order_notional"


# -- through the engine: the real RiskActor and its ledger -----------------------------------


@contextmanager
def engine(
    tmp_path: Path, *, taker_enabled: bool, max_order_notional: int
) -> Iterator[tuple[Engine, JournalStore]]:
    base = chaos_engine_config()
    market = MarketConfig(
        orders=OrderConfig(latency_mean_ms=0, taker_enabled=taker_enabled), require_contract=False
    )
    limits = replace(base.risk_limits, max_order_notional=max_order_notional)
    config = replace(
        base,
        market=market,
        risk_limits=limits,
        initial_cash=10_000 * SHARE,
        watchdog=None,
        flush_interval_s=None,
    )
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")

    def build(info: MarketInfo, found: DefinitionContract | None) -> Strategy:
        return strategy(found)

    eng = Engine(
        [BTC],
        store,
        NoBooks(),
        clock=ManualClock(NOW_MS),
        metrics=CountingMetrics(),
        config=config,
        parts=EngineParts(contract_strategy=build, parse_contracts=True),
    )
    with running(eng, store):
        assert eng.resume("test").resumed
        assert eng.feed(SPOT)
        for snap in snapshots(NOW_MS):
            eng.feed(snap)
        assert eng.drain()
        yield eng, store


def test_engine_taker_fills_reach_the_journal_and_the_ledger(tmp_path: Path) -> None:
    with engine(tmp_path, taker_enabled=True, max_order_notional=1_000 * SHARE) as (_, store):
        fills = [r.data() for r in records(store, RecordKind.FILL)]
        assert [f["liquidity"] for f in fills] == ["taker", "taker"]
        fees = sum(f["fee"] for f in fills)
        assert fees == sum(taker_fee(BTC.fees, f["price"], f["size"]) for f in fills) > 0
        ledger = [r.data() for r in records(store, RecordKind.LEDGER)][-1]
        assert ledger["fills"] == 2
        assert ledger["fees"] == fees
        assert ledger["positions"]["yes"]["size"] == sum(f["size"] for f in fills)
        cost = sum(f["price"] * f["size"] for f in fills) // 10_000
        assert ledger["cash"] == 10_000 * SHARE - cost - fees


def test_engine_risk_caps_apply_to_taker_intents(tmp_path: Path) -> None:
    # The default 100 USD per-order cap is below the Kelly-sized take: vetoed, nothing crosses.
    with engine(tmp_path, taker_enabled=True, max_order_notional=100 * SHARE) as (_, store):
        assert records(store, RecordKind.FILL) == []
        decisions = [r.data() for r in records(store, RecordKind.DECISION)]
        [crossing] = [d for d in decisions if any(not t["post_only"] for t in d["targets"])]
        assert [(t["asset_id"], t["price"]) for t in crossing["targets"]] == [("yes", 6300)]
        last = crossing["gates"][-1]
        assert (last["gate"], last["passed"], last["reason"]) == (
            "risk",
            False,
            "max_order_notional",
        )
        assert records(store, RecordKind.ORDER_EVENT) == []
