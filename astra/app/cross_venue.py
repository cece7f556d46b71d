"""Cross-venue price logging (logging only, no trading): Polymarket vs Kalshi.

The user's mapping file pairs a Polymarket condition id with a Kalshi market ticker:

```toml
[[pair]]
condition_id = "0x..."          # Polymarket market
kalshi_ticker = "KXFEDDECISION-26DEC-H0"
kalshi_fee_rate = 0.07           # optional: Kalshi's taker fee rate (0.07 unless told)
```

One poll round looks each pair up (Gamma for the market's YES token and fee schedule, CLOB
`/book` for its best bid/ask, Kalshi's public orderbook) and journals one DECISION record
per pair (producer `arb:cross-venue`, no market, action `xvenue_quote`): both venues'
quotes and the fee-adjusted gap each way (`domain.cross_venue`). A pair whose lookup fails
is journaled too, as `xvenue_veto` with the venue's named reason — a missing quote is never
silently skipped, and never logged as a gap.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from astra.adapters.http_client import HttpClient, HttpSettings, RequestVeto
from astra.adapters.kalshi import KalshiClient
from astra.adapters.polymarket.clob_rest import ClobRestClient
from astra.adapters.polymarket.gamma_lookup import market_by_condition
from astra.domain.cross_venue import KALSHI_DEFAULT_RATE, CrossGap, VenueQuote, gaps
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import MetricsSink

CROSS_VENUE_PRODUCER = "arb:cross-venue"
MAX_PAIRS = 500
SCHEMA_VERSION = 1


class MappingError(ValueError):
    """The mapping file is unusable; the message names the entry and field."""


@dataclass(frozen=True, slots=True)
class VenuePair:
    condition_id: str
    kalshi_ticker: str
    kalshi_fee_rate: Decimal = KALSHI_DEFAULT_RATE


def load_pairs(path: Path) -> list[VenuePair]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not TOML ({exc})") from exc
    raw = table.get("pair")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_PAIRS:
        raise MappingError(f"{path}: expected 1 to {MAX_PAIRS} [[pair]] tables")
    return [_pair(path, i, entry) for i, entry in enumerate(raw)]


def _pair(path: Path, index: int, entry: object) -> VenuePair:
    where = f"{path}: pair {index}"
    if not isinstance(entry, dict):
        raise MappingError(f"{where}: not a table")
    unknown = set(entry) - {"condition_id", "kalshi_ticker", "kalshi_fee_rate"}
    if unknown:
        raise MappingError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    cid, ticker = entry.get("condition_id"), entry.get("kalshi_ticker")
    if not isinstance(cid, str) or not cid.startswith("0x") or len(cid) != 66:
        raise MappingError(f"{where}: condition_id must be a 0x + 64 hex id")
    if not isinstance(ticker, str) or not 0 < len(ticker) <= 100 or "/" in ticker:
        raise MappingError(f"{where}: kalshi_ticker must be a ticker")
    rate = entry.get("kalshi_fee_rate", KALSHI_DEFAULT_RATE)
    try:
        value = Decimal(str(rate)) if not isinstance(rate, bool) else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= 1:
        raise MappingError(f"{where}: kalshi_fee_rate must be a number in [0, 1]")
    return VenuePair(cid.lower(), ticker, value)


@dataclass(frozen=True, slots=True)
class Endpoints:
    gamma_url: str
    clob_url: str
    kalshi_url: str


async def poll_round(
    pairs: Sequence[VenuePair], urls: Endpoints, http: HttpSettings, metrics: MetricsSink | None
) -> list[dict[str, Any]]:
    """One payload per pair, in mapping order."""
    out: list[dict[str, Any]] = []
    gamma = HttpClient(urls.gamma_url, http, service="gamma", metrics=metrics)
    clob = ClobRestClient(urls.clob_url, http=http, metrics=metrics)
    kalshi = KalshiClient(urls.kalshi_url, http=http, metrics=metrics)
    async with gamma, clob, kalshi:
        for pair in pairs:
            out.append(await _one(pair, gamma, clob, kalshi, metrics))
    return out


async def _one(
    pair: VenuePair,
    gamma: HttpClient,
    clob: ClobRestClient,
    kalshi: KalshiClient,
    metrics: MetricsSink | None = None,
) -> dict[str, Any]:
    base = {"condition_id": pair.condition_id, "kalshi_ticker": pair.kalshi_ticker}
    market = await market_by_condition(gamma, pair.condition_id, metrics)
    if isinstance(market, RequestVeto):
        return _veto(base, "polymarket", market)
    book = await clob.book(market.yes_token)
    if book.book is None:
        return _veto(base, "polymarket", book.veto)
    other = await kalshi.orderbook(pair.kalshi_ticker)
    if isinstance(other, RequestVeto):
        return _veto(base, "kalshi", other)
    snap = book.book
    pm = VenueQuote(snap.bids[0][0] if snap.bids else None, snap.asks[0][0] if snap.asks else None)
    kq = other.quote()
    found = gaps(pm, market.fees, kq, pair.kalshi_fee_rate)
    return base | {
        "action": "xvenue_quote",
        "question": market.question[:200],
        "polymarket": {"yes_bid": pm.yes_bid, "yes_ask": pm.yes_ask},
        "kalshi": {"yes_bid": kq.yes_bid, "yes_ask": kq.yes_ask},
        "kalshi_fee_rate": str(pair.kalshi_fee_rate),
        "gaps": [_gap(g) for g in found],
        "best_gap": max((g.gap for g in found), default=None),
    }


def _gap(g: CrossGap) -> dict[str, Any]:
    return {
        "direction": g.direction,
        "pm_price": g.pm_price,
        "kalshi_price": g.kalshi_price,
        "fees": g.fees,
        "gap": g.gap,
    }


def _veto(base: dict[str, Any], venue: str, veto: RequestVeto | None) -> dict[str, Any]:
    reason = "no_answer" if veto is None else veto.reason.value
    detail = "" if veto is None else veto.detail[:300]
    return base | {"action": "xvenue_veto", "venue": venue, "reason": reason, "detail": detail}


def records(
    payloads: Sequence[dict[str, Any]], last_seq: int, ts_ms: int, run_id: str
) -> list[JournalRecord]:
    """The round's journal records, numbered after `last_seq` of the producer."""
    meta = {"run_id": run_id, "definition_hash": None, "schema_version": SCHEMA_VERSION}
    return [
        JournalRecord.build(
            CROSS_VENUE_PRODUCER, last_seq + i, RecordKind.DECISION, ts_ms, None, payload | meta
        )
        for i, payload in enumerate(payloads, start=1)
    ]
