"""Every chaos invariant can fail: each is fed a journal (or figures) that breaks it on
purpose, and the same input with the defect removed, and must tell them apart.

A chaos suite whose checks cannot fail proves nothing (issue 15: (h) compared digests with
no events between them, (c) counted callbacks that fired with nothing canceled).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from astra.actors.chaos.checks import (
    Invariant,
    accounting,
    no_duplicates,
    no_submit_while_halted,
    orders_digest_rows,
    state_equals_replay,
)
from astra.actors.chaos.drills import root_drill_ok
from astra.actors.chaos.final import (
    halt_before_restart,
    isolation,
    missing_cancels,
    observability_ok,
    poison_check,
    silence_check,
)
from astra.actors.chaos.injectors import InfraFigures
from astra.actors.chaos.journal_checks import (
    RestartAudit,
    event_deaths_in_journal,
    global_halt_reaches_every_market,
    halt_first_in_journal,
)
from astra.actors.halt_fanout import FanOutResult
from astra.actors.halt_protocol import HaltEntry
from astra.domain.journal_record import JournalRecord, RecordKind

A = "market:0xa"
B = "market:0xb"


@dataclass(frozen=True)
class Stored:
    id: int
    record: JournalRecord


class Journal:
    """Hand-built records in commit order (ids 1, 2, 3...), per-producer sequences."""

    def __init__(self) -> None:
        self.rows: list[Stored] = []
        self._seq: dict[str, int] = {}

    def add(self, producer: str, kind: RecordKind, **data: Any) -> Journal:
        seq = self._seq.get(producer, 0) + 1
        self._seq[producer] = seq
        record = JournalRecord.build(producer, seq, kind, 0, None, data)
        self.rows.append(Stored(len(self.rows) + 1, record))
        return self

    def order(self, producer: str, oid: str, state: str, reason: str) -> Journal:
        return self.add(
            producer,
            RecordKind.ORDER_EVENT,
            order_id=oid,
            state=state,
            reason=reason,
            price=5000,
            size=1,
            filled=0,
        )

    def marker(self, producer: str, state: str, reason: str) -> Journal:
        return self.add(producer, RecordKind.RISK_EVENT, state=state, reason=reason)

    def halt(self) -> Journal:
        return self.add("risk", RecordKind.HALT, state="halted", reason="actor_failure")

    # Reading back, as a JournalReader.
    def records_since(self, after_id: int = 0, kinds: Any = None, limit: Any = None) -> list[Any]:
        return [
            s for s in self.rows if s.id > after_id and (kinds is None or s.record.kind in kinds)
        ]

    def records(self) -> list[JournalRecord]:
        return [s.record for s in self.rows]


def _trading() -> Journal:
    """Both markets start, resume and rest one order each."""
    j = Journal()
    for m in (A, B):
        j.marker(m, "halted", "restart")
    for m in (A, B):
        j.marker(m, "active", "resume")
        j.order(m, f"{m}-1", "pending_new", "submitted")
    return j


def test_j_restart_with_an_order_still_open_fails() -> None:
    good = _trading().halt()
    good.marker(A, "halted", "halt").order(A, f"{A}-1", "canceled", "halt")
    good.marker(B, "halted", "halt").order(B, f"{B}-1", "canceled", "halt")
    good.marker(A, "halted", "restart")
    assert halt_first_in_journal(good.rows).ok
    bad = _trading().halt()
    bad.marker(A, "halted", "halt").order(A, f"{A}-1", "canceled", "halt")
    bad.marker(A, "halted", "restart")  # B's order is still open when A restarts
    bad.marker(B, "halted", "halt").order(B, f"{B}-1", "canceled", "halt")
    check = halt_first_in_journal(bad.rows)
    assert not check.ok
    assert check.figures["violations"] == 1


def test_j_first_submit_after_a_halt_with_an_old_order_open_fails() -> None:
    bad = _trading().halt()
    bad.marker(A, "halted", "halt").order(A, f"{A}-1", "canceled", "halt")
    bad.marker(A, "active", "resume").order(A, f"{A}-2", "pending_new", "submitted")
    assert not halt_first_in_journal(bad.rows).ok  # B's pre-halt order is still open
    good = _trading().halt()
    good.marker(A, "halted", "halt").order(A, f"{A}-1", "canceled", "halt")
    good.marker(B, "halted", "halt").order(B, f"{B}-1", "canceled", "halt")
    good.marker(A, "active", "resume").order(A, f"{A}-2", "pending_new", "submitted")
    assert halt_first_in_journal(good.rows).ok


def test_k_a_halt_that_misses_a_market_fails() -> None:
    bad = _trading().halt()
    bad.marker(A, "halted", "halt")
    assert not global_halt_reaches_every_market(bad.rows, [A, B]).ok
    bad.marker(B, "halted", "halt")
    assert global_halt_reaches_every_market(bad.rows, [A, B]).ok


def test_l_restart_audit_fails_when_the_journal_shows_an_open_order() -> None:
    j = _trading()
    audit = RestartAudit(j)  # type: ignore[arg-type]
    for name in (A, B, "risk"):
        audit.on_start(name, 1)  # first starts are no restarts
    audit.on_start("risk", 2)
    assert not audit.invariant().ok
    clean = Journal().marker(A, "halted", "restart")
    audit = RestartAudit(clean)  # type: ignore[arg-type]
    audit.on_start(A, 1)
    audit.on_start(A, 2)
    assert audit.invariant().ok
    assert audit.checked == 1


def test_a_restart_before_its_halt_fails() -> None:
    entry = HaltEntry(A, "market", 1, "tell_exception", 1, True, 0, 10.0, 11.0, 11.5)
    assert halt_before_restart([entry], [(A, 2, 12.0)]).ok
    assert not halt_before_restart([entry], [(A, 2, 10.5)]).ok


def test_b_a_submit_while_the_market_is_halted_fails() -> None:
    good = _trading()
    assert no_submit_while_halted(good.records()).ok
    bad = _trading().marker(A, "halted", "halt").order(A, f"{A}-9", "pending_new", "submitted")
    assert not no_submit_while_halted(bad.records()).ok


def test_d_live_orders_that_differ_from_the_journal_fail() -> None:
    j = _trading()
    rows = [r for r in j.records() if r.producer == A]
    digest = orders_digest_rows(rows)
    assert state_equals_replay(j.records(), {A: digest}, "x", "x").ok
    assert not state_equals_replay(j.records(), {A: "something else"}, "x", "x").ok
    assert not state_equals_replay(j.records(), {A: digest}, "x", "y").ok


def test_e_unbalanced_message_accounting_fails() -> None:
    assert accounting({"FeedEvent": (10, 7, 2, 1, 0)}).ok
    assert not accounting({"FeedEvent": (10, 7, 2, 0, 0)}).ok


def test_f_a_duplicate_submit_fails() -> None:
    j = _trading()
    assert no_duplicates(j.records()).ok
    j.order(A, f"{A}-1", "pending_new", "submitted")
    assert not no_duplicates(j.records()).ok


def test_h_isolation_fails_on_a_mismatch_or_when_nothing_moved() -> None:
    assert isolation({"checks": 3, "mismatched": 0, "moved": 3, "restarted": 0}).ok
    assert not isolation({"checks": 3, "mismatched": 1, "moved": 3, "restarted": 0}).ok
    # Digests that never moved prove nothing: events were fed between the snapshots.
    assert not isolation({"checks": 3, "mismatched": 0, "moved": 2, "restarted": 0}).ok


def test_o_root_drill_fails_on_any_open_order_or_a_missing_halt() -> None:
    good = {
        "resting_before": 4,
        "root_escalated": True,
        "exit_code": 1,
        "halt_journaled": True,
        "open_after_root_death": 0,
        "restart_healthy": True,
        "restart_state": "halted",
        "open_after_restart": 0,
        "journal_walk_violations": 0,
    }
    assert root_drill_ok(good)
    assert not root_drill_ok({**good, "open_after_root_death": 2})
    assert not root_drill_ok({**good, "halt_journaled": False})
    assert not root_drill_ok({**good, "resting_before": 0})  # nothing to cancel: vacuous


def test_invariant_reports_its_figures() -> None:
    inv = Invariant("z", "name", False, {"x": 1})
    assert inv.as_dict() == {"key": "z", "name": "name", "ok": False, "figures": {"x": 1}}


def test_c_a_halt_that_skipped_a_market_fails() -> None:
    fan = FanOutResult(confirmed=(B,), from_journal=(), given_up=())
    entry = HaltEntry(A, "market", 1, "x", 1, True, 0, 1.0, 1.1, 1.2, fan)
    assert missing_cancels(entry, [A, B]) == set()
    assert missing_cancels(entry, [A, B, "market:0xc"]) == {"market:0xc"}


def test_i_a_death_without_its_metric_or_log_line_fails() -> None:
    assert observability_ok(kills=3, failures=3, error_lines=3, halts=3)
    assert not observability_ok(kills=3, failures=2, error_lines=2, halts=2)
    assert not observability_ok(kills=3, failures=3, error_lines=2, halts=3)


def test_m_an_escaped_or_accepted_poison_frame_fails() -> None:
    assert poison_check(InfraFigures(poison_frames=4)).ok
    assert not poison_check(InfraFigures(poison_frames=4, poison_escaped=["Overflow"])).ok
    assert not poison_check(InfraFigures(poison_frames=4, poison_accepted=1)).ok
    assert not poison_check(InfraFigures()).ok  # no frame sent: proves nothing


def test_n_a_silence_that_leaves_orders_open_fails() -> None:
    assert silence_check(InfraFigures(silences=2)).ok
    assert not silence_check(InfraFigures(silences=2, silence_left_open=1)).ok


EV = "arb:e1"


def _arb(journal: Journal, action: str, generation: int, **extra: Any) -> Journal:
    return journal.add(
        EV, RecordKind.DECISION, action=action, key="k1", generation=generation, **extra
    )


def _event_halt(journal: Journal, generation: int) -> Journal:
    detail = f"event {EV} generation {generation}: tell"
    return journal.add(
        "risk", RecordKind.HALT, state="halted", reason="actor_failure", detail=detail
    )


def _event_life(*, halted: bool, closed_by_restart: bool) -> Journal:
    journal = _arb(Journal(), "arb_open", 1, opened_ms=0)
    if halted:
        _event_halt(journal, 1)
    if closed_by_restart:
        _arb(journal, "arb_close", 2, close_reason="restart", duration_ms=0)
    return _arb(journal, "arb_open", 2, opened_ms=0)


def test_p_event_death_must_halt_first_and_close_what_was_open() -> None:
    good = event_deaths_in_journal(_event_life(halted=True, closed_by_restart=True).rows, 1)
    assert good.ok, good.figures
    assert good.figures["closed_by_restart"] == 1
    assert good.figures["generations"] == 1
    no_halt = event_deaths_in_journal(_event_life(halted=False, closed_by_restart=True).rows, 1)
    assert not no_halt.ok
    assert "no HALT before" in no_halt.figures["first_violations"][0]
    left_open = event_deaths_in_journal(_event_life(halted=True, closed_by_restart=False).rows, 1)
    assert not left_open.ok
    assert "left open by a dead generation" in left_open.figures["first_violations"][0]
    # Fewer EventActor HALTs than EventActors killed: a death went unhalted.
    assert not event_deaths_in_journal(_event_life(halted=True, closed_by_restart=True).rows, 2).ok


def test_p_opportunity_log_must_be_well_formed() -> None:
    twice = _arb(_arb(Journal(), "arb_open", 1, opened_ms=0), "arb_open", 1, opened_ms=0)
    assert "opened twice" in event_deaths_in_journal(twice.rows, 0).figures["first_violations"][0]
    wrong = _arb(Journal(), "arb_open", 1, opened_ms=0)
    _arb(wrong, "arb_close", 1, duration_ms=5)
    assert not event_deaths_in_journal(wrong.rows, 0).ok
    right = _arb(Journal(), "arb_open", 1, opened_ms=0)
    _arb(right, "arb_close", 1, duration_ms=0)
    assert event_deaths_in_journal(right.rows, 0).ok
    orphan = _arb(Journal(), "arb_change", 1)
    assert not event_deaths_in_journal(orphan.rows, 0).ok
