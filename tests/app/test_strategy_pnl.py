"""Per-strategy P&L in a replay summary includes settlements: on a simulated session where
markets resolve, the strategies' realised P&L adds up to the run ledger's. Real subprocess."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

from astra.adapters.sim.session_writer import write_session
from astra.domain.sim.session import SessionConfig
from tests.app.live_venue import ASTRA


def test_strategy_pnl_adds_up_to_the_ledger_including_settlements(tmp_path: Path) -> None:
    recording = tmp_path / "session.jsonl.gz"
    write_session(SessionConfig(markets=10, minutes=20, seed=3), recording)
    done = subprocess.run(
        [*ASTRA, "replay", str(recording), "--data-dir", str(tmp_path / "data"),
         "--strategy", "simple_quoter", "--json-summary"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    ledger = summary["pnl"]
    per = [s["pnl"] for s in summary["strategies"].values()]
    assert Decimal(ledger["realised_usd"]) != 0  # markets resolved on positions held
    for key in ("realised_usd", "fees_usd"):
        assert sum(Decimal(p[key]) for p in per) == Decimal(ledger[key]), key
    # Settled positions left the strategy ledgers too: what is still open matches the run's.
    assert sum(Decimal(p["pnl_at_cost_usd"]) for p in per) == Decimal(ledger["pnl_at_cost_usd"])
    journal = Path(summary["journal"])
    checked = subprocess.run(
        [*ASTRA, "db", "check", "--journal", str(journal), "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert json.loads(checked.stdout)["ok"] is True, checked.stdout
