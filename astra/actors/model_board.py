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
    def __init__(self, contracts: Mapping[str, DefinitionContract]) -> None:
        routes: dict[str, list[str]] = {}
        self._contracts: dict[str, DefinitionContract] = {}
        for market, contract in sorted(contracts.items()):
            key = contract_model_key(contract)
            if key is not None:
                routes.setdefault(key, []).append(market)
                self._contracts.setdefault(key, contract)
        self._routes = {key: tuple(ids) for key, ids in routes.items()}

    def markets(self, key: str) -> tuple[str, ...]:
        return self._routes.get(key, ())

    def frame_keys(self) -> list[str]:
        return sorted(self._routes)

    def contract(self, key: str) -> DefinitionContract | None:
        """One contract that reads `key` (all of them read the same frame)."""
        return self._contracts.get(key)
