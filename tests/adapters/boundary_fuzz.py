"""A seeded mutator over every genuine venue fixture, and the per-decoder fuzz runs.

Each case takes one fixture message, applies one to three mutations (a hostile value at a
random leaf, a deleted key, a byte flipped, inserted or cut in the text, a nesting bomb) and
feeds the result to one boundary decoder. A case *escapes* when the decoder raises anything;
it is *out of range* when the decoder accepts a value outside the documented limits
(astra/adapters/bounded.py). Both must be zero. `python -m tests.adapters.boundary_fuzz N`
prints the figures per decoder.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from astra.adapters.bounded import (
    MAX_FEE_RATE_BPS,
    MAX_MAGNITUDE,
    MAX_SIZE_MICROS,
    MAX_TIMESTAMP_MS,
    MIN_TIMESTAMP_MS,
)
from astra.adapters.polymarket.clob_rest import book_result
from astra.adapters.polymarket.gamma_mapping import Rejection, map_market
from astra.adapters.polymarket.ws_decode import decode_market_frame
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.domain.events import (
    BestBidAsk,
    BookSnapshot,
    MarketEvent,
    PriceChange,
    SpotPrice,
    Trade,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import ONE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
_HOLE = "\u0000hostile\u0000"

# Raw JSON texts that a hostile or broken venue could send in place of any value.
HOSTILE_TEXTS = (
    '"1e999999999"', '"-1e999999999"', '"1e400"', "1e400", '"1e-400"', "1e999",
    '"' + "9" * 5000 + '"', "9" * 5000, '"NaN"', '"Infinity"', '"-Infinity"',
    "1.7976931348623157e308", "-0.0", '""', "null", "true", "[]", "{}", '"99999999999999"',
    '"4102444800000"', '"1577836799999"', '"1e13"', '"1000000000.000001"', '"1000000000"',
    '"0x10"', '"1_000"', '" 1"', '"\uff11"', '"0.00001"', '"1.0000"', '"-1"', '"0"',
    "18446744073709551616", "-9223372036854775809", "[" * 40 + "]" * 40,
    "[" * 2000 + "]" * 2000, '{"a":' * 40 + "1" + "}" * 40, '"' + "x" * 100_000 + '"',
    '"0.5"', '"0.01"', '"BUY"', '"SELL"',
)  # fmt: skip


def _fixture_texts(folder: str) -> list[str]:
    return [p.read_text() for p in sorted((FIXTURES / folder).glob("*.json"))]


def ws_market_messages() -> list[Any]:
    """Every genuine message of the WS fixtures (market and user channel), one per entry."""
    messages: list[Any] = []
    for text in _fixture_texts("ws_market") + _fixture_texts("ws_user"):
        value = json.loads(text)
        messages.extend(value if isinstance(value, list) else [value])
    return messages


def rtds_messages() -> list[Any]:
    return [json.loads(t) for t in _fixture_texts("rtds")]


def gamma_markets() -> list[tuple[Any, Any]]:
    """(market, parent event or None) for every market in the Gamma fixtures."""
    pairs: list[tuple[Any, Any]] = []
    for text in _fixture_texts("gamma"):
        value = json.loads(text)
        events = value.get("events", []) if isinstance(value, dict) else value
        if isinstance(value, dict) and "conditionId" in value:
            pairs.append((value, None))
        for event in events if isinstance(events, list) else []:
            if isinstance(event, dict):
                pairs.extend((m, event) for m in event.get("markets", []))
    return pairs


def clob_books() -> list[Any]:
    return [json.loads(t) for t in _fixture_texts("clob_rest") if '"bids"' in t]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    target = value
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return value


class Mutator:
    """Seeded mutations of one JSON value, returned as text."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def text(self, value: Any) -> str:
        copy = json.loads(json.dumps(value))
        hostile = None
        for _ in range(self.rng.randint(1, 3)):
            paths = list(_leaves(copy))
            path = self.rng.choice(paths)
            kind = self.rng.random()
            if kind < 0.6 and hostile is None:
                hostile = self.rng.choice(HOSTILE_TEXTS)
                copy = _set(copy, path, _HOLE)
            elif kind < 0.8 and path:
                parent = copy
                for key in path[:-1]:
                    parent = parent[key]
                del parent[path[-1]]
            else:
                copy = _set(copy, path, self._number_near(self.rng.choice(paths)))
        text = json.dumps(copy)
        if hostile is not None:
            text = text.replace(json.dumps(_HOLE), hostile, 1)
        return self._bytes(text) if self.rng.random() < 0.25 else text

    def _number_near(self, _path: tuple[Any, ...]) -> Any:
        choices: list[Any] = [
            str(MAX_SIZE_MICROS // 10**6 + self.rng.randint(-2, 2)),
            str(MAX_TIMESTAMP_MS + self.rng.randint(-2, 2)),
            str(MIN_TIMESTAMP_MS + self.rng.randint(-2, 2)),
            f"{self.rng.random():.{self.rng.randint(1, 7)}f}",
            f"{self.rng.randint(0, 10 ** self.rng.randint(1, 30))}e{self.rng.randint(-50, 50)}",
            self.rng.uniform(-1e20, 1e20),
            self.rng.randint(-(2**70), 2**70),
        ]
        return self.rng.choice(choices)

    def _bytes(self, text: str) -> str:
        data = bytearray(text.encode())
        at = self.rng.randrange(len(data) + 1)
        move = self.rng.random()
        if move < 0.3:
            del data[at:]
        elif move < 0.6 and data:
            data[min(at, len(data) - 1)] = self.rng.randrange(256)
        else:
            data[at:at] = self.rng.choice([b"[", b"{", b'"', b",", b"e9999", b"\\"])
        return data.decode("utf-8", errors="replace")


@dataclass
class FuzzStats:
    """What one decoder did with `cases` mutated inputs."""

    cases: int = 0
    accepted: int = 0
    rejections: Counter[str] = field(default_factory=Counter)
    escapes: list[str] = field(default_factory=list)
    out_of_range: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.rejections.items()))
        return (
            f"{name}: cases={self.cases} accepted={self.accepted} escapes={len(self.escapes)} "
            f"out_of_range_accepted={len(self.out_of_range)} rejections: {reasons}"
        )


