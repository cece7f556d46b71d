"""Flow toxicity per market: spread regime, order-flow imbalance, quote churn, VPIN.

Definitions (all over a window of the last `window` book observations, O(1) per update
through running sums over ring buffers, never a recomputation over the window):

* regime: from the current touch. Crossed, locked, one-sided or empty -> BROKEN. Otherwise
  the spread is TIGHT when it is at most `tight_ticks` ticks *or* at most `tight_pips`
  (so a one-tick book is always TIGHT, unlike the original fraction-only rule), NORMAL /
  WIDE likewise with their own bounds, and BROKEN beyond WIDE.
* ofi: Cont-Kukanov-Stoikov order-flow imbalance at the touch, summed over the window and
  normalised by the summed absolute contributions, so it is in [-1, 1].
* churn: the share of observations in the window whose touch prices moved, in [0, 1].
* vpin: volume-bucketed VPIN (`vpin.Vpin`) of the trade stream, in [0, 1].
* score: a weighted sum of |ofi|, churn, vpin and a regime penalty, clipped to [0, 1].

Gating: with fewer than `min_samples` book observations, ofi/churn/score are neutral (0)
and `toxic` is False; VPIN is neutral until `min_buckets` buckets are full. Too little
data never produces fake toxicity. The regime needs no warm-up: it is the current book.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

from astra.domain.book import TokenBook
from astra.domain.events import Level, Trade
from astra.domain.prices import Tick
from astra.domain.vpin import Vpin


class SpreadRegime(enum.StrEnum):
    TIGHT = "tight"
    NORMAL = "normal"
    WIDE = "wide"
    BROKEN = "broken"


_REGIME_PENALTY = {
    SpreadRegime.TIGHT: 0.0,
    SpreadRegime.NORMAL: 1 / 3,
    SpreadRegime.WIDE: 2 / 3,
    SpreadRegime.BROKEN: 1.0,
}


@dataclass(frozen=True, slots=True)
class ToxicityConfig:
    window: int = 50
    min_samples: int = 10
    tight_ticks: int = 1
    tight_pips: int = 100
    normal_ticks: int = 3
    normal_pips: int = 300
    wide_ticks: int = 10
    wide_pips: int = 1000
    vpin_bucket_volume: int = 1_000_000_000  # micro-shares (1,000 shares)
    vpin_buckets: int = 50
    vpin_min_buckets: int = 5
    weight_ofi: float = 0.3
    weight_churn: float = 0.2
    weight_vpin: float = 0.3
    weight_regime: float = 0.2
    threshold: float = 0.7

    def __post_init__(self) -> None:
        if self.window <= 0 or not 0 < self.min_samples <= self.window:
            raise ValueError("toxicity needs 0 < min_samples <= window")
        weights = (self.weight_ofi, self.weight_churn, self.weight_vpin, self.weight_regime)
        if any(not 0 <= w <= 1 for w in weights) or sum(weights) > 1 + 1e-9:
            raise ValueError("toxicity weights must be in [0, 1] and sum to at most 1")


@dataclass(frozen=True, slots=True)
class ToxicitySnapshot:
    regime: SpreadRegime
    ofi: float
    churn: float
    vpin: float
    score: float
    toxic: bool
    samples: int
    vpin_buckets: int = 0
    updated_ms: int | None = None


def classify_spread(book: TokenBook, config: ToxicityConfig) -> SpreadRegime:
    """Spread regime of the current touch, by ticks or by absolute pips."""
    return classify_touch(book.best_bid(), book.best_ask(), book.tick, book.synced, config)


def classify_touch(
    bid: Level | None, ask: Level | None, tick: Tick | None, synced: bool, config: ToxicityConfig
) -> SpreadRegime:
    """`classify_spread` from a touch already read (the market view has it at hand)."""
    if bid is None or ask is None or not synced or ask[0] <= bid[0]:
        return SpreadRegime.BROKEN
    spread = ask[0] - bid[0]
    ticks = spread // tick.pips if tick is not None else None
    if spread <= config.tight_pips or (ticks is not None and ticks <= config.tight_ticks):
        return SpreadRegime.TIGHT
    if spread <= config.normal_pips or (ticks is not None and ticks <= config.normal_ticks):
        return SpreadRegime.NORMAL
    if spread <= config.wide_pips or (ticks is not None and ticks <= config.wide_ticks):
        return SpreadRegime.WIDE
    return SpreadRegime.BROKEN


def ofi_contribution(prev: tuple[Level, Level], cur: tuple[Level, Level]) -> int:
    """One observation's order-flow imbalance at the touch (Cont, Kukanov & Stoikov 2014)."""
    (pb, qb), (pa, qa) = prev
    (cb, cqb), (ca, cqa) = cur
    flow = 0
    if cb >= pb:
        flow += cqb
    if cb <= pb:
        flow -= qb
    if ca <= pa:
        flow -= cqa
    if ca >= pa:
        flow += qa
    return flow


