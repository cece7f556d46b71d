"""Seeded, vectorised percentile bootstrap for confidence intervals.

Any confidence level in (0, 1) is honoured exactly (the original silently used 1.96 for
anything but 0.90/0.95/0.99). The statistic is applied to all resamples at once: it takes a
(n_resamples, n) array and returns n_resamples values. Resamples whose statistic is not finite
(e.g. zero variance) are dropped; if most are, there is no interval.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Statistic = Callable[[FloatArray], FloatArray]


def bootstrap_ci(
    values: FloatArray,
    statistic: Statistic,
    rng: np.random.Generator,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile interval of `statistic` over iid resamples of `values`, or None."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence {confidence} must be in (0, 1)")
    if n_resamples < 1:
        raise ValueError("n_resamples must be >= 1")
    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 1 or data.size < 2:
        return None
    idx = rng.integers(0, data.size, size=(n_resamples, data.size))
    stats = statistic(data[idx])
    finite = stats[np.isfinite(stats)]
    if finite.size < n_resamples // 2:
        return None
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)
