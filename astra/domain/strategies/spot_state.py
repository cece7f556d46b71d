"""Latest spot per underlying, an evenly sampled recent path for volatility, and staleness.

The feed side (or a replay) hands every `SpotPrice` to a `SpotTracker`; a market's view gets
the `SpotView` of its contract's symbol (`spot_symbol`). Prices are sampled on a fixed grid of
`sample_interval_ms` (the last print in each interval), because the realised-vol estimator
needs evenly spaced returns. A missing interval is not papered over with a repeated price
(that would invent zero returns and understate vol): the path restarts after a gap, so a
gappy feed yields too few returns and the strategy skips with `insufficient_samples`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from astra.domain.contracts.contract import CryptoThresholdContract
from astra.domain.events import SpotPrice
from astra.domain.strategies.protocol import SpotView


def spot_symbol(contract: CryptoThresholdContract) -> str:
    """The spot symbol a contract needs: lower-case underlying + quote, e.g. "btcusdt"."""
    return f"{contract.underlying}{contract.quote}".lower()


def spot_age_ms(spot: SpotView, now_ms: int) -> int:
    return now_ms - spot.ts_ms


@dataclass(slots=True)
class _Path:
    price: Decimal
    ts_ms: int
    bucket: int
    samples: deque[float]


class SpotTracker:
    """Per symbol: the newest exact price and up to `max_samples` evenly sampled prices."""

    def __init__(self, sample_interval_ms: int = 60_000, max_samples: int = 241) -> None:
        if sample_interval_ms <= 0 or max_samples < 2:
            raise ValueError("spot sampling needs a positive interval and >= 2 samples")
        self._interval = sample_interval_ms
        self._max = max_samples
        self._paths: dict[str, _Path] = {}

    def on_spot(self, event: SpotPrice) -> bool:
        """Record a print; False (ignored) when it is not a positive finite number or is
        older than the newest print of its symbol (out-of-order delivery)."""
        price = _parse(event.value)
        if price is None:
            return False
        symbol = event.symbol.lower()
        bucket = event.ts_ms // self._interval
        path = self._paths.get(symbol)
        if path is None or bucket > path.bucket + 1:
            self._paths[symbol] = _Path(
                price, event.ts_ms, bucket, deque([float(price)], self._max)
            )
            return True
        if event.ts_ms < path.ts_ms:
            return False
        if bucket == path.bucket:
            path.samples[-1] = float(price)
        else:
            path.samples.append(float(price))
        path.price, path.ts_ms, path.bucket = price, event.ts_ms, bucket
        return True

    def view(self, symbol: str) -> SpotView | None:
        path = self._paths.get(symbol.lower())
        if path is None:
            return None
        return SpotView(
            symbol=symbol.lower(),
            price=path.price,
            ts_ms=path.ts_ms,
            samples=tuple(path.samples),
            sample_interval_ms=self._interval,
        )

    def symbols(self) -> tuple[str, ...]:
        return tuple(sorted(self._paths))


def _parse(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    return value
