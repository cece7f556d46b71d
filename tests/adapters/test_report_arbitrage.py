"""The report's arbitrage section and the summary, from journaled EventActor transitions."""

from __future__ import annotations

from astra.actors.outbox import Outbox
from astra.adapters.report.html import render_report
from astra.app.report_model import build_report, decision_funnel
from astra.app.summary import summarise
from astra.domain.arb_log import OpportunityLog
from astra.domain.arbitrage import OutcomeBooks, TokenSide, parity
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import FeeSchedule

SH = 1_000_000


def _books(cid: str, no_ask: int, depth: int) -> OutcomeBooks:
    return OutcomeBooks(
        cid,
        cid.upper(),
        TokenSide(f"{cid}-y", (), ((4000, depth * SH),)),
        TokenSide(f"{cid}-n", (), ((no_ask, depth * SH),)),
        FeeSchedule.free(),
    )


def _records() -> list[JournalRecord]:
    box = Outbox("arb:ev")
    log = OpportunityLog()
    out: list[JournalRecord] = []
    steps = [
        (0, [_books("a", 5000, 10)]),  # a opens: 10 × 0.10 = 1 USD
        (300, [_books("a", 5000, 10), _books("b", 5500, 4)]),  # b opens: 4 × 0.05 = 0.2
        (1_300, [_books("b", 5500, 4)]),  # a closes after 1.3 s
        (3_300, []),  # b closes after 3 s
        (4_000, [_books("a", 5900, 20)]),  # a again: 20 × 0.01 = 0.2, left open
    ]
    for ts, books in steps:
        found = [o for b in books for o in parity(b)]
        for t in log.update(found, ts):
            payload = t.payload() | {"run_id": "r", "definition_hash": None, "schema_version": 1}
            out.append(box.append(RecordKind.DECISION, ts, None, payload))
    return out


def test_summary_counts_each_episode_once_and_keeps_arb_out_of_evaluations() -> None:
    records = _records()
    summary = summarise(records)
    assert summary["evaluations"] == 0
    assert summary["decisions"] == {}
    arb = summary["arbitrage"]
    assert arb["opportunities"] == 3
    assert arb["open"] == 1
    assert arb["capturable_net_micros"] == 1_000_000 + 200_000 + 200_000
    assert arb["median_net_per_share_micros"] == 50_000  # 0.10, 0.05, 0.01 per share
    assert arb["duration_ms"] == {"p50": 1_300, "p90": 3_000, "max": 3_000}
    assert decision_funnel(records)[0] == ("evaluations", 0)


def test_report_section_shows_the_figures() -> None:
    model = build_report(_records(), "arb run")
    assert model.arbitrage["opportunities"] == 3
    page = render_report(model)
    section = page[page.index('<section id="arbitrage">') :]
    assert "3 (1 still open)" in section
    assert "parity_buy 3" in section
    assert "500.00 pips per share" in section
    assert "1,300 ms / 3,000 ms / 3,000 ms" in section
    assert "1.400000" in section or "1.40" in section


def test_no_arbitrage_is_said_plainly() -> None:
    page = render_report(build_report([], "empty"))
    assert "No arbitrage was measured" in page


def test_escalations_are_counted_by_reason_and_only_filled_takes_realise() -> None:
    records = _records()
    box = Outbox("arb:ev2")
    extra = [
        {"action": "arb_escalate", "reason": "taker_sent", "key": "k", "cost": 5},
        {"action": "arb_escalate", "reason": "budget_day_exhausted", "key": "k", "cost": 0},
        {"action": "arb_take", "reason": "taker_filled", "key": "k", "net": 300_000},
        {"action": "arb_take", "reason": "taker_leg_missed", "key": "k", "net": None},
    ]
    for i, payload in enumerate(extra):
        meta = {"run_id": "r", "definition_hash": None, "schema_version": 1}
        records.append(box.append(RecordKind.DECISION, 5_000 + i, None, payload | meta))
    model = build_report(records, "arb run")
    taken = model.arbitrage["escalation"]
    assert taken == {
        "decisions": {"budget_day_exhausted": 1, "taker_sent": 1},
        "takes": {"taker_filled": 1, "taker_leg_missed": 1},
        "realised_net_micros": 300_000,
    }
    page = render_report(model)
    assert "taker_leg_missed 1" in page


def test_journal_metrics_leave_arb_records_to_the_event_actors_own_metrics() -> None:
    """`astra_decisions_total` counts strategy evaluations; the EventActors' transitions are
    `astra_arb_*` (counted by the EventActor), never a decision with an `arb_*` action."""
    from astra.app.journal_metrics import publish_record
    from astra.domain.metrics_port import DECISIONS_TOTAL, CountingMetrics

    metrics = CountingMetrics()
    arb = _records()
    assert arb
    for record in arb:
        publish_record(metrics, record)
    assert metrics.counter_sum(DECISIONS_TOTAL) == 0
    strategy = JournalRecord.build(
        "market:0xa", 1, RecordKind.DECISION, 0, "0xa", {"action": "quote", "gates": []}
    )
    publish_record(metrics, strategy)
    assert metrics.counter_sum(DECISIONS_TOTAL) == 1
