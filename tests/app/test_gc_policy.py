"""The collector policy: start-up's heap frozen, young collections rarer, undone at the end."""

from __future__ import annotations

import gc

from astra.app.gc_policy import release_heap, settle_heap


def test_settle_freezes_and_raises_the_young_threshold_and_release_undoes_the_freeze() -> None:
    before = gc.get_threshold()
    survivor = [object() for _ in range(100)]
    try:
        settle_heap(12_345)
        assert gc.get_freeze_count() >= len(survivor)
        assert gc.get_threshold() == (12_345, before[1], before[2])
        release_heap()
        assert gc.get_freeze_count() == 0
        settle_heap(0)  # 0 keeps the thresholds as they are
        assert gc.get_threshold() == (12_345, before[1], before[2])
    finally:
        release_heap()
        gc.set_threshold(*before)
