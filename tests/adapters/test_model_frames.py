"""The recording's `model` channel codec: exact round trips (hypothesis) and named rejects."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.adapters.recording.model_frames import decode_model_frame, encode_model_frame
from astra.adapters.recording.recorder import RecordingHeader, RecordingWriter
from astra.adapters.recording.replay import open_replay
from astra.domain.metrics_port import FEED_REJECTED_FRAMES_TOTAL, CountingMetrics
from astra.domain.models.frames import RatesPrior, WeatherForecast
from astra.domain.reasons import FeedReject

TS = st.integers(1_600_000_000_000, 4_000_000_000_000)
# Readings carry a few decimals (NWS degC conversions, the simulator rounds to 0.01); a
# denormal such as 5e-204 is outside the bounded exponent and is rejected, by design.
TEMP = st.floats(-100, 150).map(lambda v: round(v, 4))


@given(value=TEMP, issued=TS, observed=st.one_of(st.none(), st.tuples(TEMP, TS)))
def test_weather_forecast_round_trips_exactly(
    value: float, issued: int, observed: tuple[float, int] | None
) -> None:
    obs_f, obs_ms = observed if observed is not None else (None, None)
    frame = WeatherForecast("KLGA", "max_temp", issued, value, issued, obs_f, obs_ms, "nws")
    assert decode_model_frame(encode_model_frame(frame)).events == [frame]


@given(
    outcomes=st.lists(
        st.tuples(st.integers(-200, 200), st.floats(0, 1).map(lambda p: round(p, 6))),
        min_size=1,
        max_size=8,
    ),
    as_of=TS,
)
def test_rates_prior_round_trips_exactly(outcomes: list[tuple[int, float]], as_of: int) -> None:
    frame = RatesPrior("fed", as_of, 425, 450, tuple(outcomes), as_of, "settings")
    assert decode_model_frame(encode_model_frame(frame)).events == [frame]


GOOD = orjson.loads(
    encode_model_frame(
        WeatherForecast("KLGA", "max_temp", 1_780_444_800_000, 80.0, 1_780_444_800_000)
    )
)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", FeedReject.MALFORMED_JSON),
        ("[1, 2]", FeedReject.NOT_AN_OBJECT),
        ('{"kind": "tide_table"}', FeedReject.UNKNOWN_EVENT_TYPE),
        (orjson.dumps({**GOOD, "extra": 1}).decode(), FeedReject.UNKNOWN_FIELD),
        (
            orjson.dumps({k: v for k, v in GOOD.items() if k != "issued_ms"}).decode(),
            FeedReject.MISSING_FIELD,
        ),
        (orjson.dumps({**GOOD, "value_f": "1e999"}).decode(), FeedReject.OUT_OF_RANGE),
        (orjson.dumps({**GOOD, "value_f": 500.0}).decode(), FeedReject.OUT_OF_RANGE),
        (orjson.dumps({**GOOD, "value_f": True}).decode(), FeedReject.BAD_NUMBER),
        (orjson.dumps({**GOOD, "observed_f": 70.0}).decode(), FeedReject.BAD_VALUE),
        ("[" * 40 + "]" * 40, FeedReject.TOO_DEEP),
        ("x" * 9_000, FeedReject.OUT_OF_RANGE),
    ],
)
def test_bad_frames_are_counted_rejections(raw: str, reason: FeedReject) -> None:
    decoded = decode_model_frame(raw)
    assert decoded.events == []
    assert [r for r, _ in decoded.rejects] == [reason]


def test_a_bad_model_frame_in_a_recording_is_one_counted_rejection(tmp_path: Path) -> None:
    """The file still replays: the frames around the bad one come through, in order."""
    first = WeatherForecast("KLGA", "max_temp", 1_780_444_800_000, 80.5, 1_780_400_000_000)
    later = RatesPrior(
        "fed", 1_781_654_400_000, 425, 450, ((-25, 0.3), (0, 0.7)), 1_780_500_000_000
    )
    path = tmp_path / "models.jsonl.gz"
    header = RecordingHeader(created_ms=1_780_400_000_000, source="test")
    with RecordingWriter(path, header) as out:
        out.write_frame(1_780_400_000_001, "model", encode_model_frame(first))
        out.write_frame(1_780_400_000_002, "model", orjson.dumps({**GOOD, "x": 1}).decode())
        out.write_frame(1_780_400_000_003, "model", encode_model_frame(later))
    metrics = CountingMetrics()
    replay = open_replay(path, metrics)
    assert [(ms, ch, e) for ms, ch, e in replay.events()] == [
        (1_780_400_000_001, "model", first),
        (1_780_400_000_003, "model", later),
    ]
    assert [reason for reason, _ in replay.rejects] == [FeedReject.UNKNOWN_FIELD]
    assert metrics.counter_sum(FEED_REJECTED_FRAMES_TOTAL) == 1.0
