"""Progress of a replay a person can follow: on a TTY a bar with the rate and the time left;
otherwise a log line every `interval_s` (so a replay under CI or `nohup` says it is alive).

Progress is in frames of the source (lines of a recording, messages of an array), whose
total is counted before the replay starts without decoding anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TextIO

_log = logging.getLogger("astra.replay")


class ReplayProgress:
    def __init__(
        self,
        stream: TextIO | None,
        total_frames: int | None,
        frames_read: Callable[[], int],
        *,
        interval_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        width: int = 32,
    ) -> None:
        self._stream = stream
        self._total = total_frames
        self._frames = frames_read
        self._interval = interval_s
        self._clock = clock
        self._width = width
        self._start = clock()
        self._last_line = self._start
        self._last_draw = 0.0

    def update(self, events: int, *, final: bool = False) -> None:
        now = self._clock()
        if self._stream is not None:
            if final or now - self._last_draw >= 0.1:
                self._last_draw = now
                self._stream.write("\r" + self.bar(events, now))
                self._stream.flush()
        elif final or now - self._last_line >= self._interval:
            self._last_line = now
            _log.info("replay progress: %s", self.line(events, now))

    def finish(self, events: int) -> None:
        self.update(events, final=True)
        if self._stream is not None:
            self._stream.write("\n")
            self._stream.flush()

    def fraction(self) -> float | None:
        if not self._total:
            return None
        return min(1.0, self._frames() / self._total)

    def line(self, events: int, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        parts = [f"{events:,} events", f"{events / elapsed:,.0f} events/s"]
        done = self.fraction()
        if done is not None:
            parts.insert(0, f"{done * 100:.0f}%")
            if 0 < done < 1:
                parts.append(f"about {_clock_text(elapsed * (1 - done) / done)} left")
        return ", ".join(parts)

    def bar(self, events: int, now: float) -> str:
        done = self.fraction()
        if done is None:
            return self.line(events, now)
        filled = int(self._width * done)
        return f"[{'#' * filled}{'.' * (self._width - filled)}] {self.line(events, now)}"


def _clock_text(seconds: float) -> str:
    whole = int(seconds + 0.5)
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
