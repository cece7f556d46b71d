"""The EventActor's maker-then-taker escalation (off unless `[arb] escalation = true`).

Maker first: an opportunity is only escalated once it has stayed open `maker_wait_ms` (event
time) — the time its maker legs would have rested. This trader does not model those maker
fills, so it assumes none happened (the conservative reading: no free maker edge is
counted). Then the taker: `domain.arb_taker` decides on the consumable book within the
budgets, and the take executes at the first book update at or after its latency, against the
books as they are then. Both steps are DECISION records (`arb_escalate`, `arb_take`) with
their reason. A new generation re-charges its budgets from its journaled decisions, so a
restart never refills a spent budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from astra.domain.arb_log import OpportunityLog
from astra.domain.arb_taker import ArbTaker, EscalationConfig, EscalationDecision, settle_pips
from astra.domain.arb_walk import LegBook
from astra.domain.arbitrage import Opportunity, OutcomeBooks, TokenSide
from astra.domain.prices import Side

ESCALATE = "arb_escalate"
TAKE = "arb_take"


class EventEscalation:
    def __init__(self, config: EscalationConfig, maker_wait_ms: int) -> None:
        self.taker = ArbTaker(config)
        self._wait_ms = maker_wait_ms
        self._pending: list[EscalationDecision] = []
        self._tried: dict[str, tuple[int, int]] = {}  # key -> (size, net) last escalated

    def restore(self, journaled: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """Charge the budgets with every take earlier generations sent ((ts_ms, payload) in
        journal order; the budget's own day roll drops those of past days)."""
        for ts_ms, data in journaled:
            if data.get("action") == ESCALATE and data.get("reason") == "taker_sent":
                self.taker.budget.charge(str(data["key"]), int(data["cost"]), ts_ms)

    def on_update(
        self, log: OpportunityLog, books: Mapping[str, OutcomeBooks], now_ms: int
    ) -> list[dict[str, Any]]:
        """Execute the takes now due, then escalate what waited long enough; the records."""
        tokens = _tokens(books)
        out: list[dict[str, Any]] = []
        due = [d for d in self._pending if d.execute_at_ms <= now_ms]
        self._pending = [d for d in self._pending if d.execute_at_ms > now_ms]
        for decision in due:
            result = self.taker.execute(decision, tokens, now_ms)
            out.append({"action": TAKE} | result.payload())
        waiting = {d.key for d in self._pending}
        for opp, opened_ms in log.open_items():
            version = (opp.walk.size, opp.walk.net)
            if now_ms - opened_ms < self._wait_ms or opp.key in waiting:
                continue
            if self._tried.get(opp.key) == version:
                continue
            self._tried[opp.key] = version
            legs = _leg_books(opp, books)
            settle = settle_pips(opp.kind, len(legs))
            decision = self.taker.decide(opp.key, legs, settle, opp.walk.size, now_ms)
            if decision.walk is not None:
                self._pending.append(decision)
            out.append({"action": ESCALATE} | decision.payload())
        return out


def _tokens(books: Mapping[str, OutcomeBooks]) -> dict[str, TokenSide]:
    out: dict[str, TokenSide] = {}
    for market in books.values():
        out[market.yes.token] = market.yes
        out[market.no.token] = market.no
    return out


def _leg_books(opp: Opportunity, books: Mapping[str, OutcomeBooks]) -> list[LegBook]:
    legs = []
    for leg in opp.walk.legs:
        market = books[leg.condition_id]
        token = market.yes if market.yes.token == leg.token else market.no
        levels = token.asks if leg.side is Side.BUY else token.bids
        legs.append(
            LegBook(
                leg.token, leg.condition_id, leg.side, levels, market.fees, market.min_size,
                leg.label,
            )
        )  # fmt: skip
    return legs
