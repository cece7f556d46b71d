"""Small measurement helpers: percentiles and this process's resident memory."""

from __future__ import annotations

import resource
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_STATUS = Path("/proc/self/status")


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    p50: float
    p99: float
    p999: float
    max: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            "p50": round(self.p50, 3),
            "p99": round(self.p99, 3),
            "p99_9": round(self.p999, 3),
            "max": round(self.max, 3),
        }


def percentiles(samples: list[float]) -> Percentiles:
    if not samples:
        return Percentiles(0, 0.0, 0.0, 0.0, 0.0)
    values = np.asarray(samples, dtype=float)
    p50, p99, p999 = (float(v) for v in np.percentile(values, [50, 99, 99.9]))
    return Percentiles(len(samples), p50, p99, p999, float(values.max()))


def rss_bytes() -> int:
    """Current resident set size (VmRSS); the peak from getrusage where /proc is missing."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
