"""Order flow of one simulated market: a hidden fair value, makers quoting around it, takers.

Each step is one matching-engine event at a Poisson-spaced time: a limit order added (at a
depth that grows away from the fair value), a cancel (stale quotes pulled first, then random
partial cancels, far levels trimmed), or a taker sweep (trade prints, then the book change).
Bursts of informed flow jump the fair value and make takers trade toward it. Near the price
bounds the tick becomes finer (and coarser again on the way back), announced by
`tick_size_change` and a fresh `book`, as the venue does. Everything random comes from the
market's own seeded Generator, so one market's stream does not depend on the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from astra.domain.events import LevelChange, MarketEvent, MarketResolved, PriceChange, Trade
from astra.domain.events import TickSizeChange as TickChangeEvent
from astra.domain.prices import ONE, SIZE_SCALE, Side, Tick, complement, in_bounds, round_to_tick
from astra.domain.sim.markets import SimMarket
from astra.domain.sim.spot_path import SpotPath
from astra.domain.sim.truth_book import TruthBook

Emission = tuple[MarketEvent, ...]  # one frame: one message, or the opening array of books

_MS_PER_YEAR = 365 * 86_400_000
_LOT = SIZE_SCALE // 100  # sizes are whole cents of a share, as the venue rounds them
_FAIR_EDGE = 0.004  # the fair value never quite reaches 0 or 1 before resolution


@dataclass(frozen=True, slots=True)
class FlowParams:
    trade_prob: float = 0.12
    burst_trade_prob: float = 0.35
    cancel_prob: float = 0.40
    burst_hazard_per_s: float = 1 / 300
    burst_mean_s: float = 20.0
    burst_rate_mult: float = 4.0
    burst_jump_logit: float = 0.5
    informed_prob: float = 0.85
    calm_informed_prob: float = 0.3
    min_levels: int = 3
    max_levels: int = 15
    snapshot_every_ms: int = 15_000
    order_median_shares: float = 100.0
    trade_median_shares: float = 40.0
    crypto_bias_decay_s: float = 120.0


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


class MarketSim:
    """One market's simulated venue: its truth book and the events that change it."""

    def __init__(
        self,
        market: SimMarket,
        rng: np.random.Generator,
        start_ms: int,
        spot: SpotPath | None = None,
        params: FlowParams | None = None,
    ) -> None:
        self.market = market
        self.rng = rng
        self.spot = spot
        self.params = params or FlowParams()
        self.book = TruthBook(market.info)
        self.now = start_ms
        self.done = False
        self._logit = _logit(market.initial_fair)
        self._bias = float(rng.normal(0.0, 0.3)) if market.crypto else 0.0
        self._burst_until = start_ms - 1
        self._cutoff_seen = False
        self._last_snapshot = start_ms
        self._seed_book()
        self.next_ms = self._schedule(start_ms)

    # -- fair value --------------------------------------------------------------------
    def fair(self) -> float:
        """The YES probability makers quote around right now."""
        crypto = self.market.crypto
        if crypto is None or self.spot is None:
            return self._clamp(_sigmoid(self._logit))
        tau = (crypto.cutoff_ms - self.now) / _MS_PER_YEAR
        if tau <= 0:
            above = self.spot.cents_at(crypto.symbol, crypto.cutoff_ms) > crypto.strike_cents
            return 1.0 - _FAIR_EDGE if above else _FAIR_EDGE
        sigma = self.spot.annual_vol(crypto.symbol)
        spot = self.spot.cents_at(crypto.symbol, self.now)
        d2 = (math.log(spot / crypto.strike_cents) - 0.5 * sigma * sigma * tau) / (
            sigma * math.sqrt(tau)
        )
        model = min(max(_norm_cdf(d2), 1e-6), 1 - 1e-6)
        return self._clamp(_sigmoid(_logit(model) + self._bias))

    @staticmethod
    def _clamp(p: float) -> float:
        return min(max(p, _FAIR_EDGE), 1.0 - _FAIR_EDGE)

    def fair_pips(self) -> int:
        return min(max(round(self.fair() * ONE), 1), ONE - 1)

    def bursting(self) -> bool:
        return self.now <= self._burst_until

    # -- scheduling --------------------------------------------------------------------
    def _schedule(self, now: int) -> int:
        rate = self.market.events_per_s
        if now <= self._burst_until:
            rate *= self.params.burst_rate_mult
        gap = max(1, int(self.rng.exponential(1000.0 / rate)))
        resolve = self.market.resolve_ms
        return now + gap if resolve is None else min(now + gap, resolve)

    def opening(self) -> Emission:
        """The subscribe dump: both tokens' books in one array frame."""
        return self.book.snapshots(self.now)

    def step(self) -> list[Emission]:
        """Advance to `next_ms` and emit what happens there (possibly nothing)."""
        now = self.next_ms
        dt_s = (now - self.now) / 1000.0
        self.now = now
        if now == self.market.resolve_ms:
            self.done = True
            return [(self._resolution(),)]
        self._evolve(dt_s)
        out = self._event()
        traded = any(isinstance(e[0], Trade) for e in out)
        out += self._tick_check()
        if traded and now - self._last_snapshot >= self.params.snapshot_every_ms:
            out += self._snapshots()
        self.next_ms = self._schedule(now)
        return out

    def _evolve(self, dt_s: float) -> None:
        p = self.params
        if self.market.crypto is None:
            self._logit += float(self.rng.normal(0.0, self.market.vol_per_sqrt_s * math.sqrt(dt_s)))
        else:
            self._bias *= math.exp(-dt_s / p.crypto_bias_decay_s)
            if not self._cutoff_seen and self.now >= self.market.crypto.cutoff_ms:
                # The outcome is known at the cutoff: informed takers sweep toward it.
                self._cutoff_seen = True
                self._burst_until = self.now + int(p.burst_mean_s * 3000)
        if self.bursting() or self.rng.random() >= 1 - math.exp(-p.burst_hazard_per_s * dt_s):
            return
        self._burst_until = self.now + int(self.rng.exponential(p.burst_mean_s * 1000))
        jump = float(self.rng.normal(0.0, p.burst_jump_logit))
        if self.market.crypto is None:
            self._logit += jump
        else:
            self._bias += jump

    def _event(self) -> list[Emission]:
        p = self.params
        u = self.rng.random()
        trade_p = p.burst_trade_prob if self.bursting() else p.trade_prob
        if u < trade_p and (out := self._trade()):
            return out
        if u < trade_p + p.cancel_prob and (out := self._cancel()):
            return out
        return self._add()

    # -- helpers -----------------------------------------------------------------------
    def _shares(self, median: float, sigma: float) -> int:
        shares = float(self.rng.lognormal(math.log(median), sigma))
        lots = min(max(round(shares * 100), 100), 2_000_000)
        return lots * _LOT

    def _price_change(self, changes: list[LevelChange]) -> Emission:
        return (PriceChange(self.book.market.condition_id, self.now, tuple(changes)),)

    def _snapshots(self) -> list[Emission]:
        self._last_snapshot = self.now
        return [(snap,) for snap in self.book.snapshots(self.now)]

    def _seed_book(self) -> None:
        tick = self.book.tick
        fair = self.fair_pips()
        for side, sign in ((Side.BUY, -1), (Side.SELL, 1)):
            levels = self.book.side(side)
            k = self.market.half_spread_ticks
            for _ in range(int(self.rng.integers(6, 13))):
                price = round_to_tick(fair + sign * k * tick.pips, tick, side)
                if not in_bounds(price, tick):
                    break
                median = self.params.order_median_shares * (1 + 0.25 * k)
                levels[price] = levels.get(price, 0) + self._shares(median, 1.0)
                k += int(self.rng.geometric(0.6))

    # -- the three kinds of book event ---------------------------------------------------
    def _add_sides(self) -> tuple[Side, Side]:
        """The side to add to (a thin side more often), then the other as a fallback."""
        thin_bids = len(self.book.bids) < self.params.min_levels
        thin_asks = len(self.book.asks) < self.params.min_levels
        buy_prob = 0.5 if thin_bids == thin_asks else (0.75 if thin_bids else 0.25)
        return (Side.BUY, Side.SELL) if self.rng.random() < buy_prob else (Side.SELL, Side.BUY)

    def _quote_price(self, side: Side, k: int) -> int | None:
        """`k` ticks from the fair value, inside the bounds, never crossing the other side."""
        tick = self.book.tick.pips
        sign = -1 if side is Side.BUY else 1
        price = round_to_tick(self.fair_pips() + sign * k * tick, self.book.tick, side)
        price = min(max(price, tick), ONE - tick)
        other = self.book.best(side.opposite)
        if other is not None:  # a resting order never crosses: that would be a trade
            price = min(price, other - tick) if side is Side.BUY else max(price, other + tick)
        return price if in_bounds(price, self.book.tick) else None

    def _add(self) -> list[Emission]:
        k = self.market.half_spread_ticks + int(self.rng.geometric(0.35)) - 1
        size = self._shares(self.params.order_median_shares * (1 + 0.25 * k), 1.2)
        for side in self._add_sides():
            price = self._quote_price(side, k)
            if price is not None:
                return [self._price_change(list(self.book.add(side, price, size)))]
        return []

    def _stale_side(self) -> Side | None:
        """A side whose best quote sits on the wrong side of the fair value (makers pull it)."""
        fair, tick = self.fair_pips(), self.book.tick.pips
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if bid is not None and bid > fair + tick and len(self.book.bids) > 1:
            return Side.BUY
        if ask is not None and ask < fair - tick and len(self.book.asks) > 1:
            return Side.SELL
        return None

    def _cancel(self) -> list[Emission]:
        book = self.book
        stale = self._stale_side()
        best = None if stale is None else book.best(stale)
        if stale is not None and best is not None:
            return [self._price_change(list(book.set_level(stale, best, 0)))]
        side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
        levels = book.side(side)
        if len(levels) <= 1:
            return []
        ordered = sorted(levels, reverse=side is Side.BUY)  # best first
        if len(levels) > self.params.max_levels:
            price, keep = ordered[-1], 0
        else:
            price = ordered[int(self.rng.integers(0, len(ordered)))]
            keep = int(levels[price] * self.rng.uniform(0.0, 0.8)) // _LOT * _LOT
            if keep < SIZE_SCALE:
                keep = 0
        return [self._price_change(list(book.set_level(side, price, keep)))]

    def _consumed_side(self) -> Side:
        """Which YES side a taker hits: SELL (the asks) when the taker buys YES."""
        informed = self.params.informed_prob if self.bursting() else self.params.calm_informed_prob
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if bid is not None and ask is not None and self.rng.random() < informed:
            return Side.SELL if 2 * self.fair_pips() > bid + ask else Side.BUY
        return Side.SELL if self.rng.random() < 0.5 else Side.BUY

    def _trade(self) -> list[Emission]:
        consumed = self._consumed_side()
        levels = self.book.side(consumed)
        if len(levels) < 2:
            return []
        ordered = sorted(levels, reverse=consumed is Side.BUY)
        available = sum(levels[price] for price in ordered[:-1])  # never empty a side
        median = self.params.trade_median_shares * (3 if self.bursting() else 1)
        remaining = min(self._shares(median, 1.0), available)
        on_yes = self.rng.random() < 0.5
        prints: list[Emission] = []
        changes: list[LevelChange] = []
        for price in ordered:
            if remaining == 0:
                break
            take = min(remaining, levels[price])
            remaining -= take
            prints.append((self._print(consumed, price, take, on_yes=on_yes),))
            changes.extend(self.book.set_level(consumed, price, levels[price] - take))
        return [*prints, self._price_change(changes)]

    def _print(self, consumed: Side, price: int, size: int, *, on_yes: bool) -> Trade:
        # Hitting YES asks is a YES buy, or equally a NO sell at the complement.
        yes_taker = Side.BUY if consumed is Side.SELL else Side.SELL
        info = self.book.market
        return Trade(
            market=info.condition_id,
            asset_id=info.yes_token if on_yes else info.no_token,
            ts_ms=self.now,
            price=price if on_yes else complement(price),
            size=size,
            taker_side=yes_taker if on_yes else yes_taker.opposite,
            trade_id="",
        )

    # -- tick size and resolution ------------------------------------------------------
    def _tick_check(self) -> list[Emission]:
        bid, ask = self.book.best_bid(), self.book.best_ask()
        old = self.book.tick
        near_bound = (bid is not None and bid > 9600) or (ask is not None and ask < 400)
        back_inside = bid is not None and ask is not None and bid >= 600 and ask <= 9400
        if old is Tick.T0_01 and near_bound:
            new = Tick.T0_001
        elif old is Tick.T0_001 and back_inside:
            new = Tick.T0_01
        else:
            return []
        self.book.regrid(new)
        info = self.book.market
        changes: list[Emission] = [
            (TickChangeEvent(info.condition_id, token, self.now, old, new),)
            for token in info.tokens
        ]
        return changes + self._snapshots()

    def _resolution(self) -> MarketResolved:
        info = self.book.market
        crypto = self.market.crypto
        if crypto is not None and self.spot is not None:
            yes_wins = self.spot.cents_at(crypto.symbol, crypto.cutoff_ms) > crypto.strike_cents
        else:
            yes_wins = bool(self.rng.random() < self.fair())
        winner = info.yes_token if yes_wins else info.no_token
        return MarketResolved(info.condition_id, self.now, winner, info.tokens)
