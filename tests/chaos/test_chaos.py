from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.actors.chaos.scenario import ChaosConfig, run_chaos
from astra.adapters.journal.store import JournalStore
from astra.cli.main import main
from tests.scale import scaled


def open_journal(path: Path) -> JournalStore:
    return JournalStore.open(path, synchronous="NORMAL")


def test_small_seeded_chaos_run_holds_every_invariant() -> None:
    report = run_chaos(ChaosConfig(markets=8, kills=16, seed=11), open_journal)
    failed = [inv.as_dict() for inv in report.invariants if not inv.ok]
    assert failed == []
    assert [inv.key for inv in report.invariants] == list("abcdefghi")
    figures = report.figures
    assert figures["halts"] >= 16
    assert figures["restarts"] == figures["halts"]
    assert figures["worst_halt_to_all_canceled_ms"] < 2000


def test_cli_prints_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["chaos", "--markets", "4", "--kills", "6", "--seed", "3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["ok"] is True
    assert {inv["key"] for inv in data["invariants"]} == set("abcdefghi")


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chaos", "--markets", "0"]) == 2
    assert "--markets" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.chaos
def test_acceptance_sized_run() -> None:
    # ASTRA_SLOW_SCALE=full is the acceptance run (200 markets, 1000 kills, < 2 min); "small"
    # (CI) or unset is a twentieth of it, which keeps `make test` quick.
    config = ChaosConfig(markets=scaled(200, minimum=4), kills=scaled(1000, minimum=6), seed=7)
    report = run_chaos(config, open_journal)
    assert report.ok, [inv.as_dict() for inv in report.invariants if not inv.ok]
    assert report.figures["elapsed_s"] < 120


def test_event_actor_fault_kind_holds_every_invariant() -> None:
    """EventActors die too (their share of the kills) and each death halts first: every
    market cancels, the journal accounts for every TopOfBook, restarts match halts."""
    config = ChaosConfig(markets=8, kills=12, seed=5, event_share=0.5)
    report = run_chaos(config, open_journal)
    failed = [inv.as_dict() for inv in report.invariants if not inv.ok]
    assert failed == []
    figures = report.figures
    assert figures["halts"] >= 12
    assert figures["restarts"] == figures["halts"]
    accounted = next(inv for inv in report.invariants if inv.key == "e").figures
    assert accounted["TopOfBook"]["sent"] > 0
    assert figures["halts_by_kind"]["event"] > 0
