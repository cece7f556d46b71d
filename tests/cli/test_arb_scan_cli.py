"""`astra arb scan` on snapshots built from the real Gamma event and CLOB book fixtures.

Each case changes only the outcomes' ids and titles (cloned from the real event's market
objects), the fee schedule (the real Newsom `feeSchedule`: rate 0.04, exponent 1) and the
book levels (in the real `/book` shape); every expected figure is computed by hand.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from astra.cli.main import main
from tests.adapters.loopback_http import CLOB, GAMMA, load_json

Levels = list[tuple[str, str]]


def _event(n: int, *, fees: bool = False) -> dict[str, Any]:
    event = copy.deepcopy(load_json(GAMMA / "event_democratic_nominee_2028.json")[0])
    template = event["markets"][0]
    newsom = load_json(GAMMA / "market_newsom_2028_neg_risk_fees_enabled.json")
    markets = []
    for i in range(n):
        m = copy.deepcopy(template)
        m["id"] = str(900_000 + i)
        m["conditionId"] = "0x" + f"{i + 1:02x}" * 32
        m["clobTokenIds"] = json.dumps([str(1000 + 2 * i), str(1001 + 2 * i)])
        m["groupItemTitle"] = f"Candidate {i}"
        if fees:
            m["feesEnabled"] = True
            m["feeSchedule"] = newsom["feeSchedule"]
        markets.append(m)
    event["markets"] = markets
    return event


def _book(token: str, cid: str, bids: Levels, asks: Levels) -> dict[str, Any]:
    book: dict[str, Any] = copy.deepcopy(load_json(CLOB / "book_empty_ask_neg_risk_2026-08.json"))
    book["asset_id"] = token
    book["market"] = cid
    # The venue lists the best level last: keep that order to exercise the mapper's sort.
    book["bids"] = [{"price": p, "size": s} for p, s in sorted(bids)]
    book["asks"] = [{"price": p, "size": s} for p, s in sorted(asks, reverse=True)]
    return book


def _snapshot(event: dict[str, Any], yes: list[Levels], no: list[Levels], **extra: Any) -> Any:
    books = []
    for m, yes_asks, no_asks in zip(event["markets"], yes, no, strict=True):
        y, n = json.loads(m["clobTokenIds"])
        books.append(
            _book(y, m["conditionId"], asks=yes_asks, bids=extra.get("bids", {}).get(y, []))
        )
        books.append(
            _book(n, m["conditionId"], asks=no_asks, bids=extra.get("bids", {}).get(n, []))
        )
    snap: dict[str, Any] = {"event": event, "books": books}
    if "held" in extra:
        snap["held"] = extra["held"]
    return snap


def _scan(tmp_path: Path, snapshot: Any, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot))
    assert main(["arb", "scan", str(path), "--json"]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_fee_free_two_outcome_yes_sum(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = _event(2)
    snap = _snapshot(event, [[("0.40", "100")], [("0.55", "100")]], [[], []])
    out = _scan(tmp_path, snap, capsys)
    assert out["neg_risk"] is True
    [opp] = out["opportunities"]
    assert opp["kind"] == "event_buy_yes"
    assert opp["size"] == "100"
    assert opp["gross_micros"] == 5_000_000  # 100 × (1 − 0.95)
    assert opp["fee_micros"] == 0
    assert opp["net_micros"] == 5_000_000
    assert [leg["outcome"] for leg in opp["legs"]] == ["Candidate 0", "Candidate 1"]


def test_fee_enabled_parity_and_yes_sum(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = _event(2, fees=True)
    # Market 0: YES 0.45 + NO 0.50 = 0.95 (parity); YES sum 0.45 + 0.50 = 0.95 (event).
    snap = _snapshot(event, [[("0.45", "10")], [("0.50", "10")]], [[("0.50", "10")], []])
    out = _scan(tmp_path, snap, capsys)
    by_kind = {o["kind"]: o for o in out["opportunities"]}
    assert sorted(by_kind) == ["event_buy_yes", "parity_buy"]
    # Fees 10 × 0.04 × 0.45 × 0.55 = 0.099 and 10 × 0.04 × 0.25 = 0.1 on both.
    for kind in ("parity_buy", "event_buy_yes"):
        assert by_kind[kind]["gross_micros"] == 500_000
        assert by_kind[kind]["fee_micros"] == 199_000
        assert by_kind[kind]["net_micros"] == 301_000
        assert by_kind[kind]["net_per_share_micros"] == 30_100
    assert out["total_net_micros"] == 602_000


def test_six_outcomes_depth_limits_the_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(6)
    yes = [[("0.15", "40"), ("0.16", "100")] for _ in range(5)] + [[("0.20", "25")]]
    snap = _snapshot(event, yes, [[] for _ in range(6)])
    [opp] = _scan(tmp_path, snap, capsys)["opportunities"]
    # 0.15 × 5 + 0.20 = 0.95; only 25 shares of the sixth outcome exist.
    assert opp["size"] == "25"
    assert opp["net_micros"] == 25 * 50_000
    assert all(leg["levels"] == [["0.15", "25"]] for leg in opp["legs"][:5])


def test_a_sum_of_exactly_one_is_not_an_opportunity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(4)
    yes = [[("0.25", "100")] for _ in range(4)]
    out = _scan(tmp_path, _snapshot(event, yes, [[] for _ in range(4)]), capsys)
    assert out["opportunities"] == []
    assert out["vetoes"] == []


def test_a_one_sided_leg_blocks_the_event_sum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(3)
    yes = [[("0.20", "100")], [("0.20", "100")], []]  # outcome 2 has no ask at all
    out = _scan(tmp_path, _snapshot(event, yes, [[], [], []]), capsys)
    assert out["opportunities"] == []


def test_three_outcome_no_sum_and_conversion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(3)
    tokens = [json.loads(m["clobTokenIds"]) for m in event["markets"]]
    no = [[("0.60", "10")], [("0.60", "10")], [("0.70", "10")]]
    # YES bids of outcomes 1 and 2: 0.30 + 0.32 = 0.62 > NO ask 0.60 of outcome 0.
    bids = {tokens[1][0]: [("0.30", "5")], tokens[2][0]: [("0.32", "50")]}
    out = _scan(tmp_path, _snapshot(event, [[], [], []], no, bids=bids), capsys)
    by_kind = {o["kind"]: o for o in out["opportunities"]}
    assert sorted(by_kind) == ["event_buy_no", "event_convert"]
    assert by_kind["event_buy_no"]["net_micros"] == 1_000_000  # 10 × (2 − 1.90)
    convert = by_kind["event_convert"]
    assert convert["pivot"] == event["markets"][0]["conditionId"]
    assert convert["size"] == "5"
    assert convert["net_micros"] == 100_000  # 5 × (0.62 − 0.60)


def test_parity_sell_counts_only_held_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(2)
    y, n = json.loads(event["markets"][0]["clobTokenIds"])
    bids = {y: [("0.55", "100")], n: [("0.50", "100")]}
    snap = _snapshot(event, [[], []], [[], []], bids=bids)
    assert _scan(tmp_path, snap, capsys)["opportunities"] == []
    snap["held"] = {y: "12", n: "30"}
    [opp] = _scan(tmp_path, snap, capsys)["opportunities"]
    assert opp["kind"] == "parity_sell"
    assert opp["size"] == "12"
    assert opp["net_micros"] == 12 * 50_000


def test_a_missing_book_vetoes_the_event_sums_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event(3)
    snap = _snapshot(event, [[("0.20", "100")]] * 3, [[], [], []])
    snap["books"] = snap["books"][:4]  # the third outcome's books are missing
    out = _scan(tmp_path, snap, capsys)
    assert out["opportunities"] == []
    assert [v["reason"] for v in out["vetoes"]] == ["incomplete_event"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("not json", "not JSON"),
        ("[]", "expected a JSON object"),
        ("[" * 40 + "]" * 40, "expected a JSON object"),
        ('{"event": ' + "[" * 40 + "]" * 40 + "}", "nested more than 32 deep"),
        ('{"books": []}', "'event' must be"),
        ('{"event": {"markets": [{"id": "1"}]}, "books": []}', "event market 0"),
        ("BOOK_UNKNOWN", "is not in the event"),
        ("BOOK_BAD_PRICE", "books[0]"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, needle: str
) -> None:
    if body.startswith("BOOK_"):
        snap = _snapshot(_event(2), [[("0.40", "1")], []], [[], []])
        if body == "BOOK_UNKNOWN":
            snap["books"][0]["asset_id"] = "424242"
        else:
            snap["books"][0]["asks"] = [{"price": "1.5", "size": "1"}]
        body = json.dumps(snap)
    path = tmp_path / "snap.json"
    path.write_text(body)
    assert main(["arb", "scan", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert needle in lines[0]


def test_text_output_names_each_opportunity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    path.write_text(
        json.dumps(_snapshot(_event(2), [[("0.40", "10")], [("0.50", "10")]], [[], []]))
    )
    assert main(["arb", "scan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "event_buy_yes:" in out
    assert "net 1 USD" in out
