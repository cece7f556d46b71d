"""Replay progress: a bar with rate and time left on a TTY, a periodic log line otherwise."""

from __future__ import annotations

import io
import logging

import pytest

from astra.app.replay_progress import ReplayProgress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bar_shows_fraction_rate_and_time_left() -> None:
    clock, frames = _Clock(), [0]
    stream = io.StringIO()
    progress = ReplayProgress(stream, 1_000, lambda: frames[0], clock=clock, width=10)
    clock.now, frames[0] = 110.0, 250  # a quarter in 10 s: 30 s left
    progress.update(5_000)
    assert stream.getvalue() == "\r[##........] 25%, 5,000 events, 500 events/s, about 30 s left"
    frames[0] = 1_000
    progress.finish(20_000)
    assert stream.getvalue().endswith("100%, 20,000 events, 2,000 events/s\n")


def test_without_a_tty_a_log_line_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    clock, frames = _Clock(), [0]
    progress = ReplayProgress(None, 400, lambda: frames[0], clock=clock, interval_s=10.0)
    with caplog.at_level(logging.INFO, logger="astra.replay"):
        clock.now, frames[0] = 105.0, 100
        progress.update(100)  # within the interval: quiet
        clock.now, frames[0] = 112.0, 200
        progress.update(200)
        clock.now, frames[0] = 200.0, 400
        progress.finish(400)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "replay progress: 50%, 200 events, 17 events/s, about 12 s left",
        "replay progress: 100%, 400 events, 4 events/s",
    ]


def test_unknown_total_still_reports_counts_and_rate() -> None:
    clock = _Clock()
    stream = io.StringIO()
    progress = ReplayProgress(stream, None, lambda: 0, clock=clock)
    clock.now = 102.0
    progress.update(1_000)
    assert stream.getvalue() == "\r1,000 events, 500 events/s"
