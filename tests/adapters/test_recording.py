"""Recording format round trip, replay of recordings and fixture arrays, market inference."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest

from astra.adapters.recording.market_json import (
    MarketJsonError,
    market_info_from_json,
    market_info_to_json,
)
from astra.adapters.recording.recorder import RecordingError, RecordingHeader, RecordingWriter
from astra.adapters.recording.replay import open_replay
from astra.domain.events import BookSnapshot, PriceChange, SpotPrice
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, CountingMetrics
from astra.domain.prices import Tick
from astra.domain.reasons import FeedReject
from tests.adapters.loopback_ws import FIXTURES, burst_books

BURST_PATH = FIXTURES / "ws_market" / "price_change_crossing_burst_2026-09.json"
TOKEN_A = burst_books()[0]["asset_id"]
TOKEN_B = burst_books()[1]["asset_id"]
MARKET = MarketInfo(
    condition_id="0xc0ffee",
    question="Will it?",
    yes_token="111",
    no_token="222",
    tick=Tick.T0_001,
    min_size=5_000_000,
    fees=FeeSchedule(Decimal("0.07"), 1, True, Decimal("0.2")),
    neg_risk=True,
    end_date_ms=1_790_000_000_000,
    category="crypto",
    outcomes=("Up", "Down"),
    tags=("crypto", "btc"),
)


def test_market_json_round_trip_is_exact() -> None:
    data = market_info_to_json(MARKET)
    assert data["tick"] == "0.001"
    assert data["fees"] == {"rate": "0.07", "exponent": 1, "taker_only": True, "rebate_rate": "0.2"}
    assert market_info_from_json(json.loads(json.dumps(data))) == MARKET


@pytest.mark.parametrize(
    ("key", "value"),
    [("tick", "0.05"), ("min_size", -1), ("min_size", 1.5), ("outcomes", ["a"]), ("fees", None)],
)
def test_market_json_is_strict(key: str, value: object) -> None:
    with pytest.raises(MarketJsonError):
        market_info_from_json({**market_info_to_json(MARKET), key: value})


def _write(path: Path, frames: list[tuple[int, str, str]]) -> None:
    header = RecordingHeader(created_ms=1, source="live", markets=(MARKET,), seed=None)
    with RecordingWriter(path, header) as writer:
        for recv_ms, channel, data in frames:
            writer.write_frame(recv_ms, channel, data)


def test_recording_round_trip_through_the_decoders(tmp_path: Path) -> None:
    burst = json.loads(BURST_PATH.read_text())
    spot = (FIXTURES / "rtds" / "crypto_prices_update_btcusdt_2026-06.json").read_text()
    frames = [(10 + i, "market", json.dumps(m)) for i, m in enumerate(burst[:3])]
    frames += [(20, "spot", spot), (21, "market", "PONG"), (22, "market", "{oops")]
    path = tmp_path / "rec.jsonl.gz"
    _write(path, frames)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = json.loads(lines[0])
    assert (header["type"], header["format"], header["version"]) == ("header", "astra.recording", 1)
    assert header["markets"][0]["condition_id"] == "0xc0ffee"
    assert json.loads(lines[1]) == {
        "type": "frame",
        "recv_ms": 10,
        "channel": "market",
        "data": frames[0][2],
    }
    metrics = CountingMetrics()
    replay = open_replay(path, metrics)
    assert replay.markets == (MARKET,)
    events = list(replay.events())
    assert [(ms, ch, type(e)) for ms, ch, e in events] == [
        (10, "market", BookSnapshot),
        (11, "market", PriceChange),
        (12, "market", PriceChange),
        (20, "spot", SpotPrice),
    ]
    assert [r for r, _ in replay.rejects] == [FeedReject.MALFORMED_JSON]
    assert metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": "malformed_json"}) == 1


def test_truncated_recording_keeps_complete_frames(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    burst = json.loads(BURST_PATH.read_text())
    _write(path, [(i, "market", json.dumps(m)) for i, m in enumerate(burst)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # the recorder died mid-write
    replay = open_replay(path)
    events = list(replay.events())
    assert 0 < len(events) <= 51
    assert replay.truncated == "the gzip stream ends before its end marker"
    assert (FeedReject.MALFORMED_JSON, f"truncated: {replay.truncated}") in replay.rejects


def test_bad_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"type":"header","format":"other","version":1}\n'))
    with pytest.raises(RecordingError):
        open_replay(path)
    path.write_bytes(b"hello\n")
    with pytest.raises(RecordingError):
        open_replay(path)


def test_fixture_array_replays_with_inferred_market() -> None:
    replay = open_replay(BURST_PATH)
    (market,) = replay.markets
    assert (market.yes_token, market.no_token) == (TOKEN_A, TOKEN_B)
    assert market.condition_id == burst_books()[0]["market"]
    assert market.tick is Tick.T0_001
    events = list(replay.events())
    assert len(events) == 51
    assert replay.rejects == []
    assert events[0][0] == int(burst_books()[0]["timestamp"])
    assert [ms for ms, _, _ in events] == sorted(ms for ms, _, _ in events)


def test_single_message_file_replays() -> None:
    replay = open_replay(FIXTURES / "ws_market" / "tick_size_change_2025-02.json")
    ((recv_ms, channel, _event),) = list(replay.events())
    assert (recv_ms, channel) == (1739068041853, "market")
    assert replay.markets == ()  # one token: no pair to infer


def test_count_frames_matches_what_a_pass_reads() -> None:
    from astra.adapters.recording.replay import open_replay
    from astra.adapters.sim.sample import sample_session_path

    replay = open_replay(sample_session_path())
    total = replay.count_frames()
    assert total > 0
    assert replay.frames_read == 0
    for _ in replay.events():
        pass
    assert replay.frames_read == total