def _ts_ok(ts: int) -> bool:
    return MIN_TIMESTAMP_MS <= ts < MAX_TIMESTAMP_MS


def _size_ok(size: int) -> bool:
    return 0 <= size <= MAX_SIZE_MICROS


def _price_ok(pips: int) -> bool:
    return 0 < pips < ONE


def _touches_ok(*touches: int | None) -> bool:
    return all(0 <= t <= ONE for t in touches if t is not None)


def _levels_ok(event: BookSnapshot) -> bool:
    return all(_price_ok(p) and 0 < s <= MAX_SIZE_MICROS for p, s in (*event.bids, *event.asks))


def _changes_ok(event: PriceChange) -> bool:
    return all(
        _price_ok(c.price) and _size_ok(c.size) and _touches_ok(c.best_bid, c.best_ask)
        for c in event.changes
    )


def _trade_ok(event: Trade) -> bool:
    return (
        _price_ok(event.price)
        and 0 < event.size <= MAX_SIZE_MICROS
        and 0 <= event.fee_rate_bps <= MAX_FEE_RATE_BPS
    )


def market_event_problem(event: MarketEvent) -> str | None:
    """Why an accepted event holds a value outside the limits (None when it does not)."""
    if not _ts_ok(event.ts_ms):
        return f"timestamp {event.ts_ms}"
    ok = True
    if isinstance(event, BookSnapshot):
        ok = _levels_ok(event)
    elif isinstance(event, PriceChange):
        ok = _changes_ok(event)
    elif isinstance(event, Trade):
        ok = _trade_ok(event)
    elif isinstance(event, BestBidAsk):
        ok = _touches_ok(event.best_bid, event.best_ask)
    return None if ok else f"{type(event).__name__} value out of range"


def spot_problem(event: SpotPrice) -> str | None:
    if not _ts_ok(event.ts_ms):
        return f"timestamp {event.ts_ms}"
    value = Decimal(event.value)
    if not 0 < value <= MAX_MAGNITUDE or len(event.value) > 64:
        return f"value {event.value[:40]}"
    return None


