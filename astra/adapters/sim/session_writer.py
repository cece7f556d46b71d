"""Write a simulated session as a recording (docs/recording-format.md), byte-reproducibly.

It goes through the recorder's own `RecordingWriter`, whose gzip stream stores no mtime and no
file name, so the same config gives the same bytes wherever and whenever it is written (the
bundled sample session is checked that way).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from astra.adapters.recording.model_frames import encode_model_frame
from astra.adapters.recording.recorder import RecordingHeader, RecordingWriter
from astra.adapters.sim.venue_encoding import VenueEncoder, spot_frame
from astra.domain.sim.session import MarketFrame, ModelDataFrame, SessionConfig, SimSession

SOURCE = "synthetic"


@dataclass(frozen=True, slots=True)
class WriteStats:
    market_frames: int
    spot_frames: int
    bytes_written: int
    model_frames: int = 0

    @property
    def frames(self) -> int:
        return self.market_frames + self.spot_frames + self.model_frames


def session_header(session: SimSession) -> RecordingHeader:
    return RecordingHeader(
        created_ms=session.config.start_ms,
        source=SOURCE,
        markets=tuple(m.info for m in session.markets),
        seed=session.config.seed,
    )


def write_session(config: SessionConfig, path: Path) -> WriteStats:
    """Generate the session for `config` and write it to `path` (gzip JSON lines)."""
    session = SimSession(config)
    encoder = VenueEncoder(m.info for m in session.markets)
    market_frames = model_frames = 0
    with RecordingWriter(path, session_header(session)) as out:
        for frame in session.frames():
            if isinstance(frame, MarketFrame):
                out.write_frame(frame.recv_ms, "market", encoder.market_frame(frame))
                market_frames += 1
            elif isinstance(frame, ModelDataFrame):
                out.write_frame(frame.recv_ms, "model", encode_model_frame(frame.tick.frame))
                model_frames += 1
            else:
                out.write_frame(frame.recv_ms, "spot", spot_frame(frame))
        spot_frames = out.frames - market_frames - model_frames
    return WriteStats(market_frames, spot_frames, path.stat().st_size, model_frames)
