"""Issue 7 acceptance: a simulated multi-market session with spot prices, replayed through
`astra replay --json-summary`, trades with BOTH strategies.

The simulator writes crypto threshold markets (questions the parser turns into linted
contracts, priced off the session's spot path) and generic ones. Routing must give the
crypto markets `crypto_threshold` (their contract's category) and the rest the maker; spot
prints must reach the crypto markets; both strategies must place orders and get fills; the
summary must carry the ledger P&L and a decision funnel per strategy.
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from astra.adapters.sim.session_writer import write_session
from astra.domain.sim.session import SessionConfig
from tests.app.live_venue import ASTRA

SESSION = SessionConfig(markets=6, minutes=6, seed=4)  # two crypto threshold markets


def _replay(recording: Path, data_dir: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        ASTRA_STRATEGY__VOL_ANNUAL="0.5",  # a few minutes of spot cannot estimate vol
        ASTRA_LOGGING__LEVEL="WARNING",
    )
    env.pop("ASTRA_CONFIG", None)
    done = subprocess.run(
        [*ASTRA, "replay", str(recording), "--data-dir", str(data_dir), "--json-summary"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def test_both_strategies_trade_a_simulated_session_with_spot(tmp_path: Path) -> None:
    recording = tmp_path / "session.jsonl.gz"
    stats = write_session(SESSION, recording)
    assert stats.spot_frames > 0
    summary = _replay(recording, tmp_path)

    # Every market has a contract now: two crypto thresholds and four generic markets whose
    # Gamma-like rules text the rates, weather and event builders read.
    assert summary["contracts"]["with_contract"] == 6
    assert summary["contracts"]["without"] == {}
    assert summary["spot_events"] == stats.spot_frames
    assert summary["spot_unrouted"] == 0
    strategies = summary["strategies"]
    # The weather and rates markets route to their own model strategies (issue 18).
    assert set(strategies) == {"crypto_threshold", "maker", "weather_exceedance", "rates_event"}
    assert strategies["crypto_threshold"]["markets"] == 2
    assert strategies["maker"]["markets"] == 2
    assert strategies["weather_exceedance"]["markets"] == 1
    assert strategies["rates_event"]["markets"] == 1
    for name, funnel in strategies.items():
        if name in ("crypto_threshold", "maker"):
            assert funnel["orders"] > 0, name
            assert funnel["fills"] > 0, name
        assert funnel["evaluations"] == sum(funnel["actions"].values()), name
        assert funnel["vetoes"], name  # skips name their reason
        assert set(funnel["pnl"]) == {
            "realised_usd",
            "fees_usd",
            "open_cost_usd",
            "pnl_at_cost_usd",
        }
    # The rates model priced the market (its EV gate said no) once the first prior arrived.
    assert strategies["rates_event"]["vetoes"]["strategy"]["ev_below_threshold"] > 0
    assert strategies["weather_exceedance"]["actions"]["quote"] > 0
    assert sum(f["fills"] for f in strategies.values()) == summary["fills"]
    assert sum(f["evaluations"] for f in strategies.values()) == summary["evaluations"]

    pnl = summary["pnl"]
    assert pnl["opening_cash_usd"] == "10000.000000"
    assert pnl["positions"]  # the fills are in the ledger
    opening = Decimal(pnl["opening_cash_usd"])
    assert Decimal(pnl["equity_at_cost_usd"]) - opening == Decimal(pnl["pnl_at_cost_usd"])
