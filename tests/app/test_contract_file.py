"""The user's contracts file (`[contracts] file`): TOML or JSON, validated as a whole at
start, overriding or adding to the built contracts; a bad file fails the start (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.app.contracts import contract_plan, load_contract_file, settings_contract_plan
from astra.app.journal_metrics import publish_record
from astra.cli.main import main
from astra.domain import metrics_port as mp
from astra.domain.contracts.contract import EventOpsContract
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.prices import SIZE_SCALE, Tick
from astra.settings import Settings, SettingsError, load_settings

BUILT = MarketInfo(
    condition_id="0x" + "11" * 32,
    question="Will X happen?",
    yes_token="1",
    no_token="2",
    tick=Tick.T0_01,
    min_size=5 * SIZE_SCALE,
    end_date_ms=1_790_000_000_000,
    description='This market will resolve to "Yes" if X happens. The resolution source for '
    "this market will be the official record.",
)
UNBUILT = MarketInfo(
    condition_id="0x" + "22" * 32,
    question="Will Y happen?",
    yes_token="3",
    no_token="4",
    tick=Tick.T0_01,
    min_size=5 * SIZE_SCALE,
    description="Y.",
)
ENTRY = {
    "category": "event_ops",
    "market_id": UNBUILT.condition_id,
    "cutoff_ms": "2026-09-01T00:00:00Z",
    "event": "Y happens",
    "early_resolution": False,
    "resolution_source": "the Y registry",
    "finality": "official_announcement",
    "fifty_fifty": False,
}
TOML = """
[[contract]]
category = "event_ops"
market_id = "{market}"
cutoff_ms = "2026-09-01T00:00:00Z"
event = "Y happens"
early_resolution = false
resolution_source = "the Y registry"
finality = "official_announcement"
fifty_fifty = false
"""


def test_toml_and_json_files_load_the_same_contract(tmp_path: Path) -> None:
    toml_file = tmp_path / "c.toml"
    toml_file.write_text(TOML.format(market=UNBUILT.condition_id))
    json_file = tmp_path / "c.json"
    json_file.write_text(json.dumps([ENTRY]))
    from_toml = load_contract_file(str(toml_file))
    assert from_toml == load_contract_file(str(json_file))
    (contract,) = from_toml
    assert isinstance(contract, EventOpsContract)
    assert contract.event == "Y happens"


def test_the_file_adds_and_overrides_and_the_rest_keep_their_reason(tmp_path: Path) -> None:
    plan = contract_plan([BUILT, UNBUILT])
    assert set(plan.contracts) == {BUILT.condition_id}
    assert plan.missing[UNBUILT.condition_id].startswith("no_resolution_rule")
    override = {**ENTRY, "market_id": BUILT.condition_id, "event": "X, as the user reads it"}
    user = load_contract_file(_json(tmp_path, [ENTRY, override]))
    plan = contract_plan([BUILT, UNBUILT], user)
    assert plan.missing == {}
    built = plan.contracts[BUILT.condition_id]
    assert isinstance(built, EventOpsContract)
    assert built.event == "X, as the user reads it"
    assert plan.from_file == {BUILT.condition_id, UNBUILT.condition_id}


def test_metrics_count_markets_by_source_and_missing_reason() -> None:
    metrics = CountingMetrics()
    settings_contract_plan(Settings(), [BUILT, UNBUILT], metrics)
    assert metrics.gauges[(mp.CONTRACTS_MISSING, (("reason", "no_resolution_rule"),))] == 1.0
    assert metrics.gauges[(mp.CONTRACTS, (("source", "built"),))] == 1.0


def _json(tmp_path: Path, entries: object) -> str:
    path = tmp_path / "contracts.json"
    path.write_text(json.dumps(entries))
    return str(path)


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        ("[{", ".json", "Expecting"),
        ("{}", ".json", "expected a JSON list"),
        ("contract = 3", ".toml", "array of tables"),
        ("[other]\n", ".toml", "unknown top-level keys"),
        (json.dumps([{**ENTRY, "fifty_fifty": "no"}]), ".json", "invalid_type:fifty_fifty"),
        (json.dumps([ENTRY, ENTRY]), ".json", "duplicate_market"),
    ],
)
def test_a_bad_file_is_one_line(tmp_path: Path, content: str, suffix: str, expected: str) -> None:
    path = tmp_path / f"c{suffix}"
    path.write_text(content)
    with pytest.raises(SettingsError) as caught:
        load_contract_file(str(path))
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message
    assert str(path) in message


def test_a_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="No such file"):
        load_contract_file(str(tmp_path / "absent.json"))


def test_a_bad_contracts_file_fails_the_start_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = tmp_path / "contracts.json"
    contracts.write_text(json.dumps([{**ENTRY, "finality": "rumour"}]))
    config = tmp_path / "astra.toml"
    config.write_text(f'[contracts]\nfile = "{contracts}"\n')
    assert load_settings(config).contracts.file == str(contracts)
    code = main(["demo", "--config", str(config), "--data-dir", str(tmp_path / "demo")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "invalid_value:finality" in err[0]


def test_merged_pairs_reach_the_metrics_from_the_ledger_record() -> None:
    payload = {"cash": 1, "fees": 0, "realised": 0, "positions": {}, "merged": {"m": 2_500_000}}
    record = JournalRecord.build("risk", 1, RecordKind.LEDGER, 1, None, payload)
    metrics = CountingMetrics()
    publish_record(metrics, record)
    assert metrics.gauges[(mp.MERGED_SHARES, ())] == 2.5
