"""The decision funnel and P&L per strategy, from the committed journal alone.

A market belongs to the strategy named in its decision records (the last one, should a
restart have changed it). Per strategy: markets, evaluations, decisions by action, vetoes by
gate and reason (the strategy's own skip/withdraw reason under `strategy`, a failed
definition verdict under `definition`, and the first failing gate of every placement chain:
`ev`, `risk`, ...), orders placed (distinct order ids not rejected), fills, filled shares,
and P&L: its fills and its markets' settlements replayed, in journal order, into a ledger of
its own (open positions at cost; the journal holds no marks), realised and fees. A settlement
is the market's RISK_EVENT `market_resolved` (see `astra.actors.settlements`); a market has
one strategy, so the strategies' realised P&L adds up to the run ledger's `realised`.

`pnl_by_market` is the same accounting per market (the HTML report's P&L bars): realised P&L
including settlements, fees out, plus open positions at cost, so the markets add up to the
run's equity change at cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from astra.actors.settlements import resolution_from_record
from astra.adapters.journal.recovery import to_fill
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.ledger import Ledger, LedgerError
from astra.domain.prices import SIZE_SCALE
from astra.domain.trading import Settlement

_MICROS = Decimal(1_000_000)
UNKNOWN = "unknown"  # fills/orders of a market that never journaled a decision


@dataclass(slots=True)
class _Funnel:
    markets: set[str] = field(default_factory=set)
    evaluations: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    vetoes: dict[str, Counter[str]] = field(default_factory=dict)
    orders: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    fills: list[JournalRecord] = field(default_factory=list)
    book: list[JournalRecord | Settlement] = field(default_factory=list)  # journal order

    def veto(self, gate: str, reason: str | None) -> None:
        self.vetoes.setdefault(gate, Counter())[reason or "unnamed"] += 1

    def decision(self, data: dict[str, Any]) -> None:
        self.evaluations += 1
        self.actions[str(data.get("action", "?"))] += 1
        if data.get("veto") is not None:
            self.veto("strategy", str(data["veto"]))
        definition = data.get("definition")
        if isinstance(definition, dict) and not definition.get("passed", True):
            self.veto("definition", definition.get("reason"))
        for gate in data.get("gates", []):
            if not gate.get("passed", True) and gate.get("gate") != "definition":
                self.veto(str(gate.get("gate")), gate.get("reason"))


def usd(micros: int) -> str:
    return str((Decimal(micros) / _MICROS).quantize(Decimal("0.000001")))


def strategy_of_markets(records: Iterable[JournalRecord]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for record in records:
        if record.kind is RecordKind.DECISION and record.market:
            owners[record.market] = str(record.data().get("strategy", UNKNOWN))
    return owners


def funnel(records: Collection[JournalRecord]) -> dict[str, dict[str, Any]]:
    owners = strategy_of_markets(records)
    per: dict[str, _Funnel] = {}
    for record in records:
        if record.market is None:
            continue
        entry = per.setdefault(owners.get(record.market, UNKNOWN), _Funnel())
        entry.markets.add(record.market)
        _count(entry, record)
    return {name: _render(entry) for name, entry in sorted(per.items())}


def _count(entry: _Funnel, record: JournalRecord) -> None:
    if record.kind is RecordKind.DECISION:
        entry.decision(record.data())
    elif record.kind is RecordKind.ORDER_EVENT:
        data = record.data()
        entry.orders.add(data["order_id"])
        if data["state"] == "rejected":
            entry.rejected.add(data["order_id"])
    else:
        if record.kind is RecordKind.FILL:
            entry.fills.append(record)
        item = _book_item(record)
        if item is not None:
            entry.book.append(item)


def _book_item(record: JournalRecord) -> JournalRecord | Settlement | None:
    """What a record puts in a P&L book: a fill, a market's settlement, or nothing."""
    if record.kind is RecordKind.FILL:
        return record
    return resolution_from_record(record)


def _replay(book: Sequence[JournalRecord | Settlement]) -> Ledger:
    """A ledger from zero cash over the book's fills and settlements, in order; complete
    YES+NO pairs merge after every fill, as the RiskActor's ledger merges them."""
    ledger = Ledger(0)
    for item in book:
        if isinstance(item, Settlement):
            ledger.settle(item)
        else:
            fill = to_fill(item)
            if ledger.apply_fill(fill):
                ledger.merge_pairs(fill.market, fill.ts_ms)
    return ledger


def pnl_by_market(records: Sequence[JournalRecord]) -> dict[str, int]:
    """Per market, micro-USD: realised P&L (settlements included) net of fees, plus open
    positions at cost. Markets without fills, and any whose book the ledger rejects, are
    left out."""
    books: dict[str, list[JournalRecord | Settlement]] = {}
    for record in records:
        item = _book_item(record) if record.market else None
        if item is not None and record.market:
            books.setdefault(record.market, []).append(item)
    pnl: dict[str, int] = {}
    for market, book in sorted(books.items()):
        if all(isinstance(item, Settlement) for item in book):
            continue
        try:
            ledger = _replay(book)
        except LedgerError:
            continue
        pnl[market] = ledger.cash + sum(p.cost for p in ledger.positions.values())
    return pnl


def _render(entry: _Funnel) -> dict[str, Any]:
    distinct = {r.data()["fill_id"]: r for r in entry.fills}
    shares = sum(int(r.data()["size"]) for r in distinct.values())
    return {
        "markets": len(entry.markets),
        "evaluations": entry.evaluations,
        "actions": dict(sorted(entry.actions.items())),
        "vetoes": {g: dict(sorted(c.items())) for g, c in sorted(entry.vetoes.items())},
        "orders": len(entry.orders - entry.rejected),
        "rejected": len(entry.rejected),
        "fills": len(distinct),
        "filled_shares": str(Decimal(shares) / SIZE_SCALE),
        "pnl": _pnl(entry.book),
    }


def _pnl(book: list[JournalRecord | Settlement]) -> dict[str, Any]:
    """Fills (a repeated fill id counts once) and settlements (once per market) in order."""
    try:
        ledger = _replay(book)
    except LedgerError as exc:
        return {"unavailable": f"ledger_error: {exc}"}
    at_cost = sum(p.cost for p in ledger.positions.values())
    return {
        "realised_usd": usd(ledger.realized),
        "fees_usd": usd(ledger.fees_paid),
        "open_cost_usd": usd(at_cost),
        "pnl_at_cost_usd": usd(ledger.cash + at_cost),
    }
