"""Crypto threshold strategy: trade a linted BTC/ETH threshold contract against its model.

Per evaluation: withdraw on a closed/halted market or an unsynced, stale, toxic or WIDE/BROKEN
book; then contract -> spot -> vol -> lognormal band (`crypto_inputs`). Both directions are
considered, each as a *maker buy* (no short inventory is needed): BUY YES judged against
p_low, and "SELL YES" as BUY NO judged against the NO token's band 1 − p_high .. 1 − p_low.
For each side the candidate prices are "improve the best bid by one tick" (only if that is
still strictly below the best ask) and "join the best bid"; the first that passes the EV gate
(lower bound, frictions, maker liquidity) is sized by the capped Kelly fraction and quoted.
A price is never at or through the far touch (the original priced at the best ask, B-9).
A held token whose edge has reversed is offered for sale (`crypto_exit`).

Requotes follow the estimate and the book, but an improving move is bounded by
`max_chase_ticks` from the first price of the chain (the chain ends when nothing of ours
rests on that side); moving away from the market is never bounded. A resting quote keeps its
size unless Kelly now wants less, so a quote does not lose its queue place to size jitter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.ev_gate import EvConfig, EvResult, ev_gate
from astra.domain.frictions import BookContext
from astra.domain.prices import PRICE_SCALE, SIZE_SCALE, Side, Tick, in_bounds, round_to_tick
from astra.domain.reasons import GateVeto
from astra.domain.strategies.crypto_exit import exit_target
from astra.domain.strategies.crypto_inputs import ModelConfig, model_inputs
from astra.domain.strategies.guards import (
    analysis_items,
    no_quote,
    token_tick,
    toxicity_score,
    view_blocker,
)
from astra.domain.strategies.protocol import (
    DecisionAction,
    MarketView,
    QuoteTarget,
    StrategyDecision,
    TokenView,
)
from astra.domain.strategies.sizing import KellyConfig, Sizing, kelly_size
from astra.domain.strategies.taker_escalation import (
    TakerBudget,
    TakerConfig,
    TakerRequest,
    check_budget,
    plan_taker,
)
from astra.domain.verdict import Verdict


@dataclass(frozen=True, slots=True)
class CryptoThresholdConfig:
    name: str = "crypto_threshold"
    model: ModelConfig = field(default_factory=ModelConfig)
    ev: EvConfig = field(default_factory=EvConfig)
    kelly: KellyConfig = field(default_factory=KellyConfig)
    taker: TakerConfig = field(default_factory=TakerConfig)
    equity: int = 10_000 * SIZE_SCALE  # micro-collateral, used when the view carries none
    max_book_age_ms: int = 60_000
    max_chase_ticks: int = 3
    default_toxicity: float = 0.5  # used when the view carries no score

    def __post_init__(self) -> None:
        if self.max_book_age_ms <= 0 or self.max_chase_ticks < 0:
            raise ValueError("max_book_age_ms must be > 0 and max_chase_ticks >= 0")
        if not 0.0 <= self.default_toxicity <= 1.0:
            raise ValueError(f"default_toxicity {self.default_toxicity} outside [0, 1]")


class Band(Protocol):
    @property
    def p_low(self) -> float: ...

    @property
    def p_high(self) -> float: ...


class BandInputs(Protocol):
    """A model stage's output: the probability band of YES, and what the decision records."""

    @property
    def estimate(self) -> Band: ...

    def analysis(self, now_ms: int) -> dict[str, object]: ...


@dataclass(frozen=True, slots=True)
class _Side:
    """One side's outcome: a target, or the veto that stopped it; always its analysis."""

    target: QuoteTarget | None
    veto: Verdict | None
    analysis: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Context:
    view: MarketView
    equity: int
    toxicity: float
    now_ms: int


