"""The replay source: a recording (gzip JSON lines) or a plain JSON array of WS messages.

Both go through the live decoders, so a replay sees exactly what the feed would have
delivered; rejections are counted, never raised. Items come out in file order as
`(recv_ms, channel, event)`. For a bare message array (the fixtures) `recv_ms` is the
message's own `timestamp` and the markets are inferred from the messages (`infer`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from astra.adapters.polymarket.ws_decode import (
    DecodeResult,
    decode_market_frame,
    decode_market_message,
)
from astra.adapters.recording.infer import MarketInference
from astra.adapters.recording.recorder import CHANNELS, RecordingError, RecordingHeader
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, MetricsSink
from astra.domain.reasons import FeedReject

_GZIP_MAGIC = b"\x1f\x8b"

ReplayEvent = tuple[int, str, MarketEvent | SpotPrice]


@dataclass(frozen=True, slots=True)
class _Item:
    """One stored frame (raw text) or, for message arrays, one parsed message."""

    recv_ms: int
    channel: str
    raw: str | None = None
    message: object = None


@dataclass
class Replay:
    """A loaded replay source. `events()` may be iterated more than once."""

    path: Path
    header: RecordingHeader | None
    items: list[_Item]
    metrics: MetricsSink | None = None
    file_rejects: list[tuple[FeedReject, str]] = field(default_factory=list)  # unreadable lines
    decode_rejects: list[tuple[FeedReject, str]] = field(default_factory=list)  # last events()
    _markets: tuple[MarketInfo, ...] | None = None

    @property
    def rejects(self) -> list[tuple[FeedReject, str]]:
        return [*self.file_rejects, *self.decode_rejects]

    @property
    def markets(self) -> tuple[MarketInfo, ...]:
        """The header's markets, or those inferred from the messages."""
        if self.header is not None:
            return self.header.markets
        if self._markets is None:
            inference = MarketInference()
            for _, channel, event in self._decoded(count=False):
                if channel == "market" and not isinstance(event, SpotPrice):
                    inference.observe(event)
            self._markets = inference.markets()
        return self._markets

    def events(self) -> Iterator[ReplayEvent]:
        """Decoded events in order; every rejection is recorded and counted."""
        self.decode_rejects.clear()
        return self._decoded(count=True)

    def _decoded(self, *, count: bool) -> Iterator[ReplayEvent]:
        for item in self.items:
            result = _decode(item)
            if count:
                self._count(result.rejects)
            for event in result.events:
                yield item.recv_ms, item.channel, event

    def _count(self, rejects: list[tuple[FeedReject, str]]) -> None:
        self.decode_rejects.extend(rejects)
        if self.metrics is not None:
            for reason, _ in rejects:
                self.metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason.value})


@dataclass(frozen=True, slots=True)
class _Decoded:
    events: list[MarketEvent | SpotPrice]
    rejects: list[tuple[FeedReject, str]]


def _decode(item: _Item) -> _Decoded:
    if item.channel == "spot":
        spot = decode_spot_frame(item.raw or "", item.recv_ms)
        return _Decoded(list(spot.events), spot.rejects)
    if item.raw is not None:
        market: DecodeResult = decode_market_frame(item.raw, item.recv_ms)
    elif isinstance(item.message, dict):
        market = decode_market_message(item.message, item.recv_ms)
    else:
        market = DecodeResult(rejects=[(FeedReject.NOT_AN_OBJECT, "array item")])
    return _Decoded(list(market.events), market.rejects)


def open_replay(path: Path, metrics: MetricsSink | None = None) -> Replay:
    """Load a recording or a JSON message array. Raises RecordingError when it is neither."""
    replay = _load(path, metrics)
    if metrics is not None:
        for reason, _ in replay.file_rejects:
            metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason.value})
    return replay


def _load(path: Path, metrics: MetricsSink | None) -> Replay:
    data = path.read_bytes()
    if data.startswith(_GZIP_MAGIC):
        data, truncated = _gunzip(data)
        replay = _from_lines(path, data, metrics)
        if truncated:  # a recorder killed mid-write: keep what is complete, count the tail
            replay.file_rejects.append((FeedReject.MALFORMED_JSON, "truncated gzip stream"))
        return replay
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _from_lines(path, data, metrics)  # an uncompressed recording
    return _from_messages(path, parsed, metrics)


def _gunzip(data: bytes) -> tuple[bytes, bool]:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data)
    except zlib.error as exc:
        raise RecordingError(f"not a readable gzip file: {exc}") from exc
    return out, not decompressor.eof


def _from_messages(path: Path, parsed: object, metrics: MetricsSink | None) -> Replay:
    messages = parsed if isinstance(parsed, list) else [parsed]
    items: list[_Item] = []
    last_ms = 0
    for message in messages:
        last_ms = _message_ms(message, last_ms)
        items.append(_Item(recv_ms=last_ms, channel="market", message=message))
    return Replay(path=path, header=None, items=items, metrics=metrics)


def _message_ms(message: object, previous: int) -> int:
    if isinstance(message, dict):
        stamp = message.get("timestamp")
        if isinstance(stamp, str) and stamp.isascii() and stamp.isdigit():
            return int(stamp)
        if isinstance(stamp, int) and not isinstance(stamp, bool):
            return stamp
    return previous


def _from_lines(path: Path, data: bytes, metrics: MetricsSink | None) -> Replay:
    lines = data.split(b"\n")
    try:
        first = orjson.loads(lines[0])
    except orjson.JSONDecodeError as exc:
        raise RecordingError(f"{path} is neither a recording nor a JSON message array") from exc
    if not isinstance(first, dict):
        raise RecordingError(f"{path}: line 1 is not a header object")
    header = RecordingHeader.from_json(first)
    replay = Replay(path=path, header=header, items=[], metrics=metrics)
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        item = _frame_item(line)
        if isinstance(item, str):
            replay.file_rejects.append((FeedReject.MALFORMED_JSON, f"line {number}: {item}"))
        else:
            replay.items.append(item)
    return replay


def _frame_item(line: bytes) -> _Item | str:
    try:
        obj: Any = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "not JSON"
    if not isinstance(obj, Mapping) or obj.get("type") != "frame":
        return "not a frame line"
    recv_ms, channel, raw = obj.get("recv_ms"), obj.get("channel"), obj.get("data")
    if isinstance(recv_ms, bool) or not isinstance(recv_ms, int):
        return "recv_ms is not an int"
    if channel not in CHANNELS or not isinstance(raw, str):
        return "bad channel or data"
    return _Item(recv_ms=recv_ms, channel=str(channel), raw=raw)
