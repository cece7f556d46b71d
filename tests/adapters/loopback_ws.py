"""A real WebSocket server on 127.0.0.1 speaking the Polymarket market channel.

It runs in its own thread and event loop (so sync tests and CLI runs can use it) and plays a
script against whichever client is connected: send a message (applied to the server's own
"truth" books first), send a raw text frame (malformed data), skip a message (truth moves on,
the client never hears of it — a gap; skips right after a drop happen during the outage, so
the reconnect snapshot covers them), drop the connection abruptly, or pause. It answers the
subscribe message and every `operation: subscribe` with the subscribed tokens' `book`
snapshots (as the venue does), answers text `PING` with `PONG`, and records what it received.
The truth books are plain dicts of decimal strings, independent of the code under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket"
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Send:
    """`stamp`: the venue's `timestamp` is the wall clock at the moment of sending, as a real
    venue stamps a match (the fill model matches prints against orders by venue time)."""

    message: JsonDict | list[JsonDict]
    stamp: bool = False


@dataclass(frozen=True)
class Raw:
    text: str


@dataclass(frozen=True)
class Skip:
    message: JsonDict


@dataclass(frozen=True)
class Drop:
    """Abort the TCP connection without a close frame (a network failure)."""


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class WaitForOperation:
    """Hold the script until the client sent this many `operation` messages in total."""

    count: int
    timeout_s: float = 5.0


Step = Send | Raw | Skip | Drop | Pause | WaitForOperation


@dataclass
class TruthBook:
    """The server's book of one token: price -> size, both as the venue's decimal strings."""

    market: str
    asset_id: str
    bids: dict[Decimal, str] = field(default_factory=dict)
    asks: dict[Decimal, str] = field(default_factory=dict)
    tick: str = "0.01"
    timestamp: str = "0"
    hash: str = ""

    def replace(self, message: JsonDict) -> None:
        self.bids = {Decimal(lv["price"]): lv["price"] + "|" + lv["size"] for lv in message["bids"]}
        self.asks = {Decimal(lv["price"]): lv["price"] + "|" + lv["size"] for lv in message["asks"]}
        self.tick = message.get("tick_size") or self.tick
        self.timestamp = message["timestamp"]
        self.hash = message.get("hash", "")

    def set_level(self, side: str, price: str, size: str) -> None:
        levels = self.bids if side == "BUY" else self.asks
        if Decimal(size) == 0:
            levels.pop(Decimal(price), None)
        else:
            levels[Decimal(price)] = price + "|" + size

    def levels(self, side: str) -> list[tuple[str, str]]:
        """Venue order: bids ascending, asks descending (best level last)."""
        levels = self.bids if side == "BUY" else self.asks
        ordered = sorted(levels, reverse=side == "SELL")
        return [tuple(levels[p].split("|")) for p in ordered]  # type: ignore[misc]

    def message(self) -> JsonDict:
        return {
            "event_type": "book",
            "market": self.market,
            "asset_id": self.asset_id,
            "timestamp": self.timestamp,
            "hash": self.hash,
            "bids": [{"price": p, "size": s} for p, s in self.levels("BUY")],
            "asks": [{"price": p, "size": s} for p, s in self.levels("SELL")],
            "tick_size": self.tick,
        }


def mirror_book(message: JsonDict, asset_id: str) -> JsonDict:
    """The complement token's book: its bids are the asks at 1 - p, and vice versa."""

    def flip(levels: list[JsonDict]) -> list[JsonDict]:
        return [{"price": str(1 - Decimal(lv["price"])), "size": lv["size"]} for lv in levels]

    return {**message, "asset_id": asset_id, "bids": flip(message["asks"])[::-1],
            "asks": flip(message["bids"])[::-1], "hash": ""}  # fmt: skip


