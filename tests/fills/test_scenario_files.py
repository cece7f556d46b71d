"""Every hand-computed scenario under tests/fills/scenarios through `astra fills scenario`.

Each file carries its arithmetic in `_comment` and the expected output per queue model in
`_expect`; the command's JSON must equal it exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.cli.main import main

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
MODELS = ("risk_averse", "probabilistic")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["fills", "scenario", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_there_are_at_least_sixteen_hand_computed_scenarios() -> None:
    assert len(SCENARIOS) >= 16
    for path in SCENARIOS:
        doc = json.loads(path.read_text())
        assert doc["_comment"]
        assert set(doc["_expect"]) == set(MODELS)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_output_is_the_hand_computed_one(
    path: Path, model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, str(path), "--queue-model", model, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(path.read_text())["_expect"][model]


def test_default_model_is_risk_averse(capsys: pytest.CaptureFixture[str]) -> None:
    path = next(p for p in SCENARIOS if p.stem.startswith("15_"))
    code, out, _ = run_cli(capsys, str(path), "--json")
    assert code == 0
    assert json.loads(out) == json.loads(path.read_text())["_expect"]["risk_averse"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("market"), "market must be an object"),
        (lambda d: d["market"].update(condition_id="0x12"), "64 hex digits"),
        (lambda d: d["latency_ms"].update(place=-1), "latency_ms.place"),
        (lambda d: d["orders"][0]["place"].update(price=0.48), "must be a decimal string"),
        (lambda d: d["orders"][0]["place"].update(token="maybe"), "'yes' or 'no'"),
        (lambda d: d["orders"].append({"at_ms": 1, "cancel": "zz"}), "cancel of 'zz'"),
        (lambda d: d.update(extra=1), "unknown key 'extra'"),
        (lambda d: d["messages"].append({"recv_ms": 5, "msg": {"event_type": "?"}}), "rejected"),
    ],
)
def test_bad_files_get_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: object, message: str
) -> None:
    doc = json.loads(SCENARIOS[0].read_text())
    mutate(doc)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    code, out, err = run_cli(capsys, str(path), "--json")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert message in err


def test_unreadable_and_non_json_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, str(tmp_path / "missing.json"))
    assert code == 2
    assert "cannot read" in err
    (tmp_path / "x.json").write_text("{not json")
    code, _, err = run_cli(capsys, str(tmp_path / "x.json"))
    assert code == 2
    assert "not JSON" in err
