"""`astra decisions` on decisions shaped as the engine writes them (lower-case actions, the
strategy's veto in `veto`, the definition gate's verdict under `definition`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import JournalStore
from astra.cli.main import main
from astra.domain.journal_record import JournalRecord, RecordKind


def _decision(seq: int, action: str, **fields: Any) -> JournalRecord:
    payload: dict[str, Any] = {
        "strategy": "maker",
        "action": action,
        "veto": None,
        "detail": "",
        "inputs": {},
        "analysis": {},
        "targets": [],
        "run_id": "run-1",
        "definition_hash": None,
        "definition": {"gate": "definition", "passed": True, "reason": None, "detail": ""},
        "schema_version": 1,
        "gates": [],
    }
    payload.update(fields)
    return JournalRecord.build(
        "market:m1", seq, RecordKind.DECISION, 1_700_000_000_000 + seq, "m1", payload
    )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    with JournalStore.open(journal_path(tmp_path)) as store:
        store.write_batch(
            [
                _decision(1, "skip", veto="wide_spread", detail="spread 900 pips > 500"),
                _decision(
                    2,
                    "quote",
                    gates=[{"gate": "risk", "passed": False, "reason": "market_cap", "detail": ""}],
                ),
                _decision(
                    3,
                    "skip",
                    definition={"gate": "definition", "passed": False, "reason": "no_contract"},
                ),
                _decision(4, "withdraw", veto="toxic"),
            ]
        )
    return tmp_path


@pytest.mark.parametrize("typed", ["skip", "SKIP", "Skip"])
def test_action_filter_matches_the_journal_in_any_case(
    data_dir: Path, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    assert main(["decisions", "--data-dir", str(data_dir), "--action", typed]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(" skip " in line for line in lines)


def test_each_line_names_its_reason_and_utc_time(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decisions", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "2023-11-14T22:13:20.001Z m1 skip wide_spread (spread 900 pips > 500) run=run-1",
        "2023-11-14T22:13:20.002Z m1 quote risk:market_cap run=run-1",
        "2023-11-14T22:13:20.003Z m1 skip definition:no_contract run=run-1",
        "2023-11-14T22:13:20.004Z m1 withdraw toxic run=run-1",
    ]
