"""How big the slow (soak) tests run: ASTRA_SLOW_SCALE.

"small" (what CI sets) and unset mean a quick run; "full" or "1" means the acceptance size;
any other number is a fraction of the acceptance size.
"""

from __future__ import annotations

import os

SMALL = 0.05


def slow_scale() -> float:
    raw = os.environ.get("ASTRA_SLOW_SCALE", "small").strip().lower()
    if raw in {"", "small"}:
        return SMALL
    if raw == "full":
        return 1.0
    value = float(raw)
    if not 0 < value <= 1:
        raise ValueError(f"ASTRA_SLOW_SCALE must be in (0, 1], 'small' or 'full', got {raw!r}")
    return value


def scaled(full_size: int, minimum: int = 1) -> int:
    return max(minimum, round(full_size * slow_scale()))
