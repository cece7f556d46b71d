"""`astra report --journal FILE`: the HTML report of a journal outside the data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astra.adapters.journal.store import JournalStore
from astra.cli.main import main
from tests.adapters.journal import factories as f


def test_report_reads_the_journal_flag_over_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    journal = tmp_path / "replay.sqlite3"
    with JournalStore.open(journal) as store:
        store.write_batch(f.healthy_session())
    out_file = tmp_path / "r.html"
    argv = ["report", "--data-dir", str(tmp_path / "empty"), "--journal", str(journal)]
    code = main([*argv, "--out", str(out_file)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.strip() == str(out_file)
    html = out_file.read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Astra report: journal" in html  # no runs recorded: the whole journal


def test_report_with_a_missing_journal_flag_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "replay.sqlite3"
    code = main(["report", "--journal", str(missing), "--out", str(tmp_path / "r.html")])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"astra report: journal not found: {missing}\n"
    assert not (tmp_path / "r.html").exists()


def test_report_json_prints_marked_drawdown_and_the_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.app.test_performance_summary import OPEN, journal

    monkeypatch.delenv("ASTRA_CONFIG", raising=False)
    path = tmp_path / "replay.sqlite3"
    with JournalStore.open(path) as store:
        store.write_batch(journal().records)
    out_file = tmp_path / "r.html"
    code = main(["report", "--journal", str(path), "--out", str(out_file), "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert body["returns_interval_s"] == 300
    assert body["equity"]["peak"] == OPEN + 480_000
    assert body["equity"]["max_drawdown"] == pytest.approx(3_480_000 / (OPEN + 480_000))
    assert body["overall"]["max_drawdown"]["value"] == body["equity"]["max_drawdown"]
    assert sorted(body["strategies"]) == ["maker", "taker"]
    assert body["strategies"]["maker"]["sharpe"]["insufficient"] == "too_few_samples"
    assert body["equity_points"] == 4
    html = out_file.read_text()
    assert "<h2>Performance</h2>" in html
    assert "max drawdown (marked)" in html
    assert "insufficient: too_few_samples (n=2)" in html
    assert "<td>3.463% (n=4)</td>" in html  # the marked max drawdown, overall
    assert f"{3_480_000 / (OPEN + 480_000) * 100:.2f}%" in html  # the summary's max drawdown