class LoopbackMarketWs:
    """`with LoopbackMarketWs(books, script) as server:` then connect to `server.url`."""

    def __init__(
        self,
        books: Iterable[JsonDict] = (),
        script: Iterable[Step] = (),
        *,
        answer_pings: bool = True,
        book_template: JsonDict | None = None,
    ) -> None:
        self.truth: dict[str, TruthBook] = {}
        for book in books:
            self._apply(book)
        self.script: list[Step] = list(script)
        self.answer_pings = answer_pings
        # When set, a subscribe for a token without a book gets a copy of this book.
        self.book_template = book_template
        self.connections = 0
        self.received: list[str] = []  # every text frame from any client, in order
        self.finished = threading.Event()  # the script ran to its end
        self._cursor = 0
        self._open: set[ServerConnection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="loopback-ws", daemon=True)
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> LoopbackMarketWs:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("loopback WebSocket server did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/market"

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server: Server
        async with serve(self._handler, "127.0.0.1", 0) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            for ws in list(self._open):
                ws.transport.abort()  # don't wait out close handshakes at shutdown

    # -- queries -------------------------------------------------------------------------
    def messages(self) -> list[JsonDict]:
        """The JSON messages received from clients (PINGs excluded)."""
        return [json.loads(text) for text in self.received if text != "PING"]

    def operations(self) -> list[JsonDict]:
        return [m for m in self.messages() if "operation" in m]

    def subscriptions(self) -> list[JsonDict]:
        return [m for m in self.messages() if m.get("type") == "market"]

    # -- protocol --------------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        self._open.add(ws)
        try:
            await self._converse(ws)
        finally:
            self._open.discard(ws)

    async def _converse(self, ws: ServerConnection) -> None:
        try:
            first = await ws.recv()
        except ConnectionClosed:
            return
        self.received.append(str(first))
        subscribe = json.loads(first)
        subscribed = set(subscribe.get("assets_ids", []))
        await self._send_books(ws, subscribe.get("assets_ids", []))
        reader = asyncio.create_task(self._read(ws, subscribed))
        try:
            await self._play(ws)
            await reader
        except ConnectionClosed:
            reader.cancel()
        finally:
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await reader

    async def _read(self, ws: ServerConnection, subscribed: set[str]) -> None:
        async for frame in ws:
            text = str(frame)
            self.received.append(text)
            if text == "PING":
                if self.answer_pings:
                    await ws.send("PONG")
                continue
            message = json.loads(text)
            assets = message.get("assets_ids", [])
            if message.get("operation") == "subscribe":
                subscribed.update(assets)
                await self._send_books(ws, assets)
            elif message.get("operation") == "unsubscribe":
                subscribed.difference_update(assets)

    async def _send_books(self, ws: ServerConnection, assets: Iterable[str]) -> None:
        assets = list(assets)
        if self.book_template is not None:
            for asset_id in assets:
                if asset_id not in self.truth:
                    self._apply({**self.book_template, "asset_id": asset_id})
        books = [self.truth[a].message() for a in assets if a in self.truth]
        if books:
            await ws.send(json.dumps(books))

    async def _play(self, ws: ServerConnection) -> None:
        while self._cursor < len(self.script):
            step = self.script[self._cursor]
            self._cursor += 1
            if isinstance(step, Drop):
                await asyncio.sleep(0.02)  # let what was sent reach the client first
                ws.transport.abort()
                self._skip_outage()
                return
            await self._step(ws, step)
        self.finished.set()

    def _skip_outage(self) -> None:
        """`Skip`s right after a `Drop` happen while the client is away (before it reconnects)."""
        while self._cursor < len(self.script):
            step = self.script[self._cursor]
            if not isinstance(step, Skip):
                return
            self._apply(step.message)
            self._cursor += 1

    async def _step(self, ws: ServerConnection, step: Step) -> None:
        if isinstance(step, Send):
            messages = step.message if isinstance(step.message, list) else [step.message]
            if step.stamp:
                now = str(time.time_ns() // 1_000_000)
                messages = [{**m, "timestamp": now} for m in messages]
            for message in messages:
                self._apply(message)
            await ws.send(json.dumps(messages if isinstance(step.message, list) else messages[0]))
        elif isinstance(step, Raw):
            await ws.send(step.text)
        elif isinstance(step, Skip):
            self._apply(step.message)
        elif isinstance(step, Pause):  # a pause ends early when the server stops
            assert self._stop is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), step.seconds)
        elif isinstance(step, WaitForOperation):
            deadline = asyncio.get_running_loop().time() + step.timeout_s
            while len(self.operations()) < step.count:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"client sent no operation #{step.count}")
                await asyncio.sleep(0.005)

    # -- truth -----------------------------------------------------------------------------
    def _apply(self, message: JsonDict) -> None:
        kind = message.get("event_type")
        if kind == "book":
            book = self.truth.setdefault(
                message["asset_id"], TruthBook(message["market"], message["asset_id"])
            )
            book.replace(message)
        elif kind == "price_change":
            for entry in _entries(message):
                if entry["asset_id"] in self.truth:
                    book = self.truth[entry["asset_id"]]
                    book.set_level(entry["side"], entry["price"], entry["size"])
                    book.timestamp = message["timestamp"]
        elif kind == "tick_size_change" and message["asset_id"] in self.truth:
            self.truth[message["asset_id"]].tick = message["new_tick_size"]


def _entries(message: JsonDict) -> Iterator[JsonDict]:
    if "price_changes" in message:
        yield from message["price_changes"]
    elif "changes" in message:
        for change in message["changes"]:
            yield {**change, "asset_id": message["asset_id"]}
    else:
        yield message


def load_fixture(*parts: str) -> Any:
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


BURST_FILE = ("ws_market", "price_change_crossing_burst_2026-09.json")
BURST_TOKEN_B = "54179564009642723353355316176091991063553046330768303687769988635499280029688"


def burst_books() -> list[JsonDict]:
    """The burst's opening book of token A and its mirror for token B (the complement)."""
    opening = load_fixture(*BURST_FILE)[0]
    return [opening, mirror_book(opening, BURST_TOKEN_B)]


def burst_changes() -> list[JsonDict]:
    """The 49 `price_change` messages between the opening and the closing book."""
    return list(load_fixture(*BURST_FILE)[1:50])
