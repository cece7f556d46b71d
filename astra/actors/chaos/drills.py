"""The root death drill: the whole tree dies, the journal must show it halted first.

The root has no parent: when it escalates (here: its own death handling raises) the process
exits with code 1 and the next process is the restart. So the drill rests orders in every
market, kills the root, then checks from the journal alone that the halt was journaled and
that no order is open, and then starts a fresh engine on the same journal (the restart)
watched by a `RestartAudit`-style read: it must come up with zero open orders, halted.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.faults import ChaosFaults
from astra.actors.chaos.journal_checks import halt_first_in_journal
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import ROOT, Engine, EngineParts, WallClock
from astra.actors.market_actor import market_producer
from astra.actors.market_state import open_orders_from_journal
from astra.actors.ports import JournalOpener, JournalReader
from astra.actors.runtime.runtime_messages import Crash
from astra.actors.runtime.tally import MessageTally
from astra.domain.journal_record import RecordKind
from astra.domain.metrics_port import CountingMetrics


def _open_orders(reader: JournalReader, names: list[str]) -> int:
    return sum(len(open_orders_from_journal(reader.producer_records(n))) for n in names)


def _wait(predicate: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def root_drill(open_journal: JournalOpener, markets: int = 4) -> dict[str, Any]:
    infos = synthetic_markets(markets)
    names = [market_producer(m.condition_id) for m in infos]
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="astra-root-drill-") as tmp:
        path = Path(tmp) / "journal.sqlite3"
        store = open_journal(path)
        faults = ChaosFaults(MessageTally())
        engine = _engine(infos, store, faults)
        engine.start()
        try:
            _wait(engine.all_healthy, 5.0)
            engine.resume("drill")
            stream = SyntheticStream(infos, 1)
            for _ in range(10 * markets):
                for event in stream.step(stream.pick(), engine.clock.now_ms()):
                    engine.feed(event)
            engine.drain(5.0)
            figures["resting_before"] = _open_orders(store, names)
            faults.arm_crash(ROOT)
            engine.router.tell("risk", Crash("root drill"))
            root = engine.root
            figures["root_escalated"] = root is not None and root.escalated.wait(5.0)
            figures["exit_code"] = None if root is None else root.exit_code
        finally:
            engine.shutdown(5.0)
        figures["open_after_root_death"] = _open_orders(store, names)
        halts = store.records_since(0, [RecordKind.HALT])
        figures["halt_journaled"] = any(
            s.record.producer == "supervision" and s.record.data().get("state") == "halted"
            for s in halts
        )
        # The restart: a new tree on the same journal.
        restarted = _engine(infos, store, ChaosFaults(MessageTally()))
        restarted.start()
        try:
            figures["restart_healthy"] = _wait(restarted.all_healthy, 5.0)
            restarted.drain(5.0)
            status = restarted.risk_status()
            figures["restart_state"] = None if status is None else status.state
            figures["open_after_restart"] = _open_orders(store, names)
        finally:
            restarted.shutdown(5.0)
        walk = halt_first_in_journal(store.records_since(0))
        figures["journal_walk_violations"] = walk.figures["violations"]
        store.close()
    return figures


def root_drill_ok(figures: dict[str, Any]) -> bool:
    return bool(
        figures["resting_before"] > 0
        and figures["root_escalated"]
        and figures["exit_code"] == 1
        and figures["halt_journaled"]
        and figures["open_after_root_death"] == 0
        and figures["restart_healthy"]
        and figures["restart_state"] == "halted"
        and figures["open_after_restart"] == 0
        and figures["journal_walk_violations"] == 0
    )


def _engine(infos: Any, store: Any, faults: ChaosFaults) -> Engine:
    return Engine(
        infos,
        store,
        SyntheticStream(infos, 0),
        clock=WallClock(),
        metrics=CountingMetrics(),
        config=chaos_engine_config(),
        parts=EngineParts(faults=faults),
    )
