"""`DomainRiskBook`: the decision domain's RiskState (with its Ledger) as the RiskActor's
`RiskBook` port. A thin translation: halts added by a fill are reported back as the reason,
and the ledger is rendered as the journal's LEDGER payload (docs/journal.md: with
`opening_cash`, `fills` — distinct fills applied — `settled`, the cumulative settlement
payout per token, and `merged`, the cumulative YES+NO pairs merged per market, so the journal
alone recomputes the ledger) and a stable digest.
`settle` books a resolved market's payout (realised P&L) into the ledger.

`MarkedRiskBook` is the optional extension the RiskActor uses when a book has it: marks
(token mids) move equity, so the daily-loss and drawdown halts see unrealised P&L, and
equity is published for the strategies' sizing. It is a separate Protocol so existing
`RiskBook`s keep working (without it, equity moves only with fills). `SettlingRiskBook` is
the same kind of extension for settlement; a book without it cannot settle, and the RiskActor
halts (`settlement_unsupported`) rather than keep trading on a ledger that holds positions of a
resolved market. `DurableRiskBook` restores the journaled risk state (high-water mark, day
start, cooldown, marks; docs/accounting.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from astra.domain.journal_record import canonical_json
from astra.domain.ledger import Ledger
from astra.domain.reasons import HaltReason
from astra.domain.risk import RiskState
from astra.domain.risk_limits import RiskLimits
from astra.domain.trading import Fill, OrderIntent, Settlement
from astra.domain.verdict import Verdict


@runtime_checkable
class MarkedRiskBook(Protocol):
    def apply_marks(self, marks: Mapping[str, int], now_ms: int) -> HaltReason | None:
        """New mids (pips); the halt reason the marks added (the book is then HALTED)."""
        ...

    def equity(self) -> int:
        """Cash plus positions at their latest marks (at cost when unmarked), micros."""
        ...


@runtime_checkable
class SettlingRiskBook(Protocol):
    def settle(self, settlement: Settlement, now_ms: int) -> HaltReason | None:
        """Pay out a resolved market (idempotent per market); the halt reason it added."""
        ...


@runtime_checkable
class DurableRiskBook(Protocol):
    def restore_durable(self, durable: Mapping[str, Any], now_ms: int) -> HaltReason | None:
        """Put back the `risk` block of the last equity record; the halt reason it added."""
        ...

    def rebase_peak(self, now_ms: int) -> None:
        """The operator's act: the current equity becomes the high-water mark."""
        ...


class DomainRiskBook:
    def __init__(self, limits: RiskLimits, initial_cash: int, now_ms: int) -> None:
        self.state = RiskState(limits, Ledger(initial_cash), now_ms)
        self._settled: dict[str, int] = {}  # asset id -> payout (micros), cumulative
        self._split: set[str] = set()  # markets settled 50/50 (both tokens paid 0.5)

    def is_halted(self) -> bool:
        return self.state.halted

    def state_name(self) -> str:
        return self.state.state.value

    def check_intent(self, intent: OrderIntent, now_ms: int) -> Verdict:
        return self.state.check_intent(intent, now_ms)

    def apply_fill(self, fill: Fill, now_ms: int) -> HaltReason | None:
        before = set(self.state.halts)
        self.state.on_fill(fill, now_ms)
        added = sorted(set(self.state.halts) - before)
        return added[0] if added else None

    def apply_marks(self, marks: Mapping[str, int], now_ms: int) -> HaltReason | None:
        before = set(self.state.halts)
        self.state.on_marks(marks, now_ms)
        added = sorted(set(self.state.halts) - before)
        return added[0] if added else None

    def equity(self) -> int:
        return self.state.equity

    def settle(self, settlement: Settlement, now_ms: int) -> HaltReason | None:
        """Pay out the resolved market's positions (realised P&L; settling twice changes
        nothing) and re-value equity; the halt reason the realised loss added, if any."""
        before = set(self.state.halts)
        for entry in self.state.ledger.settle(settlement):
            self._settled[entry.asset_id] = self._settled.get(entry.asset_id, 0) + entry.amount
        if settlement.split and self.state.ledger.is_settled(settlement.market):
            self._split.add(settlement.market)
        self.state.on_marks({}, now_ms)  # no new mids: equity, peak and loss halts refresh
        added = sorted(set(self.state.halts) - before)
        return added[0] if added else None

    def halt(self, reason: HaltReason, now_ms: int, detail: str) -> bool:
        return self.state.halt(reason, now_ms, detail)

    def resume(self, now_ms: int, operator: str) -> str | None:
        verdict = self.state.resume(now_ms, operator=True)
        return None if verdict.passed else f"{operator}: {verdict.detail}"

    def halt_reasons(self) -> list[str]:
        """The active halt reasons, sorted (for status; safe to call from another thread)."""
        return sorted(self.state.halts)

    def restore_durable(self, durable: Mapping[str, Any], now_ms: int) -> HaltReason | None:
        """Put back the journaled risk state (`RiskState.restore_durable`); the halt reason
        it re-established, if any. Malformed input raises ValueError."""
        before = set(self.state.halts)
        self.state.restore_durable(durable, now_ms)
        added = sorted(set(self.state.halts) - before)
        return added[0] if added else None

    def rebase_peak(self, now_ms: int) -> None:
        self.state.rebase_peak(now_ms)

    def ledger_payload(self) -> dict[str, Any]:
        """The LEDGER record, which is also the equity record: cash, fees, realised, the
        positions, and marked equity (`equity` = cash + `marked_value`; `unrealised` =
        `marked_value` - cost) with the durable risk state (`risk`)."""
        ledger = self.state.ledger
        snapshot = ledger.snapshot()
        durable = self.state.durable()
        marks = durable["marks"]
        marked = sum(ledger.position_value(a, marks) for a in ledger.positions)
        payload: dict[str, Any] = {
            "equity": ledger.cash + marked,
            "marked_value": marked,
            "unrealised": ledger.unrealized(marks),
            "risk": durable,
            "cash": ledger.cash,
            "fees": ledger.fees_paid,
            "realised": ledger.realized,
            "opening_cash": ledger.initial_cash,
            "fills": len(snapshot["seen_fills"]),
            "settled": dict(sorted(self._settled.items())),
            "merged": dict(sorted(ledger.merged.items())),
            "positions": {
                asset: {"market": p.market, "size": p.size, "cost": p.cost}
                for asset, p in sorted(ledger.positions.items())
            },
        }
        if self._split:  # absent without a 50/50, so older payloads stay byte-identical
            payload["split_markets"] = sorted(self._split)
        return payload

    def digest(self) -> str:
        text = canonical_json(self.state.ledger.snapshot())
        return hashlib.sha256(text.encode()).hexdigest()[:16]
