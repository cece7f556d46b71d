"""The latest weather/rates model frame per key, and which markets read each key.

The engine owns one `ModelBoard` (like the spot trackers), so a restarted MarketActor reads
the frames that arrived before it instead of waiting for the next poll. A frame replaces the
one under its key only if it is not older (`ts_ms`): out-of-order delivery never rolls a
market back to an older forecast. `ModelRoutes` maps each frame key to the markets whose
contract asks for it (`contract_model_key`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.models.frames import ModelFrame, contract_model_key


class ModelBoard:
    def __init__(self) -> None:
        self._frames: dict[str, ModelFrame] = {}
        self._lock = threading.Lock()

    def offer(self, frame: ModelFrame) -> bool:
        """Keep `frame` if it is the newest of its key; False (ignored) when older."""
        with self._lock:
            current = self._frames.get(frame.key)
            if current is not None and frame.ts_ms < current.ts_ms:
                return False
            self._frames[frame.key] = frame
            return True

    def get(self, key: str) -> ModelFrame | None:
        with self._lock:
            return self._frames.get(key)


class ModelRoutes:
    """Frame key -> the markets that read it. The living universe adds and retires markets
    (`add`, `remove`); each change swaps in a whole new table, so a reader on another thread
    (the poller) sees the table before or after a change, never half of one."""

    def __init__(self, contracts: Mapping[str, DefinitionContract]) -> None:
        self._lock = threading.Lock()
        self._by_market: dict[str, tuple[str, DefinitionContract]] = {}
        for market, contract in contracts.items():
            key = contract_model_key(contract)
            if key is not None:
                self._by_market[market] = (key, contract)
        self._table = self._build()

    def _build(self) -> tuple[dict[str, tuple[str, ...]], dict[str, DefinitionContract]]:
        routes: dict[str, list[str]] = {}
        contracts: dict[str, DefinitionContract] = {}
        for market, (key, contract) in sorted(self._by_market.items()):
            routes.setdefault(key, []).append(market)
            contracts.setdefault(key, contract)
        return {key: tuple(ids) for key, ids in routes.items()}, contracts

    def add(self, market: str, contract: DefinitionContract) -> bool:
        """Route `market` (added live) if its contract reads a model key; False if it reads none."""
        key = contract_model_key(contract)
        if key is None:
            return False
        with self._lock:
            self._by_market[market] = (key, contract)
            self._table = self._build()
        return True

    def remove(self, market: str) -> None:
        """Stop routing frames to a retired market (its key goes when no market reads it)."""
        with self._lock:
            if self._by_market.pop(market, None) is not None:
                self._table = self._build()

    def markets(self, key: str) -> tuple[str, ...]:
        return self._table[0].get(key, ())

    def frame_keys(self) -> list[str]:
        return sorted(self._table[0])

    def contract(self, key: str) -> DefinitionContract | None:
        """One contract that reads `key` (all of them read the same frame)."""
        return self._table[1].get(key)
