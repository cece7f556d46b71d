"""The halt's cancel-all across every market, confirmed before anything restarts.

A `tell` to every market is not enough: a market that is dead (the markets pool supervisor
died, or ten markets died at once) refuses it, and a live market cancels asynchronously, so
its resting orders could still be open in the journal when a dead actor restarts. So the
halt protocol asks every market for its `CancelAll` at once and waits (bounded by one
deadline for all of them):

- a market that answers has canceled (its records are in its outbox; the protocol commits
  them straight away);
- a market with no live actor, or that dies before answering, is canceled from its journal
  (plus the records still in its outbox): a restarted generation rebuilds from exactly that;
- a market that does not answer in time is given up as stuck: its generation is abandoned
  (its mailbox closed, so it handles nothing more), reported to its supervisor, which halts
  and restarts it, and canceled from its journal now. Conservative: a slow market becomes a
  restart rather than a market that may still rest orders while another one restarts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pykka

from astra.actors.market_state import open_orders_from_journal
from astra.actors.messages import CancelAll
from astra.actors.outbox import Outboxes, with_pending
from astra.actors.ports import JournalReader
from astra.actors.runtime.runtime_messages import ChildDied, DeathCause
from astra.actors.runtime.tally import Router
from astra.domain.journal_record import RecordKind
from astra.domain.reasons import OrderReason

_log = logging.getLogger("astra.actors.halt")


@dataclass(frozen=True, slots=True)
class FanOutResult:
    confirmed: tuple[str, ...] = ()  # answered their CancelAll
    from_journal: tuple[str, ...] = ()  # dead: canceled from the journal
    given_up: tuple[str, ...] = ()  # did not answer in time: abandoned, canceled from journal
    journal_canceled: int = 0  # orders canceled from the journal across those markets


NO_FAN_OUT = FanOutResult()


def cancel_from_journal(
    reader: JournalReader, outboxes: Outboxes, name: str, market: str, now: int
) -> int:
    """Cancel (reason HALT) every order `name`'s journal and outbox still show open.

    Each order's last committed event, then the outbox's newer records: an order's last
    event decides whether it is open (its earlier events never can)."""
    box = outboxes.get(name)
    still_open = open_orders_from_journal(with_pending(reader.last_order_events(name), box))
    for data in still_open.values():
        payload = dict(data, state="canceled", reason=OrderReason.HALT.value)
        box.append(RecordKind.ORDER_EVENT, now, market, payload)
    return len(still_open)


class HaltFanOut:
    def __init__(
        self,
        router: Router,
        reader: JournalReader,
        outboxes: Outboxes,
        market_of: Callable[[str], str | None],
        timeout_s: float,
    ) -> None:
        self._router = router
        self._reader = reader
        self._outboxes = outboxes
        self._market_of = market_of
        self._timeout_s = timeout_s

    def run(self, markets: Sequence[str], halt_id: int, now: int) -> FanOutResult:
        asked: dict[str, tuple[pykka.Future[Any], int]] = {}
        dead: list[str] = []
        for name in markets:
            child = self._router.registry.get(name)
            future = self._router.ask_later(name, CancelAll(OrderReason.HALT, halt_id))
            if future is None or child is None:
                dead.append(name)
            else:
                asked[name] = (future, child.generation)
        deadline = time.monotonic() + self._timeout_s
        confirmed: list[str] = []
        slow: list[tuple[str, int]] = []
        for name, (future, generation) in asked.items():
            try:
                future.get(timeout=max(deadline - time.monotonic(), 0.0))
            except pykka.Timeout:
                slow.append((name, generation))
            except Exception:  # noqa: BLE001 - died while canceling: its death is reported
                dead.append(name)
            else:
                confirmed.append(name)
        given_up = [name for name, generation in slow if self._give_up(name, generation)]
        dead.extend(name for name, _ in slow if name not in given_up)
        canceled = 0
        for name in [*dead, *given_up]:
            market = self._market_of(name)
            if market is not None:
                canceled += cancel_from_journal(self._reader, self._outboxes, name, market, now)
        return FanOutResult(tuple(confirmed), tuple(dead), tuple(given_up), canceled)

    def _give_up(self, name: str, generation: int) -> bool:
        """Abandon a market that did not confirm in time; False if it ended meanwhile."""
        entry = self._router.registry.entry(name)
        if entry is None or entry.child.generation != generation:
            return False
        letters = entry.child.abandon()
        if letters is None:
            return False  # its end was claimed already: whoever claimed it reports it
        why = f"did not confirm the halt's cancel-all within {self._timeout_s:.3f}s"
        _log.error("halt: kind=market name=%s reason=stuck_handler %s", name, why)
        entry.report(ChildDied(name, entry.child.kind, generation, DeathCause.STUCK, why, letters))
        return True
