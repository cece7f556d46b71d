"""Strategies wired into the actors: selection by configuration, contracts, spot routing, and
the view the MarketActor builds (spot, positions, equity, toxicity, trades, halted)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.engine import Engine, EngineParts
from astra.actors.market_contracts import SpotRoutes, resolve_contracts
from astra.actors.market_inputs import MarketInputs, SharedSpot
from astra.actors.market_state import MarketConfig, MarketState
from astra.actors.runtime.runtime_messages import Crash
from astra.adapters.journal.store import JournalStore
from astra.app.strategies import contract_strategy_factory
from astra.domain.clock import ManualClock
from astra.domain.contracts.contract import DefinitionContract
from astra.domain.events import BookSnapshot, SpotPrice, Trade
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import Side
from astra.domain.strategies import MarketView, Strategy, StrategyDecision
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import CryptoThresholdConfig, CryptoThresholdStrategy
from astra.domain.strategies.maker import MakerStrategy
from astra.domain.strategies.simple_quoter import SimpleQuoter
from astra.domain.strategies.spot_state import SpotTracker
from astra.settings import Settings, SettingsError
from tests.domain.strategies.scenario import INFO as BTC
from tests.domain.strategies.scenario import NOW_MS, contract

from .trading_support import NoBooks, Risk, Sink, records, running, wait_for

OTHER = synthetic_markets(1)[0]
SHARES = 5_000_000


class Recording:
    """Wraps a strategy and keeps every view it was shown (shared across generations)."""

    def __init__(self, inner: Strategy, views: list[MarketView]) -> None:
        self.inner = inner
        self.views = views

    @property
    def name(self) -> str:
        return self.inner.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        self.views.append(view)
        return self.inner.evaluate(view, now_ms)


def build(info: MarketInfo, found: DefinitionContract | None = None) -> Strategy:
    """The crypto threshold strategy for a market with a contract, else the SimpleQuoter."""
    if found is not None:
        config = CryptoThresholdConfig(model=ModelConfig(vol_annual=0.5))
        return CryptoThresholdStrategy(found, config)
    return SimpleQuoter()


def with_names(by_category: dict[str, str], default: str) -> Settings:
    base = Settings()
    strategy = replace(base.strategy, by_category=tuple(by_category.items()), default=default)
    return replace(base, strategy=strategy)


# -- selection and contracts ---------------------------------------------------------------


def test_unknown_strategy_name_fails_at_startup() -> None:
    with pytest.raises(SettingsError, match="nope"):
        contract_strategy_factory(with_names({"crypto": "nope"}, "maker"))
    with pytest.raises(SettingsError, match="typo"):
        contract_strategy_factory(with_names({}, "typo"))


def test_contract_category_chooses_over_the_market_category() -> None:
    pick = contract_strategy_factory(
        with_names({"crypto_threshold": "crypto_threshold"}, "simple_quoter")
    )
    plain = replace(BTC, category="other")
    assert isinstance(pick(plain, None), SimpleQuoter)
    assert isinstance(pick(plain, contract()), CryptoThresholdStrategy)
    assert isinstance(pick(OTHER, None), SimpleQuoter)


def test_settings_build_strategies_through_the_registry() -> None:
    pick = contract_strategy_factory(Settings())
    assert isinstance(pick(BTC, contract()), CryptoThresholdStrategy)
    assert isinstance(pick(OTHER, None), MakerStrategy)  # `default = "maker"`


def test_contracts_are_keyed_by_their_own_market_and_route_spot() -> None:
    with pytest.raises(ValueError, match="supplied under"):
        resolve_contracts([BTC], {"0xother": contract()})
    assert resolve_contracts([BTC, OTHER]) == {}
    parsed = resolve_contracts([BTC, OTHER], parse=True)
    assert parsed == {BTC.condition_id: contract()}  # OTHER's question parses to nothing
    routes = SpotRoutes(parsed)
    assert routes.markets("BTCUSDT") == (BTC.condition_id,)
    assert routes.markets("ethusdt") == ()


def test_engine_takes_one_strategy_factory_not_two(tmp_path: Path) -> None:
    parts = EngineParts(strategy=lambda info: SimpleQuoter(), contract_strategy=build)
    with (
        JournalStore.open(tmp_path / "j.sqlite3") as store,
        pytest.raises(ValueError, match="not both"),
    ):
        Engine(
            [OTHER], store, NoBooks(), clock=ManualClock(0), metrics=CountingMetrics(), parts=parts
        )


# -- the view MarketState builds -----------------------------------------------------------


def test_view_carries_positions_trades_equity_toxicity_and_the_gate() -> None:
    views: list[MarketView] = []
    halted = [True]
    inputs = MarketInputs(equity=lambda: 7_000_000, halted=lambda: halted[0])
    config = MarketConfig(orders=OrderConfig(latency_mean_ms=0), require_contract=False)
    state = MarketState(
        OTHER, Recording(SimpleQuoter(), views), Sink(), Risk(), config, inputs=inputs
    )
    assert state.view(1_000).toxicity_score is None  # no samples: the strategy's default
    for snap in book_pair(OTHER, 5000, 1_000):
        state.on_event(snap, 1_000)
    first = views[-1]
    assert (first.halted, first.equity, first.trades, first.spot) == (True, 7_000_000, (), None)
    assert first.toxicity_score == 0.0  # a calm book, now sampled
    assert first.yes.bids[0] == first.yes.best_bid
    assert first.yes.tick == OTHER.tick
    halted[0] = False
    trade = Trade(OTHER.condition_id, OTHER.yes_token, 1_001, 4700, SHARES, Side.SELL, "t1")
    state.on_event(trade, 1_001)
    seen = views[-1]
    assert seen.trades == (trade,)
    assert (seen.yes_position, seen.no_position, seen.halted) == (SHARES, 0, False)
    assert seen.toxicity_score is not None
    state.on_event(book_pair(OTHER, 5000, 1_002)[0], 1_002)
    assert views[-1].trades == ()  # trades since the previous evaluation only


def test_spot_reaches_only_a_contract_market_and_stale_spot_skips_by_name() -> None:
    views: list[MarketView] = []
    strategy = Recording(build(BTC, contract()), views)
    spot = SharedSpot(SpotTracker(60_000))
    sink = Sink()
    state = MarketState(
        BTC,
        strategy,
        sink,
        Risk(),
        MarketConfig(require_contract=False),
        contract=contract(),
        inputs=MarketInputs(spot=spot),
    )
    assert state.spot_symbol == "btcusdt"
    assert not state.on_spot(SpotPrice("ETHUSDT", NOW_MS, "3000"), NOW_MS)
    assert not state.on_spot(SpotPrice("BTCUSDT", NOW_MS, "-1"), NOW_MS)  # rejected print
    assert views == []
    assert state.on_spot(SpotPrice("BTCUSDT", NOW_MS, "66000"), NOW_MS)
    assert views[-1].spot is not None
    assert (views[-1].spot.price, views[-1].spot.ts_ms) == (Decimal(66000), NOW_MS)
    for snap in btc_books(NOW_MS + 11_000):
        state.on_event(snap, NOW_MS + 11_000)
    decision = sink.of(RecordKind.DECISION)[-1]
    assert (decision["action"], decision["veto"]) == ("skip", "spot_stale")
    assert decision["definition"]["passed"]
    assert decision["definition"]["detail"] == decision["definition_hash"]


# -- through the engine ----------------------------------------------------------------------


def btc_books(ts_ms: int) -> tuple[BookSnapshot, BookSnapshot]:
    yes = BookSnapshot(
        BTC.condition_id,
        "yes",
        ts_ms,
        ((7000, 500 * SHARES),),
        ((7200, 500 * SHARES),),
        tick=BTC.tick,
    )
    no = BookSnapshot(
        BTC.condition_id,
        "no",
        ts_ms,
        ((2800, 500 * SHARES),),
        ((3000, 500 * SHARES),),
        tick=BTC.tick,
    )
    return yes, no


@contextmanager
def wired_engine(
    tmp_path: Path, clock: ManualClock, views: list[MarketView]
) -> Iterator[tuple[Engine, JournalStore]]:
    def recorded(info: MarketInfo, found: DefinitionContract | None = None) -> Strategy:
        return Recording(build(info, found), views) if info is BTC else build(info, found)

    base = chaos_engine_config()
    limits = replace(base.risk_limits, max_order_notional=1_000_000_000)  # Kelly on 10^6
    config = replace(base, watchdog=None, flush_interval_s=None, risk_limits=limits)
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")
    parts = EngineParts(contract_strategy=recorded, parse_contracts=True)
    engine = Engine(
        [BTC, OTHER],
        store,
        NoBooks(),
        clock=clock,
        metrics=CountingMetrics(),
        config=config,
        parts=parts,
    )
    with running(engine, store):
        yield engine, store


def btc_decisions(store: JournalStore) -> list[dict[str, Any]]:
    return [r.data() for r in records(store, RecordKind.DECISION) if r.market == BTC.condition_id]


def test_engine_routes_spot_by_contract_and_the_crypto_strategy_quotes(tmp_path: Path) -> None:
    clock = ManualClock(NOW_MS)
    views: list[MarketView] = []
    with wired_engine(tmp_path, clock, views) as (engine, store):
        assert engine.contracts == {BTC.condition_id: contract()}
        assert engine.resume("test").resumed
        for snap in btc_books(NOW_MS):
            engine.feed(snap)
        assert engine.drain()
        assert btc_decisions(store)[-1]["veto"] == "no_spot"
        assert not engine.feed(SpotPrice("ETHUSDT", NOW_MS, "3000"))  # nobody resolves on it
        assert engine.feed(SpotPrice("BTCUSDT", NOW_MS, "66000"))
        assert engine.drain()
        last = btc_decisions(store)[-1]
        assert last["action"] == "quote"
        assert last["definition"] == {
            "gate": "definition",
            "passed": True,
            "reason": None,
            "detail": last["definition_hash"],
        }
        assert [(g["gate"], g["passed"]) for g in last["gates"]] == [
            ("definition", True),
            ("ev", True),
            ("risk", True),
        ]
        orders = [r.data() for r in records(store, RecordKind.ORDER_EVENT)]
        assert [(o["asset_id"], o["reason"]) for o in orders] == [("yes", "submitted")]
        assert views[-1].spot is not None
        assert views[-1].spot.ts_ms == NOW_MS
        assert not views[-1].halted


def test_restarted_market_keeps_positions_and_spot_and_comes_up_halted(tmp_path: Path) -> None:
    clock = ManualClock(NOW_MS)
    views: list[MarketView] = []
    with wired_engine(tmp_path, clock, views) as (engine, store):
        assert engine.resume("test").resumed
        engine.feed(SpotPrice("BTCUSDT", NOW_MS, "66000"))
        for snap in btc_books(NOW_MS):
            engine.feed(snap)
        assert engine.drain()
        bid = next(t for t in btc_decisions(store)[-1]["targets"] if t["asset_id"] == "yes")
        clock.advance(5)
        engine.feed(
            Trade(
                BTC.condition_id,
                "yes",
                clock.now_ms(),
                bid["price"] - 100,
                bid["size"],
                Side.SELL,
                "t1",
            )
        )
        assert engine.drain()
        assert views[-1].yes_position == bid["size"]
        name = f"market:{BTC.condition_id}"
        before = len(store.producer_records(name))
        engine.router.tell(name, Crash())
        assert wait_for(lambda: engine.drain(1.0) and len(store.producer_records(name)) > before)
        assert wait_for(engine.all_healthy)
        clock.advance(5)
        for snap in btc_books(clock.now_ms()):
            engine.feed(snap)
        assert engine.drain()
        after = views[-1]
        assert after.halted  # a restarted market's own gate is shut until a resume
        assert after.yes_position == bid["size"]  # rebuilt from its journaled fills
        assert after.spot is not None
        assert after.spot.ts_ms == NOW_MS  # the engine-owned tracker outlived the actor