def market_info_problem(info: MarketInfo) -> str | None:
    if not 0 < info.min_size <= MAX_SIZE_MICROS:
        return f"min_size {info.min_size}"
    if info.end_date_ms is not None and not _ts_ok(info.end_date_ms):
        return f"end_date_ms {info.end_date_ms}"
    if not (0 <= info.fees.rate <= 1 and 0 <= info.fees.rebate_rate <= 1):
        return "fees"
    return None


def _guarded(stats: FuzzStats, text: str, decode: Callable[[str], None]) -> None:
    stats.cases += 1
    try:
        decode(text)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        stats.escapes.append(f"{type(exc).__name__}: {text[:120]}")


def fuzz_ws_market(cases: int, seed: int) -> FuzzStats:
    stats, mutator, messages = FuzzStats(), Mutator(seed), ws_market_messages()

    def decode(text: str) -> None:
        result = decode_market_frame(text, 0)
        stats.rejections.update(reason.value for reason, _ in result.rejects)
        stats.accepted += len(result.events)
        problems = (market_event_problem(e) for e in result.events)
        stats.out_of_range.extend(f"{p}: {text[:120]}" for p in problems if p)

    for _ in range(cases):
        _guarded(stats, mutator.text(mutator.rng.choice(messages)), decode)
    return stats


def fuzz_rtds(cases: int, seed: int) -> FuzzStats:
    stats, mutator, messages = FuzzStats(), Mutator(seed), rtds_messages()

    def decode(text: str) -> None:
        result = decode_spot_frame(text, 0)
        stats.rejections.update(reason.value for reason, _ in result.rejects)
        stats.accepted += len(result.events)
        problems = (spot_problem(e) for e in result.events)
        stats.out_of_range.extend(f"{p}: {text[:120]}" for p in problems if p)

    for _ in range(cases):
        _guarded(stats, mutator.text(mutator.rng.choice(messages)), decode)
    return stats


def _parsed(stats: FuzzStats, text: str) -> tuple[bool, Any]:
    """What the HTTP client would hand the mapper: orjson's value (a failure is invalid_body)."""
    try:
        return True, orjson.loads(text)
    except orjson.JSONDecodeError:
        stats.rejections["not_json"] += 1
        return False, None


def fuzz_gamma(cases: int, seed: int) -> FuzzStats:
    stats, mutator, pairs = FuzzStats(), Mutator(seed), gamma_markets()

    def decode(text: str) -> None:
        ok, value = _parsed(stats, text)
        if not ok:
            return
        market, event = value if isinstance(value, list) and len(value) == 2 else (value, None)
        result = map_market(market, event if isinstance(event, dict) else None)
        if isinstance(result, Rejection):
            stats.rejections[result.reason.value] += 1
            return
        stats.accepted += 1
        problem = market_info_problem(result)
        if problem:
            stats.out_of_range.append(f"{problem}: {text[:120]}")

    for _ in range(cases):
        market, event = mutator.rng.choice(pairs)
        _guarded(stats, mutator.text([market, event]), decode)
    return stats


def fuzz_clob_book(cases: int, seed: int) -> FuzzStats:
    stats, mutator, books = FuzzStats(), Mutator(seed), clob_books()

    def decode(text: str) -> None:
        ok, value = _parsed(stats, text)
        if not ok:
            return
        result = book_result(value, "/book")
        if result.book is None:
            stats.rejections[result.veto.reason.value if result.veto else "?"] += 1
            return
        stats.accepted += 1
        problem = market_event_problem(result.book)
        size_ok = result.min_order_size is None or _size_ok(result.min_order_size)
        if problem or not size_ok:
            stats.out_of_range.append(f"{problem or 'min_order_size'}: {text[:120]}")

    for _ in range(cases):
        _guarded(stats, mutator.text(mutator.rng.choice(books)), decode)
    return stats


DECODERS: dict[str, Callable[[int, int], FuzzStats]] = {
    "ws_market": fuzz_ws_market,
    "rtds": fuzz_rtds,
    "gamma": fuzz_gamma,
    "clob_book": fuzz_clob_book,
}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for name, run in DECODERS.items():
        print(run(count, seed=15).line(name))
