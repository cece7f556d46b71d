"""Cost of one book update plus one toxicity update, for small and large windows.

The toxicity state keeps running sums over ring buffers, so the per-update cost must not
grow with the window. Run: .venv/bin/python -m benchmarks.bench_book_toxicity
"""

from __future__ import annotations

import sys
import time

import numpy as np

from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot, LevelChange
from astra.domain.prices import Side, Tick
from astra.domain.toxicity import ToxicityConfig, ToxicityState

UPDATES = 50_000
REPEATS = 5
WINDOWS = (50, 500, 5_000)
FLAT_TOLERANCE = 0.20


def _changes(n: int, seed: int) -> list[LevelChange]:
    rng = np.random.default_rng(seed)
    sides = rng.integers(0, 2, n)
    offsets = rng.integers(0, 40, n)
    sizes = rng.integers(0, 5_000, n) * 1_000_000
    out = []
    for side, off, size in zip(sides, offsets, sizes, strict=True):
        bid = bool(side == 0)
        price = 4_990 - 10 * int(off) if bid else 5_010 + 10 * int(off)
        out.append(LevelChange("Y", Side.BUY if bid else Side.SELL, price, int(size)))
    return out


def _fresh_book() -> TokenBook:
    book = TokenBook("Y", Tick.T0_001)
    bids = tuple((4_990 - 10 * i, 1_000_000_000) for i in range(40))
    asks = tuple((5_010 + 10 * i, 1_000_000_000) for i in range(40))
    book.apply_snapshot(BookSnapshot("m", "Y", 0, bids, asks))
    return book


def per_update_us(window: int, changes: list[LevelChange]) -> float:
    """Best-of-REPEATS mean microseconds for book.apply_change + toxicity.on_book."""
    best = float("inf")
    for _ in range(REPEATS):
        book = _fresh_book()
        state = ToxicityState(ToxicityConfig(window=window, min_samples=min(10, window)))
        # Fill the window first so the large window is measured when full (evictions on).
        for i, change in enumerate(changes[:window]):
            book.apply_change(change, i)
            state.on_book(book, i)
        start = time.perf_counter()
        for i, change in enumerate(changes):
            book.apply_change(change, i)
            state.on_book(book, i)
        state.snapshot()
        best = min(best, (time.perf_counter() - start) / len(changes) * 1e6)
    return best


def main() -> int:
    changes = _changes(UPDATES, seed=42)
    results = {w: per_update_us(w, changes) for w in WINDOWS}
    for window, cost in results.items():
        print(f"window {window:>5}: {cost:6.2f} us per book+toxicity update")
    ratio = results[WINDOWS[-1]] / results[WINDOWS[0]]
    flat = abs(ratio - 1) <= FLAT_TOLERANCE
    print(f"ratio {WINDOWS[-1]}/{WINDOWS[0]} = {ratio:.3f} -> {'flat' if flat else 'NOT flat'}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
