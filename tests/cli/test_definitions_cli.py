"""`astra definitions parse|lint` end to end through astra.cli.main.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.cli.main import main
from tests.domain.contracts.samples import CRYPTO_CLOSE, RATES
from tests.domain.test_question_parser_table import BTC_CLOSE_DESC, BTC_MARCH_11

QUESTION = BTC_MARCH_11["question"]


def _parse_btc_close(tmp_path: Path, end_date: str, *extra: str) -> int:
    """`definitions parse` of the BTC close question with its description file."""
    description = tmp_path / "description.txt"
    description.write_text(BTC_CLOSE_DESC, encoding="utf-8")
    args = ["definitions", "parse", QUESTION, "--description-file", str(description)]
    return main([*args, "--end-date", end_date, *extra])


def test_parse_prints_contract_hash_and_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _parse_btc_close(
        tmp_path, "2026-03-11T16:00:00Z", "--market-id", BTC_MARCH_11["conditionId"], "--json"
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["contract"]["strike"] == "64000"
    assert document["contract"]["direction"] == "above"
    assert document["contract"]["oracle_feed"] == "binance:BTCUSDT:1m_close"
    assert document["cutoff_utc"] == "2026-03-11T16:00:00.000Z"
    assert len(document["definition_hash"]) == 64
    assert document["lint"] == {"ok": True, "problems": []}


def test_parse_without_market_id_reports_the_lint_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _parse_btc_close(tmp_path, "2026-03-11")
    out = capsys.readouterr().out
    assert code == 0
    assert "lint: invalid_market_id:market_id" in out


def test_parse_veto_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["definitions", "parse", "Will Seth Curry score 20 points?", "--json"])
    assert code == 2
    assert json.loads(capsys.readouterr().out)["veto"] == "no_underlying"


def test_parse_bad_end_date_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["definitions", "parse", QUESTION, "--end-date", "2026-03-11T16:00:00"])
    err = capsys.readouterr().err
    assert code == 1
    assert "naive_time" in err
    assert len(err.strip().splitlines()) == 1


def test_lint_clean_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "contracts.json"
    path.write_text(json.dumps([CRYPTO_CLOSE, RATES]), encoding="utf-8")
    assert main(["definitions", "lint", str(path)]) == 0
    assert "2 contract(s), all clean" in capsys.readouterr().out


def test_lint_prints_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contracts.json"
    broken = {**CRYPTO_CLOSE, "strike": 64000.0, "cutoff_ms": "2026-03-11"}
    path.write_text(json.dumps([broken, RATES, {"category": "sports"}]), encoding="utf-8")
    assert main(["definitions", "lint", str(path)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert "entry 0" in lines[0]
    assert "date_only_time:cutoff_ms" in lines[0]
    assert "entry 0" in lines[1]
    assert "invalid_type:strike" in lines[1]
    assert "entry 2" in lines[2]
    assert "unknown_category:category" in lines[2]


def test_lint_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["definitions", "lint", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_lint_reads_toml_contract_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contracts.toml"
    rates = "\n".join(f"{k} = {json.dumps(v)}" for k, v in RATES.items())
    path.write_text(f"[[contract]]\n{rates}\n", encoding="utf-8")
    assert main(["definitions", "lint", str(path)]) == 0
    assert "1 contract(s), all clean" in capsys.readouterr().out
    path.write_text(
        f'[[contract]]\n{rates}\nfinality = "rumour"\n'.replace(
            f'finality = "{RATES["finality"]}"\n', ""
        ),
        encoding="utf-8",
    )
    assert main(["definitions", "lint", str(path)]) == 1
    assert "invalid_value:finality" in capsys.readouterr().out
