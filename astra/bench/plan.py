"""How big each part of the bench is, per scale (full, --quick, and the test-sized tiny)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BenchPlan:
    scale: str
    market_counts: tuple[int, ...]
    min_events: int  # events per throughput run (at least 4 per market as well)
    latency_markets: int
    latency_rates: tuple[int, ...]
    latency_seconds: float
    halt_markets: int
    halt_rounds: int
    startup_markets: int
    compare_threads_at: int  # also run this market count on a thread per market

    def events_for(self, markets: int) -> int:
        return max(self.min_events, 4 * markets)


FULL = BenchPlan("full", (10, 100, 1_000, 5_000), 20_000, 1_000, (1_000, 5_000, 20_000), 2.0,
                 1_000, 20, 1_000, 1_000)  # fmt: skip
QUICK = BenchPlan("quick", (10, 100, 1_000), 5_000, 200, (1_000, 5_000, 20_000), 0.5,
                  200, 5, 200, 1_000)  # fmt: skip
TINY = BenchPlan("tiny", (5, 20), 400, 10, (200, 500), 0.25, 10, 2, 10, 20)  # fmt: skip
PLANS = {plan.scale: plan for plan in (FULL, QUICK, TINY)}
