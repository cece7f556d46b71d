"""The garbage collector's policy for a long-running trader.

CPython's cyclic collector stops every thread while it runs. Measured in the latency bench
(1,000 markets, 5,000 events/s offered): a full collection walked the whole start-up heap —
books, strategies, contracts of every market — for 125-150 ms, the largest single stall in
the run, and young collections every 700 allocations added 3-12 ms ones. After the engine is
up, what start-up built lives for the whole run, so it is moved out of the collector's view
(`gc.freeze`), and young collections run every `threshold0` allocations instead of 700.
Cycles are still collected, only less often: nothing in the trading path builds them by
design, so memory does not grow with the higher threshold (the soak tests watch RSS).
"""

from __future__ import annotations

import gc

DEFAULT_THRESHOLD0 = 50_000


def settle_heap(threshold0: int = DEFAULT_THRESHOLD0) -> None:
    """Collect once, freeze the survivors, and raise the young-generation threshold
    (`threshold0` 0 keeps the interpreter's own thresholds)."""
    gc.collect()
    gc.freeze()
    if threshold0 > 0:
        _, second, third = gc.get_threshold()
        gc.set_threshold(threshold0, second, third)


def release_heap() -> None:
    """At the end of a run: frozen objects become collectable again (a process that runs
    several engines, like the test suite, must not keep every finished run's heap)."""
    gc.unfreeze()
