"""Every engine-running command logs through the configured JSON logger, at the configured
level: `ASTRA_LOGGING__LEVEL`, `--log-level` and `-v` are honoured by replay and demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _demo(
    tmp_path: Path, *flags: str, env: dict[str, str] | None = None
) -> list[dict[str, object]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ASTRA_")}
    done = subprocess.run(
        [sys.executable, "-m", "astra", *flags, "demo", "--data-dir", str(tmp_path / "demo")],
        env=base | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_demo_logs_json_lines_at_the_default_level(tmp_path: Path) -> None:
    records = _demo(tmp_path)
    assert records, "the demo must log its start-up checks"
    assert {r["level"] for r in records} <= {"INFO", "WARNING", "ERROR"}
    assert all({"ts", "logger", "msg"} <= set(r) for r in records)


@pytest.mark.slow
def test_environment_level_is_honoured(tmp_path: Path) -> None:
    records = _demo(tmp_path, env={"ASTRA_LOGGING__LEVEL": "WARNING"})
    assert all(r["level"] != "INFO" for r in records)


@pytest.mark.slow
def test_log_level_flag_beats_the_environment(tmp_path: Path) -> None:
    records = _demo(tmp_path, "--log-level", "ERROR", env={"ASTRA_LOGGING__LEVEL": "DEBUG"})
    assert all(r["level"] in {"ERROR", "CRITICAL"} for r in records)