class _Window:
    """Fixed-size ring of (ofi, |ofi|, moved) with running sums."""

    __slots__ = ("_items", "_size", "abs_ofi", "moved", "ofi")

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: deque[tuple[int, int, int]] = deque()
        self.ofi = 0
        self.abs_ofi = 0
        self.moved = 0

    def push(self, ofi: int, moved: int) -> None:
        self._items.append((ofi, abs(ofi), moved))
        self.ofi += ofi
        self.abs_ofi += abs(ofi)
        self.moved += moved
        if len(self._items) > self._size:
            old_ofi, old_abs, old_moved = self._items.popleft()
            self.ofi -= old_ofi
            self.abs_ofi -= old_abs
            self.moved -= old_moved

    def __len__(self) -> int:
        return len(self._items)


class ToxicityState:
    """Toxicity of one market's flow. Trades on `flip_asset` (the complementary token) count
    with the taker side reversed: buying NO is selling YES."""

    def __init__(self, config: ToxicityConfig, *, flip_asset: str | None = None) -> None:
        self.config = config
        self._flip_asset = flip_asset
        self._window = _Window(config.window)
        self._vpin = Vpin(config.vpin_bucket_volume, config.vpin_buckets)
        self._prev_touch: tuple[Level, Level] | None = None
        self._observed = False
        self._regime = SpreadRegime.BROKEN
        self._updated_ms: int | None = None

    def on_book(self, book: TokenBook, now_ms: int) -> None:
        """Observe the book after an update."""
        self._regime = classify_spread(book, self.config)
        bid, ask = book.best_bid(), book.best_ask()
        touch = (bid, ask) if bid is not None and ask is not None else None
        prev = self._prev_touch
        if touch is None or prev is None:
            # Gaining or losing a side is churn; the very first observation is not.
            self._window.push(0, int(touch != prev and self._observed))
        else:
            moved = int(touch[0][0] != prev[0][0] or touch[1][0] != prev[1][0])
            self._window.push(ofi_contribution(prev, touch), moved)
        self._prev_touch = touch
        self._observed = True
        self._updated_ms = now_ms

    def on_trade(self, trade: Trade, now_ms: int) -> None:
        side = trade.taker_side
        if trade.asset_id == self._flip_asset:
            side = side.opposite
        self._vpin.add(trade.size, side)
        self._updated_ms = now_ms

    def snapshot(self) -> ToxicitySnapshot:
        cfg = self.config
        samples = len(self._window)
        vpin = self._vpin.value() if self._vpin.full_buckets >= cfg.vpin_min_buckets else 0.0
        if samples < cfg.min_samples:
            return ToxicitySnapshot(
                self._regime, 0.0, 0.0, vpin, 0.0, False, samples,
                self._vpin.full_buckets, self._updated_ms,
            )  # fmt: skip
        win = self._window
        ofi = win.ofi / win.abs_ofi if win.abs_ofi else 0.0
        churn = win.moved / samples
        raw = (
            cfg.weight_ofi * abs(ofi)
            + cfg.weight_churn * churn
            + cfg.weight_vpin * vpin
            + cfg.weight_regime * _REGIME_PENALTY[self._regime]
        )
        score = min(1.0, max(0.0, raw))
        return ToxicitySnapshot(
            self._regime, ofi, churn, vpin, score, score >= cfg.threshold, samples,
            self._vpin.full_buckets, self._updated_ms,
        )  # fmt: skip
