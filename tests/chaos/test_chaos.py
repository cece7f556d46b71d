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
    assert [inv.key for inv in report.invariants] == list("abcdefghijkl")
    figures = report.figures
    assert figures["halts"] >= 16
    assert figures["restarts"] == figures["halts"]
    assert figures["worst_halt_to_all_canceled_ms"] < 2000


def test_cli_prints_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["chaos", "--markets", "4", "--kills", "6", "--seed", "3", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["ok"] is True
    assert {inv["key"] for inv in data["invariants"]} == set("abcdefghijkl")


def test_cli_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chaos", "--markets", "0"]) == 2
    assert "--markets" in capsys.readouterr().err
    assert main(["chaos", "--faults", "tell,meteor"]) == 2
    assert "meteor" in capsys.readouterr().err


def test_every_infrastructure_fault_is_injected_and_checked() -> None:
    # Poison frames are left out here: the bounded decoder is issue 15 item 1 (its own
    # branch); with it merged, `--faults all` holds (m) too.
    faults = (
        "tell",
        "stuck",
        "pool",
        "watchdog",
        "dispatcher",
        "journal_stall",
        "feed_silence",
        "root",
    )
    report = run_chaos(
        ChaosConfig(markets=6, kills=20, seed=4, faults=faults, stuck_share=0.0), open_journal
    )
    failed = [inv.as_dict() for inv in report.invariants if not inv.ok]
    assert failed == []
    keys = {inv.key for inv in report.invariants}
    assert set("abcdefghijklno") <= keys
    kills = report.figures["kills_by_fault"]
    assert {"pool", "watchdog", "dispatcher", "journal_stall", "feed_silence"} <= set(kills)
    assert report.figures["restart_audits"] >= report.figures["deaths_injected"]


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
    """`event` is a fault kind of the registry: EventActors die next to markets and each
    death halts first; (p) reads that from the journal (a HALT committed before the new
    generation writes, its first records close what the old one left open)."""
    config = ChaosConfig(markets=8, kills=12, seed=5, faults=("tell", "event"))
    report = run_chaos(config, open_journal)
    failed = [inv.as_dict() for inv in report.invariants if not inv.ok]
    assert failed == []
    assert "p" in [inv.key for inv in report.invariants]
    figures = report.figures
    assert figures["halts"] >= 12
    assert figures["restarts"] == figures["halts"]
    accounted = next(inv for inv in report.invariants if inv.key == "e").figures
    assert accounted["TopOfBook"]["sent"] > 0
    assert figures["halts_by_kind"]["event"] == figures["event_kills"] > 0
    journal_check = next(inv for inv in report.invariants if inv.key == "p").figures
    assert journal_check["event_halts"] >= figures["event_kills"]


def test_event_fault_is_in_all_faults() -> None:
    from astra.actors.chaos.injectors import parse_faults

    assert "event" in parse_faults("all")
    assert parse_faults("tell,event") == ("tell", "event")
