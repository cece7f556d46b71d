"""Both legs of one match, printed once per token, count once.

The venue may print a match on both tokens' streams: a YES taker buying at p against a NO
bid at 1 - p shows as YES BUY p and NO SELL 1 - p, same venue timestamp and size. Seen from
YES (the complement mirrored: price 1 - p, the other side) the two prints are identical, so a
print from one token pairs with an unpaired identical print from the other token and is
dropped. Two identical prints on the same token are two matches and both count. Keys older
than `window_ms` of venue time are forgotten (the legs of one match share a timestamp).
"""

from __future__ import annotations

from collections import deque

from astra.domain.events import Trade
from astra.domain.fill_model import in_frame
from astra.domain.market import MarketInfo
from astra.domain.prices import Side

_Key = tuple[int, int, int, Side]  # venue ts, size, YES-frame price, YES-frame taker side


class MatchLegs:
    def __init__(self, market: MarketInfo, window_ms: int = 60_000) -> None:
        self._yes = market.yes_token
        self._window_ms = window_ms
        self._unpaired: dict[_Key, list[str]] = {}
        self._order: deque[tuple[int, _Key]] = deque()

    def duplicate(self, trade: Trade) -> bool:
        """True when `trade` is the second leg of a match already counted."""
        self._forget(trade.ts_ms)
        side, price = in_frame(self._yes, trade.asset_id, trade.taker_side, trade.price)
        key = (trade.ts_ms, trade.size, price, side)
        seen = self._unpaired.setdefault(key, [])
        for index, asset in enumerate(seen):
            if asset != trade.asset_id:
                del seen[index]
                return True
        seen.append(trade.asset_id)
        self._order.append((trade.ts_ms, key))
        return False

    def _forget(self, ts_ms: int) -> None:
        while self._order and self._order[0][0] < ts_ms - self._window_ms:
            _, key = self._order.popleft()
            self._unpaired.pop(key, None)
