"""The run report: hand-computed figures from journal records, a self-contained page with
well-formed inline SVG, and `astra report` on a journal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.runs import RunManifest, RunStatus, config_hash, open_run
from astra.adapters.journal.store import JournalStore
from astra.adapters.report import fmt, render_report, write_report
from astra.adapters.report.svg import nice_ticks, time_ticks
from astra.app.report_model import build_report
from astra.cli.main import main
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.journal import factories as f

T0 = 1_700_000_000_000
MARKETS = [
    {"condition_id": "m1", "question": "Will it rain <tomorrow>?", "yes_token": f.YES,
     "no_token": "no-token", "outcomes": ["Yes", "No"], "category": "weather"},
    {"condition_id": "m2", "question": "Will team 2 win?", "yes_token": "z",
     "no_token": "z-no", "outcomes": ["Yes", "No"], "category": "sports"},
]  # fmt: skip


def _manifest(ended_ms: int | None = T0 + 180_000) -> RunManifest:
    config = json.dumps({"settings": {"strategy": {"default": "maker", "by_category": []}},
                         "settings_hash": "abc", "seed": 7, "markets": MARKETS})  # fmt: skip
    return RunManifest(
        "run-1", T0, ended_ms, RunStatus.CLEAN, "0.1.0", config, config_hash(config), None
    )


def _ledger(seq: int, ts: int, cash: int, positions: dict[str, Any], **extra: Any) -> JournalRecord:
    payload = {"cash": cash, "fees": 0, "realised": 0, "positions": positions,
               "opening_cash": f.OPENING_CASH, "fills": 0, "settled": {}, **extra}  # fmt: skip
    return JournalRecord.build("risk", seq, RecordKind.LEDGER, ts, None, payload)


def _decision(seq: int, action: str, gates: list[dict[str, Any]], **extra: Any) -> JournalRecord:
    payload = {"strategy": "maker", "action": action, "gates": gates, "run_id": "run-1", **extra}
    return JournalRecord.build("market:m1", seq, RecordKind.DECISION, T0 + seq, "m1", payload)


CHAIN = [{"gate": "definition", "passed": True}, {"gate": "ev", "passed": True}]
RECORDS = [
    # Equity at cost: 1000; then 900 cash + 150 cost = 1050 (peak); then 880 + 100 = 980.
    _ledger(1, T0, f.OPENING_CASH, {}),
    _ledger(2, T0 + 60_000, 900_000_000, {f.YES: {"size": 10_000_000, "cost": 150_000_000}}),
    _ledger(3, T0 + 120_000, 880_000_000, {f.YES: {"size": 10_000_000, "cost": 100_000_000}}),
    # Buy 10 YES at 0.40 (mid 0.405: 50 pips better for us); buy 5 "z" at 0.20 (no mid).
    f.fill("m", 1, "f1", "o1", price=4_000, size=10_000_000, fee=10_000),
    f.fill("m", 2, "f2", "o2", price=2_000, size=5_000_000, asset_id="z", market="m2"),
    # Two placements through the gates, one approved by risk; one vetoed by EV; one skip.
    _decision(
        1,
        "quote",
        [*CHAIN, {"gate": "risk", "passed": False}, *CHAIN, {"gate": "risk", "passed": True}],
    ),
    _decision(2, "quote", [CHAIN[0], {"gate": "ev", "passed": False}]),
    _decision(3, "quote", [], definition={"passed": False, "reason": "no_contract"}),
    _decision(4, "skip", []),
    f.order_event("market:m1", 10, "o1", state="pending_new"),
]


def test_the_model_holds_the_hand_computed_figures() -> None:
    model = build_report(RECORDS, "t", _manifest())
    assert model.equity_basis == "cost"
    assert model.equity == [(T0, 1_000_000_000), (T0 + 60_000, 1_050_000_000),
                            (T0 + 120_000, 980_000_000)]  # fmt: skip
    assert model.max_drawdown == pytest.approx(70 / 1050)
    assert model.exposure == [(T0, 0), (T0 + 60_000, 150_000_000), (T0 + 120_000, 100_000_000)]
    assert model.funnel == [
        ("evaluations", 4),
        ("wanted to quote", 3),
        ("passed definition", 2),
        ("orders sent to the gates", 3),
        ("orders past EV", 2),
        ("orders past risk (placed)", 1),
    ]
    (position,) = model.positions
    assert (position.market, position.outcome, position.size) == (
        "Will it rain <tomorrow>?", "Yes", 10_000_000)  # fmt: skip
    assert position.mark is None
    assert position.value == position.cost == 100_000_000
    rain, team = model.fills
    assert (rain.market, rain.outcome, rain.price, rain.fee) == (
        "Will it rain <tomorrow>?", "Yes", 4_000, 10_000)  # fmt: skip
    assert team.market == "Will team 2 win?"
    assert model.run is not None
    assert (model.run.seed, model.run.settings_hash, model.run.strategies) == (
        7,
        "abc",
        {"*": "maker"},
    )
    # Markets are labelled by their questions, worst first: m1 -4.01 + 4.00 held at cost.
    assert [label for label, _ in model.market_pnl] == [
        "Will it rain <tomorrow>?",
        "Will team 2 win?",
    ]
    assert model.market_pnl[0][1] == -10_000
    assert model.orders_placed == 1


def test_marked_ledger_records_give_marked_equity_and_marked_positions() -> None:
    marked = [
        _ledger(1, T0, f.OPENING_CASH, {}, equity=f.OPENING_CASH, marked_value=0),
        # 10 YES that cost 4.00, marked at their 0.30 bid: worth 3.00, equity 999.
        _ledger(
            2,
            T0 + 1,
            996_000_000,
            {f.YES: {"size": 10_000_000, "cost": 4_000_000}},
            equity=999_000_000,
            marked_value=3_000_000,
            marks={f.YES: 3_000},
        ),
    ]
    model = build_report(marked, "t", _manifest())
    assert model.equity_basis == "marked"
    assert model.equity[-1] == (T0 + 1, 999_000_000)
    assert model.exposure[-1] == (T0 + 1, 3_000_000)
    assert model.max_drawdown == pytest.approx(1 / 1000)
    (position,) = model.positions
    assert (position.mark, position.value, position.unrealised) == (3_000, 3_000_000, -1_000_000)


def test_page_is_self_contained_with_wellformed_svgs_and_escaped_text() -> None:
    html = render_report(build_report(RECORDS, "Run <1> & co", _manifest()))
    assert html.startswith("<!doctype html>")
    assert "Run &lt;1&gt; &amp; co" in html
    assert "Will it rain &lt;tomorrow&gt;?" in html
    assert "<script" not in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")
    svgs = [part.split("</svg>")[0] + "</svg>" for part in html.split("<svg")[1:]]
    assert len(svgs) == 5
    for body in svgs:
        ET.fromstring("<svg" + body)  # noqa: S314 - our own output
    for section in ("run", "summary", "equity", "exposure", "strategies", "markouts", "positions",
                    "markets", "fills", "funnel"):  # fmt: skip
        assert f'<section id="{section}">' in html
    assert "2023-11-14 22:13:20Z" in html  # UTC ISO times, not epoch milliseconds
    assert "$0.40" in html  # prices per share in dollars, not pips
    assert "pips" not in html


def test_empty_journal_still_renders(tmp_path: Path) -> None:
    html = write_report(tmp_path / "e.html", build_report([], "empty")).read_text()
    assert html.count("no data") == 4  # equity, drawdown, exposure, P&L bars
    assert "No fills in this run." in html


def test_money_prices_and_ticks_read_as_a_person_writes_them() -> None:
    assert fmt.usd(-420_000) == "-$0.42"
    assert fmt.usd(10_000_700_000) == "$10,000.70"
    assert fmt.usd(5_000) == "$0.00"  # half a cent rounds half-even
    assert fmt.price(5_400) == "$0.54"
    assert fmt.price(3_110) == "$0.311"
    assert fmt.usd_axis(-2.5) == "-$2.50"
    assert nice_ticks(10_000, 10_000.7) == [10_000.0, 10_000.2, 10_000.4, 10_000.6, 10_000.8]
    assert nice_ticks(3, 97) == [0.0, 25.0, 50.0, 75.0, 100.0]
    minute = T0 - T0 % 60_000  # ticks fall on whole UTC minutes
    assert time_ticks(T0, T0 + 360_000) == list(range(minute + 60_000, T0 + 360_001, 60_000))


def test_astra_report_writes_into_the_data_dir_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with JournalStore.open(journal_path(tmp_path)) as store:
        config = json.loads(_manifest().config_json)
        open_run(store, run_id="run-1", started_ms=0, code_version="t", config=config)
        store.write_batch(
            [
                f.fill("m", 1, "f1", "o1"),
                f.ledger("risk", 1, cash=f.OPENING_CASH - 4_000_000, fills=1,
                         positions={f.YES: {"size": 10_000_000, "cost": 4_000_000}}),
                f.decision("m", 2, action="PLACE"),
                f.decision("m", 3, action="SKIP", run_id="other-run"),
            ]
        )  # fmt: skip
    assert main(["report", "--data-dir", str(tmp_path)]) == 0
    out = Path(capsys.readouterr().out.strip())
    assert out == tmp_path / "reports" / "report-run-1.html"
    html = out.read_text()
    assert "Astra report: run-1" in html
    assert "Will it rain &lt;tomorrow&gt;?" in html
    assert main(["report", "--data-dir", str(tmp_path), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["run"] == "run-1"
    assert len(body["model"]["fills"]) == 1
    assert body["model"]["run"]["run_id"] == "run-1"
    assert main(["report", "nope", "--data-dir", str(tmp_path)]) == 1
    assert "no run 'nope'" in capsys.readouterr().err


def test_astra_report_without_a_journal_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--data-dir", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("astra report: ")
    assert "\n" not in err
