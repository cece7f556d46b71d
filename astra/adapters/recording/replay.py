"""The replay source: a recording (gzip JSON lines) or a plain JSON array of WS messages.

Both go through the live decoders, so a replay sees exactly what the feed would have
delivered; rejections are counted, never raised. Items come out in file order as
`(recv_ms, channel, event)`. For a bare message array (the fixtures) `recv_ms` is the
message's own `timestamp` and the markets are inferred from the messages (`infer`).

A recording is streamed: only its header is read at open, and each `events()` pass reads the
file again line by line, so memory does not grow with the recording's length. A recording cut
short (a gzip stream without its end, a last line cut mid-way) replays what it has and sets
`truncated`. A message array is read whole (they are small, hand-made files); one element that
is not JSON is one rejection (`json_array`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from astra.adapters.bounded import (
    MAX_TIMESTAMP_MS,
    OutOfBounds,
    bounded_int,
    bounded_timestamp_ms,
    too_deep,
)
from astra.adapters.polymarket.ws_decode import (
    DecodeResult,
    decode_market_frame,
    decode_market_value,
)
from astra.adapters.recording.infer import MarketInference
from astra.adapters.recording.json_array import ArrayScan, elements
from astra.adapters.recording.model_frames import decode_model_frame
from astra.adapters.recording.recorder import CHANNELS, RecordingError, RecordingHeader
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.domain.events import MarketEvent, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, MetricsSink
from astra.domain.models.frames import ModelFrame
from astra.domain.reasons import FeedReject

_GZIP_MAGIC = b"\x1f\x8b"

ReplayEvent = tuple[int, str, MarketEvent | SpotPrice | ModelFrame]


@dataclass(frozen=True, slots=True)
class _Item:
    """One stored frame (raw text) or, for message arrays, one parsed message."""

    recv_ms: int
    channel: str
    raw: str | None = None
    message: object = None


@dataclass
class Replay:
    """An opened replay source. `events()` may be iterated more than once (it re-reads)."""

    path: Path
    header: RecordingHeader | None
    metrics: MetricsSink | None = None
    messages: list[object] | None = None  # a message array, read whole; None for a recording
    file_rejects: list[tuple[FeedReject, str]] = field(default_factory=list)  # last pass
    decode_rejects: list[tuple[FeedReject, str]] = field(default_factory=list)  # last pass
    truncated: str | None = None  # why the source ended early (last pass), None when whole
    frames_read: int = 0  # frames (lines or messages) consumed by the current pass
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
                if channel == "market" and not isinstance(event, SpotPrice | ModelFrame):
                    inference.observe(event)
            self._markets = inference.markets()
        return self._markets

    def events(self) -> Iterator[ReplayEvent]:
        """Decoded events in order; every rejection is recorded and counted."""
        return self._decoded(count=True)

    def count_frames(self) -> int:
        """How many frames the source holds (a line count, no decoding): what a progress
        report divides `frames_read` by. Reads a recording once more, never holds it."""
        if self.messages is not None:
            return len(self.messages)
        lines = _lines(self.path, _Pass())
        next(lines, None)  # the header
        return sum(1 for line in lines if line.strip())

    def _decoded(self, *, count: bool) -> Iterator[ReplayEvent]:
        file_rejects: list[tuple[FeedReject, str]] = []
        decode_rejects: list[tuple[FeedReject, str]] = []
        if count:
            self.file_rejects, self.decode_rejects = file_rejects, decode_rejects
        pass_ = _Pass()
        if count:
            self.frames_read = 0
        for item in self._items(pass_):
            if count:
                self.frames_read += 1
            if isinstance(item, _Item):
                result = _decode(item)
                rejects = result.rejects
                decode_rejects.extend(rejects)
            else:
                rejects = [item]
                file_rejects.append(item)
            if count:
                self._count(rejects)
            if isinstance(item, _Item):
                for event in result.events:
                    yield item.recv_ms, item.channel, event
        if count:
            self.truncated = pass_.truncated

    def _items(self, pass_: _Pass) -> Iterator[_Item | tuple[FeedReject, str]]:
        if self.messages is not None:
            yield from _message_items(self.messages, pass_)
        else:
            yield from _recording_items(self.path, pass_)
        if pass_.truncated is not None:
            yield FeedReject.MALFORMED_JSON, f"truncated: {pass_.truncated}"

    def _count(self, rejects: list[tuple[FeedReject, str]]) -> None:
        if self.metrics is not None:
            for reason, _ in rejects:
                self.metrics.inc(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason.value})


@dataclass(slots=True)
class _Pass:
    """One read of the source: file-level rejections and, at the end, why it stopped early."""

    truncated: str | None = None


@dataclass(frozen=True, slots=True)
class _Decoded:
    events: list[MarketEvent | SpotPrice | ModelFrame]
    rejects: list[tuple[FeedReject, str]]


def _decode(item: _Item) -> _Decoded:
    if item.channel == "spot":
        spot = decode_spot_frame(item.raw or "", item.recv_ms)
        return _Decoded(list(spot.events), spot.rejects)
    if item.channel == "model":
        model = decode_model_frame(item.raw or "")
        return _Decoded(list(model.events), model.rejects)
    if item.raw is not None:
        market: DecodeResult = decode_market_frame(item.raw, item.recv_ms)
    else:
        market = decode_market_value(item.message, item.recv_ms)
    return _Decoded(list(market.events), market.rejects)


def open_replay(path: Path, metrics: MetricsSink | None = None) -> Replay:
    """Open a recording (header only) or read a JSON message array.

    Raises RecordingError when the file is neither."""
    with path.open("rb") as probe:
        head = probe.read(2)
    if head == _GZIP_MAGIC:
        return Replay(path=path, header=_gzip_header(path), metrics=metrics)
    with path.open("rb") as raw:
        first = raw.readline()
    header = _header_or_none(first)
    if header is not None:
        return Replay(path=path, header=header, metrics=metrics)
    data = path.read_bytes()
    if data.lstrip()[:1] != b"[":
        try:
            return Replay(path=path, header=None, metrics=metrics, messages=[orjson.loads(data)])
        except orjson.JSONDecodeError as exc:
            raise RecordingError(f"{path} is neither a recording nor a JSON message array") from exc
    return _array_replay(path, data, metrics)


def _gzip_header(path: Path) -> RecordingHeader:
    first = next(_lines(path, _Pass()), b"")
    header = _header_or_none(first)
    if header is None:
        raise RecordingError(f"{path}: not a readable gzip recording (no header on line 1)")
    return header


def _header_or_none(line: bytes) -> RecordingHeader | None:
    """The recording header on `line`; None when the line is not a JSON object (not a recording)."""
    try:
        first = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(first, dict) or first.get("type") != "header":
        return None
    if too_deep(first):
        raise RecordingError("the recording header nests too deep")
    return RecordingHeader.from_json(first)


def _array_replay(path: Path, data: bytes, metrics: MetricsSink | None) -> Replay:
    """A message array: whole when it parses, else element by element (see json_array)."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        parsed = None
    replay = Replay(path=path, header=None, metrics=metrics, messages=[])
    if isinstance(parsed, list):
        replay.messages = parsed
        return replay
    scan = ArrayScan()
    messages: list[object] = []
    for element in elements(data, scan):
        messages.append(_Unreadable(element.error) if element.error is not None else element.value)
    if scan.truncated is not None:
        messages.append(_Unreadable(scan.truncated, truncated=True))
    replay.messages = messages
    return replay


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """An array element that is not JSON (kept in place so each pass counts it)."""

    detail: str
    truncated: bool = False


