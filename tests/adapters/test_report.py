"""The HTML report: hand-checked figures, well-formed inline SVG, `astra report` on a journal."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.runs import open_run
from astra.adapters.journal.store import JournalStore
from astra.adapters.report import write_report
from astra.adapters.report.html import (
    decision_funnel,
    drawdown_points,
    equity_points,
    fill_quality,
    render_report,
)
from astra.cli.main import main
from tests.adapters.journal import factories as f

FILLS = [
    # Buy 10 YES at 0.40 (fee 0.01), sell 4 at 0.50: cash -4.01 + 2.00, 6 left at 0.50 = 3.00.
    {"ts_ms": 1, "market": "m1", "asset_id": "y", "side": "BUY", "price": 4_000,
     "size": 10_000_000, "fee": 10_000, "mid": 4_050},
    {"ts_ms": 2, "market": "m1", "asset_id": "y", "side": "SELL", "price": 5_000,
     "size": 4_000_000, "fee": 0, "mid": 4_990},
    {"ts_ms": 3, "market": "m2", "asset_id": "z", "side": "BUY", "price": 2_000,
     "size": 5_000_000, "fee": 0},
]  # fmt: skip
LEDGER = [
    {"ts_ms": 1_700_000_000_000, "cash": 1_000_000_000, "positions": {}},
    {
        "ts_ms": 1_700_000_060_000,
        "cash": 900_000_000,
        "positions": {"y": {"size": 1, "cost": 150_000_000}},
    },
    {
        "ts_ms": 1_700_000_120_000,
        "cash": 880_000_000,
        "positions": {"y": {"size": 1, "cost": 100_000_000}},
    },
]
DECISIONS = [
    {
        "action": "quote",
        "gates": [{"gate": "definition", "passed": True}, {"gate": "ev", "passed": True}],
    },
    {
        "action": "skip",
        "gates": [{"gate": "definition", "passed": True}, {"gate": "ev", "passed": False}],
    },
    {"action": "skip", "gates": [{"gate": "definition", "passed": False}]},
]


def test_figures_are_the_hand_computed_ones() -> None:
    assert equity_points(LEDGER) == [
        (1_700_000_000_000, 1000.0),
        (1_700_000_060_000, 1050.0),
        (1_700_000_120_000, 980.0),
    ]
    drawdown = drawdown_points(equity_points(LEDGER))
    assert [round(d, 6) for _, d in drawdown] == [0.0, 0.0, round(70 / 1050, 6)]
    assert decision_funnel(DECISIONS) == [
        ("evaluated", 3.0),
        ("wanted to quote", 1.0),
        ("passed definition", 1.0),
        ("sent new orders", 1.0),
        ("passed EV", 1.0),
        ("passed risk", 0.0),
    ]
    # A BUY at 4000 pips below a 4050 mid is 50 pips better; SELL at 5000 over a 4990 mid is 10.
    assert fill_quality(FILLS) == [(1.0, 50.0), (2.0, 10.0)]


def test_report_is_self_contained_html_with_five_wellformed_svgs(tmp_path: Path) -> None:
    out = write_report(
        tmp_path / "r.html",
        fills=FILLS,
        ledger=LEDGER,
        decisions=DECISIONS,
        title="Run <1> & co",
        run={"run_id": "run-1"},
    )
    html = out.read_text()
    assert html.startswith("<!doctype html>")
    assert "Run &lt;1&gt; &amp; co" in html
    assert "<script" not in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")
    svgs = [part.split("</svg>")[0] + "</svg>" for part in html.split("<svg")[1:]]
    assert len(svgs) == 5
    for body in svgs:
        ET.fromstring("<svg" + body)  # noqa: S314 - our own output
    assert "max drawdown" in html
    assert "2 of 3 fills carry a mid" in html


def test_funnel_stages_are_nested_and_count_evaluations_not_verdicts() -> None:
    chain = [{"gate": "definition", "passed": True}, {"gate": "ev", "passed": True}]
    placed = [*chain, {"gate": "risk", "passed": True}]
    vetoed = [*chain, {"gate": "risk", "passed": False}]
    decisions = [
        {"action": "quote", "gates": [*vetoed, *placed]},  # two placements, one placed
        {"action": "quote", "gates": vetoed},
        {"action": "quote", "gates": []},  # quotes unchanged: nothing new to place
        {"action": "quote", "definition": {"passed": False}, "gates": []},
        {"action": "skip", "gates": []},
    ]
    counts = [n for _, n in decision_funnel(decisions)]
    assert counts == [5.0, 4.0, 3.0, 2.0, 2.0, 1.0]


def test_bar_labels_are_whole_when_they_fit() -> None:
    html = render_report(fills=[], ledger=[], decisions=DECISIONS)
    assert ">passed definition</text>" in html
    assert ">sent new orders</text>" in html


def test_money_labels_put_the_sign_before_the_dollar() -> None:
    html = render_report(fills=[], ledger=[], decisions=[], market_pnl=[("m1", -0.5), ("m2", 0.7)])
    assert "m1: -$0.50" in html
    assert "m2: $0.70" in html
    assert "$-" not in html


def test_empty_inputs_still_render(tmp_path: Path) -> None:
    html = write_report(tmp_path / "e.html", fills=[], ledger=[], decisions=[]).read_text()
    assert html.count("no data") == 4  # the funnel has zero bars, not no bars


def test_astra_report_reads_the_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with JournalStore.open(journal_path(tmp_path)) as store:
        open_run(store, run_id="run-1", started_ms=0, code_version="t", config={})
        store.write_batch(
            [
                f.fill("m", 1, "f1", "o1"),
                f.ledger("t", 1, cash=f.OPENING_CASH - 4_000_000, fills=1,
                         positions={f.YES: {"size": 10_000_000, "cost": 4_000_000}}),
                f.decision("m", 2, action="PLACE"),
                f.decision("m", 3, action="SKIP", run_id="other-run"),
            ]
        )  # fmt: skip
    out = tmp_path / "report.html"
    assert main(["report", "--data-dir", str(tmp_path), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text()
    assert "Astra report: run-1" in html
    assert "<td>1</td>" in html  # one fill
    assert main(["report", "nope", "--data-dir", str(tmp_path)]) == 1
    assert "no run 'nope'" in capsys.readouterr().err


def test_astra_report_without_a_journal_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("astra report: ")
    assert "\n" not in err
