"""The recording format's writer: gzip JSON lines, a header then one line per raw frame.

Line 1: `{"type":"header","format":"astra.recording","version":1,"created_ms",...,"markets"}`;
then `{"type":"frame","recv_ms":int,"channel":"market"|"spot"|"model","data":"<raw text frame>"}`.
Frames are stored exactly as received (not decoded), so a replay runs the same decoder and a
decoder fix re-reads old recordings correctly. See docs/recording-format.md.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from astra.adapters.closing import CloseOnExit
from astra.adapters.recording.market_json import (
    MarketJsonError,
    market_info_from_json,
    market_info_to_json,
)
from astra.domain.market import MarketInfo

FORMAT = "astra.recording"
VERSION = 1
CHANNELS = frozenset({"market", "spot", "model"})


class RecordingError(ValueError):
    """A file that is not a readable recording (bad header, unknown version)."""


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    created_ms: int
    source: str  # "live", "synthetic", ...
    markets: tuple[MarketInfo, ...] = ()
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "header",
            "format": FORMAT,
            "version": VERSION,
            "created_ms": self.created_ms,
            "source": self.source,
            "seed": self.seed,
            "markets": [market_info_to_json(m) for m in self.markets],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> RecordingHeader:
        if obj.get("type") != "header" or obj.get("format") != FORMAT:
            raise RecordingError("line 1 is not an astra.recording header")
        if obj.get("version") != VERSION:
            raise RecordingError(f"unsupported recording version {obj.get('version')!r}")
        created, source, seed = obj.get("created_ms"), obj.get("source"), obj.get("seed")
        markets = obj.get("markets")
        if not isinstance(created, int) or not isinstance(source, str):
            raise RecordingError("header needs created_ms (int) and source (str)")
        if seed is not None and not isinstance(seed, int):
            raise RecordingError("header seed must be an int or null")
        if not isinstance(markets, list) or not all(isinstance(m, dict) for m in markets):
            raise RecordingError("header markets must be a list of objects")
        try:
            infos = tuple(market_info_from_json(m) for m in markets)
        except MarketJsonError as exc:
            raise RecordingError(f"header market: {exc}") from exc
        return cls(created_ms=created, source=source, markets=infos, seed=seed)


def frame_line(recv_ms: int, channel: str, data: str) -> bytes:
    return orjson.dumps({"type": "frame", "recv_ms": recv_ms, "channel": channel, "data": data})


class RecordingWriter(CloseOnExit):
    """Append frames to a new recording. Use as a context manager; `flush()` bounds loss.

    The gzip header carries no mtime and no file name, so the same frames give the same bytes
    (the simulator's session writer relies on it).
    """

    def __init__(self, path: Path, header: RecordingHeader) -> None:
        self.path = path
        self.frames = 0
        self._raw = path.open("wb")  # both closed by close()
        self._file = gzip.GzipFile(fileobj=self._raw, mode="wb", mtime=0, filename="")
        self._file.write(orjson.dumps(header.to_json()) + b"\n")

    def write_frame(self, recv_ms: int, channel: str, data: str | bytes) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        # Venue frames are text; a binary frame is kept as its UTF-8 reading.
        text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
        self._file.write(frame_line(recv_ms, channel, text) + b"\n")
        self.frames += 1

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._raw.close()