def _message_items(
    messages: list[object], pass_: _Pass
) -> Iterator[_Item | tuple[FeedReject, str]]:
    last_ms = 0
    for message in messages:
        if isinstance(message, _Unreadable):
            if message.truncated:
                pass_.truncated = message.detail
            else:
                yield FeedReject.MALFORMED_JSON, message.detail
            continue
        last_ms = _message_ms(message, last_ms)
        yield _Item(recv_ms=last_ms, channel="market", message=message)


def _message_ms(message: object, previous: int) -> int:
    if isinstance(message, dict):
        try:
            return bounded_timestamp_ms(message.get("timestamp"))
        except OutOfBounds:
            return previous  # the decoder rejects the message itself, with its reason
    return previous


def _recording_items(path: Path, pass_: _Pass) -> Iterator[_Item | tuple[FeedReject, str]]:
    lines = _lines(path, pass_)
    next(lines, None)  # the header, read at open
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        item = _frame_item(line)
        if isinstance(item, _Item):
            yield item
        elif not line.endswith(b"\n"):  # an unterminated, unreadable last line: cut short
            pass_.truncated = pass_.truncated or f"last line {number} is cut"
        else:
            yield FeedReject.MALFORMED_JSON, f"line {number}: {item}"


_CHUNK = 1 << 16


def _lines(path: Path, pass_: _Pass) -> Iterator[bytes]:
    """The file's lines (gzip or plain), streamed; a cut gzip stream sets `truncated`."""
    with path.open("rb") as raw:
        chunks = _gunzip(raw, pass_) if raw.read(2) == _GZIP_MAGIC else _plain(raw)
        pending = b""
        for chunk in chunks:
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
        if pending:
            yield pending


def _plain(raw: IO[bytes]) -> Iterator[bytes]:
    raw.seek(0)
    while chunk := raw.read(_CHUNK):
        yield chunk


def _gunzip(raw: IO[bytes], pass_: _Pass) -> Iterator[bytes]:
    """Decompress chunk by chunk (every member), keeping all that a cut stream holds."""
    raw.seek(0)
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    in_member = False
    while chunk := raw.read(_CHUNK):
        while chunk:
            try:
                yield decompressor.decompress(chunk)
            except zlib.error as exc:
                pass_.truncated = f"the gzip stream is corrupt: {exc}"
                return
            in_member = True
            if not decompressor.eof:
                break
            chunk = decompressor.unused_data  # the next member, if the file has several
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            in_member = False
    if in_member:
        yield decompressor.flush()
        pass_.truncated = "the gzip stream ends before its end marker"


def _frame_item(line: bytes) -> _Item | str:
    try:
        obj: Any = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "not JSON"
    if not isinstance(obj, Mapping) or obj.get("type") != "frame":
        return "not a frame line"
    recv_ms, channel, raw = obj.get("recv_ms"), obj.get("channel"), obj.get("data")
    if not isinstance(recv_ms, int):
        return "recv_ms is not an int"
    try:
        recv_ms = bounded_int(recv_ms, "recv_ms", 0, MAX_TIMESTAMP_MS - 1)
    except OutOfBounds:
        return "recv_ms is not an int in range"
    if channel not in CHANNELS or not isinstance(raw, str):
        return "bad channel or data"
    return _Item(recv_ms=recv_ms, channel=str(channel), raw=raw)
