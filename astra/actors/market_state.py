"""One market's trading state, driven synchronously: the MarketActor's body without threads.

It owns both token books, toxicity, the optional definition contract, the strategy, the paper
orders and what it holds (`TokenPositions`). `on_event` runs the per-event pipeline of
docs/architecture.md, `on_spot` takes prints of the contract's underlying, `cancel_all` serves
halts. What it decides leaves through narrow doors: `JournalSink` (records, via the outbox),
`RiskGateway` (approval asks, fill reports) and `MarketInputs.marks` (token mids). Free of
pykka, so replays and unit tests drive the exact code the actor runs.

No contract (when required) or past its cutoff: cancel all, SKIP with the gate's reason
(`market_definition`). SELLs pass the inventory gate first and pairs merge after every fill
(`market_inventory`).

A target with post_only=False (taker escalation) goes through the same definition -> EV ->
risk chain; with `OrderConfig.taker_enabled` it is executed at once by `OrderManager.take`
and its fills are journaled and reported like maker fills, otherwise it is rejected
`not_post_only`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from astra.actors.book_marks import MarkReporter, token_marks
from astra.actors.market_config import JournalSink, MarketConfig, RiskGateway
from astra.actors.market_definition import definition_verdict, skip_decision, token_view
from astra.actors.market_inputs import MarketInputs, TokenPositions
from astra.actors.market_inventory import cancel_oversold, sell_verdict
from astra.actors.market_records import (
    book_digest,
    decision_payload,
    fill_payload,
    markout_payload,
    mid_pips,
    open_orders_from_journal,
    order_payload,
    orders_digest,
)
from astra.actors.settlements import resolution_payload, settlement_of
from astra.domain.book import MarketBooks
from astra.domain.contracts.canonical import definition_hash
from astra.domain.contracts.contract import CryptoThresholdContract, DefinitionContract
from astra.domain.events import (
    BookSnapshot,
    MarketEvent,
    MarketResolved,
    PriceChange,
    SpotPrice,
    TickSizeChange,
    Trade,
)
from astra.domain.journal_record import RecordKind
from astra.domain.market import MarketInfo
from astra.domain.markouts import MarkoutTracker
from astra.domain.order_manager import OrderManager
from astra.domain.orders import OrderEvent, PaperOrder
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, OrderReason
from astra.domain.strategies import (
    DecisionAction,
    MarketView,
    QuoteTarget,
    RestingQuote,
    SpotView,
    Strategy,
    StrategyDecision,
)
from astra.domain.strategies.spot_state import spot_symbol
from astra.domain.toxicity import ToxicityState
from astra.domain.trading import Fill, OrderIntent, Settlement
from astra.domain.verdict import Verdict

__all__ = [
    "JournalSink",
    "MarketConfig",
    "MarketState",
    "RiskGateway",
    "fill_payload",
    "open_orders_from_journal",
    "order_payload",
]


class MarketState:
    def __init__(
        self,
        info: MarketInfo,
        strategy: Strategy,
        journal: JournalSink,
        risk: RiskGateway,
        config: MarketConfig,
        *,
        epoch: int = 0,
        contract: DefinitionContract | None = None,
        inputs: MarketInputs | None = None,
        contract_reason: str = "",
    ) -> None:
        self.info = info
        self._strategy = strategy
        self._journal = journal
        self._risk = risk
        self._config = config
        self._contract = contract
        # Why the builder made no contract (journaled in every decision while it has none).
        self._contract_reason = contract_reason
        self._definition_hash = None if contract is None else definition_hash(contract)
        self._inputs = inputs or MarketInputs()
        self._symbol = (
            spot_symbol(contract) if isinstance(contract, CryptoThresholdContract) else None
        )
        self.books = MarketBooks(info)
        self._toxicity = ToxicityState(config.toxicity, flip_asset=info.no_token)
        rng = np.random.default_rng([config.seed, epoch])
        # Ids `<condition id>-e<epoch>-<n>`: the epoch is the producer's journal sequence at
        # start (it only grows), so a restarted actor never reissues an earlier id.
        prefix = f"{info.condition_id}-e{epoch}"
        self.orders = OrderManager(info, config.orders, rng, id_prefix=prefix)
        self.positions = TokenPositions(info.tokens)
        self._marks = MarkReporter(config.marks_interval_ms)
        self._trades: list[Trade] = []
        self._new_fills: list[Fill] = []  # our fills since the last evaluation (markouts)
        self._markouts = MarkoutTracker()
        self._filled = False  # a fill in the event being handled: marks go out at once
        self.resolution: Settlement | None = None  # set once the market has resolved
        self.events = 0

    @property
    def spot_symbol(self) -> str | None:
        """The spot symbol this market's contract resolves on (None: spot is ignored)."""
        return self._symbol

    # -- inputs ----------------------------------------------------------------------------
    def on_event(self, event: MarketEvent, now_ms: int) -> None:
        """Due expiries, book & toxicity, queue positions & fills, sweep, then one strategy
        evaluation. Arrivals and ends run first, at their exact times, up to the venue clock
        (`OrderStore.venue_clock`: the latest venue time of a print or level, at most
        `now_ms`), so an order that ended before this event happened never fills from it and
        one still on the venue when it happened does, in whatever order a print and its level
        change arrive. A resolution or tick-size change ends every order: due ends first, by
        `now_ms`."""
        self.events += 1
        if isinstance(event, Trade | PriceChange | BookSnapshot):
            self.orders.observe_venue(event.ts_ms)
        clock = now_ms
        if not isinstance(event, MarketResolved | TickSizeChange):
            clock = self.orders.venue_clock(now_ms)
        self._journal_orders(self.orders.expire_due(clock, self.books))
        self._journal_markouts(now_ms)
        changed = self.books.apply(event)
        self._observe(event, changed, now_ms)
        self._filled = False
        self._journal_orders(self._advance_orders(event, now_ms))
        self._journal_orders(self.orders.sweep(clock, self.books))
        self.evaluate(now_ms)
        self._send_marks(now_ms, force=self._filled)

    def sweep(self, now_ms: int) -> int:
        """Journal every arrival, TTL expiry, stale cancel and in-flight cancel due by
        `now_ms`, each at its exact time (`OrderManager.expire_due`); the live per-market
        timer tick calls this between events. Returns how many transitions it journaled."""
        events = self.orders.expire_due(now_ms, self.books)
        self._journal_orders(events)
        self._journal_markouts(now_ms)
        return len(events)

    def _journal_markouts(self, now_ms: int) -> None:
        """Fills whose 1 s / 10 s / 60 s horizon has passed, marked at the mids in force."""
        for markout in self._markouts.due(now_ms, lambda asset: mid_pips(self.books, asset)):
            ts = markout.fill.ts_ms + markout.horizon_ms
            payload = markout_payload(markout, self._strategy.name)
            self._journal.emit(RecordKind.MARKOUT, ts, payload)

    def on_spot(self, event: SpotPrice, now_ms: int) -> bool:
        """Record a print of this market's underlying and re-evaluate (a quote priced off
        spot must follow it). Other symbols, bad or out-of-order prints: False, no decision."""
        tracker = self._inputs.spot
        if tracker is None or self._symbol is None or event.symbol.lower() != self._symbol:
            return False
        if not tracker.on_spot(event):
            return False
        self._filled = False
        self.evaluate(now_ms)
        if self._filled:  # a taker fill: the RiskActor marks the new position at once
            self._send_marks(now_ms, force=True)
        return True

    def on_model(self, now_ms: int) -> None:
        """A new forecast/prior for this market's key (on the board): re-evaluate."""
        self._filled = False
        self.evaluate(now_ms)
        if self._filled:
            self._send_marks(now_ms, force=True)

    def desync(self, asset_ids: Sequence[str], now_ms: int) -> int:
        """The feed lost these books (a reconnect): drop them until the next snapshot, cancel
        every resting order (`feed_desync`), then let the strategy see the unsynced books."""
        mine = [a for a in asset_ids if a in self.info.tokens]
        if not mine:
            return 0
        for asset in mine:
            self.books.book(asset).desync()
        canceled = self.cancel_all(OrderReason.FEED_DESYNC, now_ms)
        self.evaluate(now_ms)
        return canceled

    def expire_due(self, now_ms: int) -> int:
        """A clock tick with no event: TTL expiries and stale cancels due at `now_ms`."""
        events = self.orders.sweep(now_ms)
        self._journal_orders(events)
        return len(events)

    def cancel_all(self, reason: OrderReason, now_ms: int) -> int:
        events = self.orders.cancel_all(reason, now_ms)
        self._journal_orders(events)
        return len(events)

    def evaluate(self, now_ms: int) -> None:
        definition = self._definition(now_ms)
        if not definition.passed:
            self._definition_skip(definition, now_ms)
            return
        view = self.view(now_ms)
        self._trades.clear()
        self._new_fills.clear()
        decision = self._strategy.evaluate(view, now_ms)
        gates: list[Verdict] = []
        if decision.action is DecisionAction.WITHDRAW:
            self._request_cancels(self.orders.open_orders(), now_ms)
        elif decision.action is DecisionAction.QUOTE:
            gates = self._reconcile(decision.targets, definition, now_ms)
        self._journal_decision(decision, definition, gates, now_ms)

    # -- views and digests ---------------------------------------------------------------
    def view(self, now_ms: int) -> MarketView:
        """Books, resting quotes, spot, positions, equity, toxicity, new trades, the gate."""
        snap, cfg = self._toxicity.snapshot(), self._config
        tokens = [
            token_view(self.books.book(t), snap.toxic, cfg.toxicity, cfg.view_depth)
            for t in self.info.tokens
        ]
        resting = tuple(
            RestingQuote(o.order_id, o.asset_id, o.side, o.price, o.remaining)
            for o in self.orders.open_orders()
            if o.cancel_at_ms is None  # a cancel in flight is no longer the strategy's quote
        )
        return MarketView(
            self.info,
            tokens[0],
            tokens[1],
            resting,
            self.books.resolved,
            spot=self._spot_view(),
            yes_position=self.positions.held(self.info.yes_token),
            no_position=self.positions.held(self.info.no_token),
            equity=self._inputs.equity(),
            # No samples yet: None, so the strategy applies its conservative default.
            toxicity_score=snap.score if snap.samples else None,
            trades=tuple(self._trades),
            halted=self._inputs.halted(),
            fills=tuple(self._new_fills),
            model_frame=self._inputs.model_frame(),
        )

    def _spot_view(self) -> SpotView | None:
        tracker = self._inputs.spot
        if tracker is None or self._symbol is None:
            return None
        return tracker.view(self._symbol)

    def book_digest(self) -> str:
        return book_digest(self.books, self.info.tokens)

    def orders_digest(self) -> str:
        return orders_digest(self.orders.open_orders())

    # -- pipeline steps --------------------------------------------------------------------
    def _observe(self, event: MarketEvent, changed: bool, now_ms: int) -> None:
        if isinstance(event, Trade) and event.asset_id in self.info.tokens:
            self._toxicity.on_trade(event, now_ms)
            self._trades.append(event)
        elif changed and not isinstance(event, MarketResolved):
            self._toxicity.on_book(self.books.yes, now_ms)

    def _advance_orders(self, event: MarketEvent, now_ms: int) -> list[OrderEvent]:
        if isinstance(event, Trade):
            self._on_trade(event, now_ms)
            return []
        if isinstance(event, MarketResolved):
            self._journal_orders(self.orders.cancel_all(OrderReason.MARKET_RESOLVED, now_ms))
            self._resolve(event, now_ms)
            return []
        if isinstance(event, TickSizeChange) and event.asset_id in self.info.tokens:
            return self.orders.on_tick_size_change(event, now_ms)
        if isinstance(event, PriceChange | BookSnapshot):
            self._book_changed(event, now_ms)
        return []

    def _on_trade(self, trade: Trade, now_ms: int) -> None:
        """Fills are journaled (with their order transitions) before the RiskActor hears of
        them, so a fill the RiskActor never received is still in the journal to reconcile."""
        if trade.asset_id not in self.info.tokens:
            return
        fills = self.orders.on_trade(trade, now_ms)
        self._journal_orders(self.orders.take_events())
        self._record_fills(fills, now_ms)

    def _record_fills(self, fills: Sequence[Fill], now_ms: int) -> None:
        """Journal each fill, count it in the positions, then tell the RiskActor (maker and
        taker fills alike; their order events are journaled first)."""
        for fill in fills:
            mid = mid_pips(self.books, fill.asset_id)
            self._journal.emit(RecordKind.FILL, now_ms, fill_payload(fill, mid))
            self.positions.on_fill(fill)
            self._new_fills.append(fill)
            self._markouts.on_fill(fill)
            self._filled = True
            self._risk.report_fill(fill)
            if self.positions.last_merged:  # pairs merged: no SELL may outgrow what is left
                self._journal_orders(cancel_oversold(self.orders, self.positions, now_ms))

    def _resolve(self, event: MarketResolved, now_ms: int) -> None:
        """After the cancels: close the position view, journal the resolution (the market's
        gate is closed for good) and report the settlement (the RiskActor pays it out once)."""
        settlement = settlement_of(self.info, event)
        if settlement is None or self.resolution is not None:
            return  # not ours, or a resend: already journaled and reported
        self._settle(settlement, now_ms)

    def resolve(self, settlement: Settlement, now_ms: int) -> bool:
        """A resolution learned from REST (`settlement_check`): the same cancels, journal
        record and report as `market_resolved`, once; False for another market or a resend."""
        if settlement.market != self.info.condition_id or self.resolution is not None:
            return False
        self._journal_orders(self.orders.cancel_all(OrderReason.MARKET_RESOLVED, now_ms))
        winner = settlement.winning_asset_id  # a 50/50 marks the books resolved all the same
        self.books.apply(MarketResolved(settlement.market, now_ms, winner, self.info.tokens))
        self._settle(settlement, now_ms)
        return True

    def _settle(self, settlement: Settlement, now_ms: int) -> None:
        self.resolution = settlement
        self.positions.close()
        self._journal.emit(RecordKind.RISK_EVENT, now_ms, resolution_payload(settlement))
        if self._inputs.settlements is not None:
            self._inputs.settlements.report_settlement(settlement)

    def _send_marks(self, now_ms: int, *, force: bool) -> None:
        """Marks (`astra.domain.marking`) to the RiskActor while this market holds anything:
        after a fill or a falling mark at once, otherwise at most once per
        `marks_interval_ms` of event time (`MarkReporter`)."""
        sink = self._inputs.marks
        if sink is None or self.positions.flat():
            return
        marks = token_marks(
            self.books, self.info.tokens, self.positions, now_ms, self._config.marking
        )
        if self._marks.due(marks, self.positions, now_ms, force=force):
            sink.report_marks(marks, now_ms)

    def _book_changed(self, event: PriceChange | BookSnapshot, now_ms: int) -> None:
        """Either token's change moves every order's queue (in its own terms) and may cross
        it: fills are journaled with their transitions, like a trade's."""
        if isinstance(event, BookSnapshot):
            ours = event.asset_id in self.info.tokens
        else:
            ours = any(c.asset_id in self.info.tokens for c in event.changes)
        if not ours:
            return
        fills = self.orders.on_book_change(event, self.books, now_ms)
        self._journal_orders(self.orders.take_events())
        self._record_fills(fills, now_ms)

    def _reconcile(
        self, targets: Sequence[QuoteTarget], definition: Verdict, now_ms: int
    ) -> list[Verdict]:
        """Keep matching orders, cancel the rest, place what is missing through the gates.
        A partly filled order matches on its original size or on what remains (strategies
        that see `RestingQuote.remaining` ask for that, to keep the order's queue place).
        A taker target never matches a resting order: it is executed (or rejected) anew."""
        wanted = {t.key(): t for t in targets if t.post_only}
        unwanted: list[PaperOrder] = []
        for order in self.orders.open_orders():
            if order.cancel_at_ms is not None:
                continue  # already leaving: neither kept nor canceled twice
            key = (order.asset_id, order.side, order.price)
            if key in wanted and wanted[key].size in (order.size, order.remaining):
                self.orders.refresh(order.order_id, now_ms)
                del wanted[key]
                continue
            unwanted.append(order)
        self._request_cancels(unwanted, now_ms)
        verdicts: list[Verdict] = []
        takers = [t for t in targets if not t.post_only]
        for target in [*wanted.values(), *takers]:
            verdicts.extend(self._place(target, definition, now_ms))
        return verdicts

    def _request_cancels(self, orders: Sequence[PaperOrder], now_ms: int) -> None:
        """Strategy cancels fly to the venue with the cancel latency (fills may land first)."""
        for order in orders:
            event = self.orders.request_cancel(order.order_id, OrderReason.STRATEGY_CANCEL, now_ms)
            if event is not None:
                self._journal_orders([event])

    def _place(self, target: QuoteTarget, definition: Verdict, now_ms: int) -> list[Verdict]:
        """Definition -> EV -> risk; the first veto stops the chain (and is recorded)."""
        intent = OrderIntent(
            market=self.info.condition_id,
            asset_id=target.asset_id,
            side=target.side,
            price=target.price,
            size=target.size,
            strategy=self._strategy.name,
            reason=target.reason,
            post_only=target.post_only,
            category=self.info.category,
            resting_notional=self.orders.resting_notional(),
            event_id=self.info.event_id,
        )
        verdicts = [definition]
        if verdicts[-1].passed and target.side is Side.SELL:
            verdicts.append(sell_verdict(self.orders, self.positions, target))
        if verdicts[-1].passed:
            verdicts.append(self._edge(target))
        if verdicts[-1].passed:
            verdicts.append(self._risk.approve(intent, now_ms))
        if verdicts[-1].passed:
            self._execute(intent, now_ms)
        return verdicts

    def _execute(self, intent: OrderIntent, now_ms: int) -> None:
        """Post-only: rest it. Taker with escalation enabled: take now. Otherwise `submit`
        rejects the taker intent `not_post_only` (the fail-closed default)."""
        book = self.books.book(intent.asset_id)
        if intent.post_only or not self._config.orders.taker_enabled:
            mirror = self.books.book(self.info.complement_of(intent.asset_id))
            self._journal_orders([self.orders.submit(intent, book, now_ms, mirror=mirror)])
            return
        events, fills = self.orders.take(intent, book, now_ms)
        self._journal_orders(events)
        self._record_fills(fills, now_ms)

    def _definition(self, now_ms: int) -> Verdict:
        return definition_verdict(
            self._contract, self._contract_reason, self._config.require_contract, now_ms
        )

    def _definition_skip(self, definition: Verdict, now_ms: int) -> None:
        """No (clean) contract, or past its trading cutoff: nothing rests and the strategy
        is not asked; the SKIP names the gate's reason (the builder's, for no contract)."""
        self._trades.clear()
        self._new_fills.clear()
        self._journal_orders(self.orders.cancel_all(OrderReason.DEFINITION_VETO, now_ms))
        decision = skip_decision(self._strategy.name, definition)
        self._journal_decision(decision, definition, [], now_ms)

    def _edge(self, target: QuoteTarget) -> Verdict:
        if target.edge_pips < self._config.min_edge_pips:
            detail = f"edge {target.edge_pips} < {self._config.min_edge_pips} pips"
            return Verdict.veto("ev", GateVeto.EV_BELOW_THRESHOLD, detail)
        return Verdict.ok("ev", f"edge {target.edge_pips} pips")

    # -- journaling ------------------------------------------------------------------------
    def journal_orders(self, events: Sequence[OrderEvent]) -> None:
        """Journal transitions of orders placed on `orders` directly (the fill scenario)."""
        self._journal_orders(events)

    def _journal_orders(self, events: Sequence[OrderEvent]) -> None:
        for event in events:
            self._journal.emit(RecordKind.ORDER_EVENT, event.ts_ms, order_payload(event))

    def _journal_decision(
        self,
        decision: StrategyDecision,
        definition: Verdict,
        gates: Sequence[Verdict],
        now_ms: int,
    ) -> None:
        """Every evaluation's record carries the definition gate's verdict, whether or not
        the strategy wanted an order (`gates` holds the chain of each placement)."""
        payload = decision_payload(
            decision,
            definition,
            gates,
            run_id=self._config.run_id,
            definition_hash=self._definition_hash,
        )
        self._journal.emit(RecordKind.DECISION, now_ms, payload)
