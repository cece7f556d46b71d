"""A loopback venue for the paper trader: Gamma + CLOB REST (loopback_http) and the market
WebSocket (loopback_ws) serving the same synthetic markets, with two-sided books and sell
prints that trade through the paper bids."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_ws import LoopbackMarketWs, Pause, Send, Step, load_fixture

ASTRA = [sys.executable, "-m", "astra"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tokens(market: dict[str, Any]) -> list[str]:
    return list(json.loads(market["clobTokenIds"]))


def book(market: dict[str, Any], asset: str, mid: float, ts: int) -> dict[str, Any]:
    bids = [{"price": f"{mid - d:.2f}", "size": "500"} for d in (0.03, 0.02, 0.01)]
    asks = [{"price": f"{mid + d:.2f}", "size": "500"} for d in (0.03, 0.02, 0.01)]
    return {
        "event_type": "book", "market": market["conditionId"], "asset_id": asset,
        "timestamp": str(ts), "hash": "", "bids": bids, "asks": asks, "tick_size": "0.01",
    }  # fmt: skip


def sell_print(market: dict[str, Any], asset: str, price: float, ts: int) -> dict[str, Any]:
    return {
        "event_type": "last_trade_price", "market": market["conditionId"], "asset_id": asset,
        "price": f"{price:.2f}", "side": "SELL", "size": "20", "fee_rate_bps": "0",
        "timestamp": str(ts),
    }  # fmt: skip


def script(
    markets: list[dict[str, Any]], rounds: int, pause_s: float, *, no_prints: bool = True
) -> list[Step]:
    """Quiet books first (burn-in), then sell prints through the bids, round after round
    (`no_prints` False: the YES token's only, so the bids fill one side and no YES+NO pair
    forms to be merged)."""
    steps: list[Step] = [Pause(pause_s * 4)]
    for n in range(rounds):
        for market in markets:
            yes, no = tokens(market)
            steps.append(Send(sell_print(market, yes, 0.46, 1_700_000_000_000 + n), stamp=True))
            if no_prints:
                steps.append(Send(sell_print(market, no, 0.46, 1_700_000_000_000 + n), stamp=True))
        steps.append(Pause(pause_s))
    return steps


@dataclass
class Venue:
    http: LoopbackVenue
    ws: LoopbackMarketWs
    markets: list[dict[str, Any]]

    def contracts_file(self, data_dir: Path) -> Path:
        """The venue's markets' definition contracts, as the user's `[contracts] file`: the
        fixture templates are up/down and neg-risk legs tagged crypto, which the builders
        rightly refuse, so the paper trader trades them only through the user's contracts."""
        day_ms = 86_400_000
        cutoff = time.time_ns() // 1_000_000 + day_ms
        contracts = [
            {
                "category": "event_ops",
                "market_id": m["conditionId"],
                "cutoff_ms": cutoff,
                "event": m.get("question") or "loopback market",
                "early_resolution": False,
                "resolution_source": "the loopback venue",
                "finality": "official_announcement",
                "fifty_fifty": False,
            }
            for m in self.markets
        ]
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / "contracts.json"
        path.write_text(json.dumps(contracts))
        return path

    def env(self, data_dir: Path, control_port: int) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            ASTRA_VENUE__GAMMA_URL=self.http.url,
            ASTRA_VENUE__CLOB_URL=self.http.url,
            ASTRA_VENUE__WS_URL=self.ws.url,
            ASTRA_VENUE__HTTP_RETRIES="0",
            ASTRA_METRICS__PORT="0",
            ASTRA_CONTROL__PORT=str(control_port),
            ASTRA_RUN__BURN_IN_ROUNDS="1",
            ASTRA_DISCOVERY__MAX_MARKETS="3",
            ASTRA_RISK__COOLDOWN_S="0",
            ASTRA_ORDERS__LATENCY_MS_MEAN="10",
            ASTRA_LOGGING__LEVEL="WARNING",
            ASTRA_DATA__DIR=str(data_dir),
            ASTRA_CONTRACTS__FILE=str(self.contracts_file(data_dir)),
        )
        env.pop("ASTRA_CONTROL_TOKEN", None)
        return env


# Every synthetic market ends well after the test runs: one past its end date would leave the
# universe at once (some fixture templates ended in 2026).
END_DATE = "2099-01-01T00:00:00Z"


@contextlib.contextmanager
def live_venue(
    n_markets: int = 3,
    rounds: int = 200,
    pause_s: float = 0.25,
    listed: int | None = None,
    *,
    no_prints: bool = True,
) -> Iterator[Venue]:
    """`listed`: how many of the markets Gamma lists at first (the WS knows them all, so a
    market listed later can be subscribed); every market gets sell prints."""
    markets = synthetic_markets(n_markets, tag_every=1)
    for market in markets:
        market["endDate"] = END_DATE
    now_ms = time.time_ns() // 1_000_000  # books must be fresh for the strategy to quote
    books = [book(m, t, 0.50, now_ms) for m in markets for t in tokens(m)]
    shown = markets if listed is None else markets[:listed]
    with (
        LoopbackVenue(VenueState(markets=list(shown))) as http,
        LoopbackMarketWs(books, script(markets, rounds, pause_s, no_prints=no_prints)) as ws,
    ):
        yield Venue(http, ws, markets)


def resolve(venue: Venue, index: int, prices: list[str], status: str | None) -> None:
    """Close market `index` on the loopback venue: Gamma closed with `outcomePrices` and
    `umaResolutionStatus` (None: absent), not accepting orders; CLOB `/markets/{id}` closed
    with `winner` on the token priced "1" (none for anything else)."""
    market = venue.markets[index]
    closed = dict(market, closed=True, acceptingOrders=False, outcomePrices=json.dumps(prices))
    if status is not None:
        closed["umaResolutionStatus"] = status
    with venue.http.lock:
        venue.http.state.markets = [
            closed if m["conditionId"] == market["conditionId"] else m
            for m in venue.http.state.markets
        ]
        venue.http.state.clob_markets[market["conditionId"]] = {
            "condition_id": market["conditionId"],
            "closed": True,
            "neg_risk": bool(market.get("negRisk", False)),
            "tokens": [
                {"token_id": t, "outcome": o, "price": float(p), "winner": p == "1"}
                for t, o, p in zip(tokens(market), ("Yes", "No"), prices, strict=True)
            ],
        }


def list_market(venue: Venue, index: int) -> None:
    """Gamma starts listing market `index` (a market created while the trader runs)."""
    with venue.http.lock:
        venue.http.state.markets = [*venue.http.state.markets, venue.markets[index]]


def start_paper(
    venue: Venue,
    data_dir: Path,
    control_port: int,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ASTRA, "paper", "--strategy", "simple_quoter", *extra],
        env={**venue.env(data_dir, control_port), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def announce(venue: Venue, index: int) -> None:
    """The WS sends `new_market` for market `index` next (the fixture's message, re-keyed):
    inserted at the script's cursor, so it goes out before the next scripted step."""
    market = venue.markets[index]
    message = dict(
        load_fixture("ws_market", "new_market_2025-12.json"),
        market=market["conditionId"],
        condition_id=market["conditionId"],
        assets_ids=tokens(market),
        clob_token_ids=tokens(market),
        question=market["question"],
        timestamp=str(time.time_ns() // 1_000_000),
    )
    ws = venue.ws
    ws.script.insert(ws._cursor, Send(message))  # the test owns this server
