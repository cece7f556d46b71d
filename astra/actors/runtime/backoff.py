"""Restart backoff: exponential, capped, with seeded jitter (Akka's min/max/randomFactor).

delay(n) = min(cap, base * factor**(n-1) * (1 + jitter * u)), u uniform in [0, 1) from a
seeded numpy Generator, so a run's delays are reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAX_EXPONENT = 62  # beyond this every sane cap is reached; avoids float overflow


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    base_ms: int = 100
    cap_ms: int = 30_000
    factor: float = 2.0
    jitter: float = 0.2  # fraction of the delay added at random
    reset_after_ms: int = 60_000  # a child alive this long starts its backoff over

    def __post_init__(self) -> None:
        if self.base_ms < 0 or self.cap_ms < self.base_ms:
            raise ValueError("backoff needs 0 <= base_ms <= cap_ms")
        if self.factor < 1.0 or not 0.0 <= self.jitter <= 1.0:
            raise ValueError("backoff needs factor >= 1 and 0 <= jitter <= 1")


class Backoff:
    def __init__(self, policy: BackoffPolicy, seed: int) -> None:
        self.policy = policy
        self._rng = np.random.default_rng(seed)

    def delay_ms(self, attempt: int) -> int:
        """The wait before restart number `attempt` (1-based) of one child."""
        if attempt < 1:
            raise ValueError("attempts count from 1")
        policy = self.policy
        raw = policy.base_ms * policy.factor ** min(attempt - 1, _MAX_EXPONENT)
        jittered = raw * (1.0 + policy.jitter * float(self._rng.random()))
        return int(min(float(policy.cap_ms), jittered))