class CryptoThresholdStrategy:
    def __init__(
        self, contract: DefinitionContract | None, config: CryptoThresholdConfig | None = None
    ) -> None:
        self._contract = contract
        self._config = config or CryptoThresholdConfig()
        self._anchors: dict[tuple[str, Side], int] = {}
        self._budget = TakerBudget(self._config.taker.daily_budget)

    @property
    def name(self) -> str:
        return self._config.name

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        blocked = view_blocker(view, now_ms, self._config.max_book_age_ms)
        if blocked is not None:
            return no_quote(self.name, view, blocked[0], blocked[1])
        found = self._model_inputs(view, now_ms)
        if isinstance(found, Verdict):
            reason = found.reason or GateVeto.OUT_OF_RANGE_INPUT
            return no_quote(self.name, view, reason, found.detail, {"gate": found.gate})
        self._forget_finished_chains(view)
        ctx = self._context(view, now_ms)
        est = found.estimate
        yes = self._side(ctx, view.yes, est.p_low, est.p_high)
        no = self._side(ctx, view.no, 1.0 - est.p_high, 1.0 - est.p_low)
        analysis = self._analysis(found, ctx, yes, no)
        exits = self._exits(view, ((yes, view.yes, est.p_high), (no, view.no, 1.0 - est.p_low)))
        if exits:
            analysis["exits"] = [{"asset_id": t.asset_id, "price": t.price} for t in exits]
        targets = tuple(s.target for s in (yes, no) if s.target is not None) + exits
        if not targets:
            first = yes.veto or no.veto
            reason = (first.reason if first else None) or GateVeto.NO_QUOTABLE_PRICE
            detail = "; ".join(f"{s.veto.gate}: {s.veto.detail}" for s in (yes, no) if s.veto)
            return no_quote(self.name, view, reason, detail, analysis)
        for target in targets:
            if target.post_only:
                self._anchors.setdefault((target.asset_id, target.side), target.price)
        return StrategyDecision(
            self.name,
            DecisionAction.QUOTE,
            targets=targets,
            detail=f"{len(targets)} quote(s)",
            analysis=analysis_items(analysis),
        )

    def _model_inputs(self, view: MarketView, now_ms: int) -> BandInputs | Verdict:
        """The model stage; the weather and rates strategies replace only this."""
        return model_inputs(self._contract, view, now_ms, self._config.model)

    @staticmethod
    def _exits(
        view: MarketView, sides: tuple[tuple[_Side, TokenView, float], ...]
    ) -> tuple[QuoteTarget, ...]:
        """Offer held tokens whose edge has reversed (no buy target, market above the model)."""
        found = (
            exit_target(view, token, p_high) for side, token, p_high in sides if side.target is None
        )
        return tuple(t for t in found if t is not None)

    # -- context ---------------------------------------------------------------------
    def _context(self, view: MarketView, now_ms: int) -> _Context:
        equity = self._config.equity if view.equity is None else view.equity
        return _Context(view, equity, toxicity_score(view, self._config.default_toxicity), now_ms)

    def _forget_finished_chains(self, view: MarketView) -> None:
        live = {(q.asset_id, q.side) for q in view.resting}
        for key in [k for k in self._anchors if k not in live]:
            del self._anchors[key]

    def _analysis(self, found: BandInputs, ctx: _Context, yes: _Side, no: _Side) -> dict[str, Any]:
        analysis: dict[str, Any] = found.analysis(ctx.now_ms)
        analysis.update(
            equity=ctx.equity,
            equity_source="configured" if ctx.view.equity is None else "view",
            toxicity=ctx.toxicity,
            yes=yes.analysis,
            no=no.analysis,
        )
        return analysis

    # -- one side ----------------------------------------------------------------------
    def _side(self, ctx: _Context, token: TokenView, p_low: float, p_high: float) -> _Side:
        if token.best_bid is None or token.best_ask is None:
            veto = Verdict.veto("price", GateVeto.NO_QUOTABLE_PRICE, "one-sided book")
            return _Side(None, veto, {"veto": veto.detail})
        tick = token_tick(ctx.view, token)
        bid, ask = token.best_bid, token.best_ask
        book = BookContext((ask[0] - bid[0]) // tick.pips, tick, bid[1])
        taker = self._taker(ctx, token, p_low, p_high, book.spread_ticks, tick)
        if taker is not None and taker.target is not None:
            return taker
        side = self._maker(ctx, token, (p_low, p_high), book, (bid[0], ask[0]))
        if taker is not None:
            side.analysis["taker"] = taker.analysis
        return side

    def _maker(
        self,
        ctx: _Context,
        token: TokenView,
        band: tuple[float, float],
        book: BookContext,
        touch: tuple[int, int],
    ) -> _Side:
        candidates: list[dict[str, Any]] = []
        analysis: dict[str, Any] = {"p_low": band[0], "p_high": band[1], "tried": candidates}
        last: Verdict = Verdict.veto("price", GateVeto.NO_QUOTABLE_PRICE, "no maker price")
        for price in self._candidates(token.asset_id, touch, book.tick):
            result = self._priced(ctx, token, band, book, price)
            candidates.append({"price": price} | result.analysis)
            if result.target is not None:
                analysis["price"] = price
                return _Side(result.target, None, analysis)
            last = result.veto or last
        analysis["veto"] = last.detail
        return _Side(None, last, analysis)

    def _candidates(self, asset_id: str, touch: tuple[int, int], tick: Tick) -> list[int]:
        """Improve the bid by one tick, then join it; strictly below the ask, in bounds,
        and no further up than the chase bound of the current chain."""
        bid, ask = touch
        cap = ask - tick.pips
        anchor = self._anchors.get((asset_id, Side.BUY))
        if anchor is not None:
            cap = min(cap, anchor + self._config.max_chase_ticks * tick.pips)
        prices: list[int] = []
        for price in (bid + tick.pips, bid):
            capped = round_to_tick(min(price, cap), tick, Side.BUY)
            if in_bounds(capped, tick) and capped < ask and capped not in prices:
                prices.append(capped)
        return prices

    def _priced(
        self,
        ctx: _Context,
        token: TokenView,
        band: tuple[float, float],
        book: BookContext,
        price: int,
    ) -> _Side:
        min_size = max(ctx.view.info.min_size, 1)
        probe = self._ev(ctx, band, book, price, min_size)
        if not probe.passed or probe.ev_lower is None:
            return _Side(None, probe.verdict, {"ev": probe.as_dict()})
        sizing = kelly_size(ctx.equity, probe.ev_lower, price, min_size, self._config.kelly)
        if isinstance(sizing, Verdict):
            return _Side(None, sizing, {"ev": probe.as_dict(), "sizing": sizing.detail})
        size = self._sticky_size(ctx.view, token.asset_id, price, sizing, min_size)
        final = self._ev(ctx, band, book, price, size)
        analysis = {"ev": final.as_dict(), "sizing": sizing.as_dict(), "size": size}
        if not final.passed or final.ev_lower is None:
            return _Side(None, final.verdict, analysis)
        target = QuoteTarget(
            asset_id=token.asset_id,
            side=Side.BUY,
            price=price,
            size=size,
            reason=f"{self.name}_maker",
            edge_pips=math.floor(final.ev_lower * PRICE_SCALE),
        )
        return _Side(target, None, analysis)

    def _ev(
        self, ctx: _Context, band: tuple[float, float], book: BookContext, price: int, size: int
    ) -> EvResult:
        fees = ctx.view.info.fees
        return ev_gate(
            band[0], band[1], Side.BUY, price, size, book, ctx.toxicity, fees, self._config.ev
        )

    @staticmethod
    def _sticky_size(
        view: MarketView, asset_id: str, price: int, sizing: Sizing, min_size: int
    ) -> int:
        for quote in view.resting:
            same = quote.asset_id == asset_id and quote.side is Side.BUY and quote.price == price
            if same and min_size <= quote.remaining <= sizing.size:
                return quote.remaining
        return sizing.size

    # -- taker escalation --------------------------------------------------------------------
    def _taker(
        self,
        ctx: _Context,
        token: TokenView,
        p_low: float,
        p_high: float,
        spread_ticks: int,
        tick: Tick,
    ) -> _Side | None:
        config = self._config.taker
        if not config.enabled or token.best_ask is None:
            return None
        asks = token.asks or (token.best_ask,)
        request = TakerRequest(
            token.asset_id,
            p_low,
            p_high,
            tuple(asks),
            spread_ticks,
            tick,
            ctx.view.info.min_size,
            ctx.equity,
            ctx.toxicity,
        )
        plan = plan_taker(request, ctx.view.info.fees, self._config.ev, self._config.kelly, config)
        if isinstance(plan, Verdict):
            return _Side(None, plan, {"veto": plan.reason, "detail": plan.detail})
        budget = check_budget(self._budget, plan.walk, config, ctx.now_ms)
        analysis = plan.as_dict() | {"budget": budget.detail}
        if not budget.passed:
            return _Side(None, budget, analysis | {"veto": budget.reason})
        self._budget.charge(plan.walk.notional + plan.walk.fee, ctx.now_ms)
        return _Side(plan.target(token.asset_id), None, {"taker": analysis})
