"""Model frames follow the living universe: a weather market added live is routed its
forecasts (the poller asks for its key), and a retired one is no longer told any."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import synthetic_markets
from astra.actors.engine import Engine
from astra.actors.engine_parts import EngineParts
from astra.actors.market_actor import market_producer
from astra.actors.model_board import ModelRoutes
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.metrics_port import CountingMetrics
from tests.domain.models.cases import DAY_START, forecast, rates, weather

from .trading_support import NoBooks, running, wait_for

START, ADDED = synthetic_markets(2)
T0 = DAY_START - 3_600_000


def test_routes_add_and_remove_markets_by_key() -> None:
    one = replace(weather(), market_id="0xa")
    routes = ModelRoutes({"0xa": one, "0xr": replace(rates(), market_id="0xr")})
    key = forecast().key
    assert routes.frame_keys() == ["rates:fed", key]
    assert routes.add("0xb", replace(weather(), market_id="0xb"))
    assert routes.markets(key) == ("0xa", "0xb")
    routes.remove("0xa")
    assert routes.markets(key) == ("0xb",)
    assert routes.contract(key) == replace(weather(), market_id="0xb")
    routes.remove("0xb")
    routes.remove("0xb")  # twice: nothing left to remove
    assert routes.frame_keys() == ["rates:fed"]
    assert routes.contract(key) is None


def test_a_weather_market_added_live_is_routed_its_frames_until_retired(tmp_path: Path) -> None:
    contract = replace(weather(), market_id=ADDED.condition_id)
    parts = EngineParts(contracts={ADDED.condition_id: contract})
    config = replace(chaos_engine_config(), watchdog=None, flush_interval_s=None)
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")
    engine = Engine(
        [START], store, NoBooks(), clock=ManualClock(T0), metrics=CountingMetrics(),
        config=config, parts=parts,
    )  # fmt: skip
    frame = forecast(issued_ms=T0)
    with running(engine, store):
        assert engine.model_routes.frame_keys() == []
        assert not engine.feed(frame)  # no market reads it yet
        assert engine.add_market(ADDED)
        name = market_producer(ADDED.condition_id)
        assert wait_for(lambda: name in engine.market_names() and engine.all_healthy())
        assert engine.model_routes.frame_keys() == [frame.key]
        assert engine.feed(replace(frame, issued_ms=T0 + 1))
        assert engine.drain()
        assert engine.model_board.get(frame.key) == replace(frame, issued_ms=T0 + 1)
        assert engine.stop_quoting(ADDED.condition_id, "market_closed")
        assert engine.drain()
        assert engine.retire_market(ADDED.condition_id)
        assert engine.model_routes.frame_keys() == []
        assert not engine.feed(replace(frame, issued_ms=T0 + 2))
