"""`astra config show` prints the effective settings and a hash that follows them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from astra.cli.main import main
from astra.settings import Settings


def test_config_show_json_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hash"] == Settings().settings_hash()
    assert out["settings"]["metrics"]["host"] == "127.0.0.1"


def test_config_show_toml_round_trips(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["config", "show", "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    parsed = tomllib.loads(text)
    assert parsed["data"]["dir"] == str(tmp_path)
    assert parsed["strategy"]["by_category"] == [
        ["crypto_threshold", "crypto_threshold"],
        ["weather_exceedance", "weather_exceedance"],
        ["rates_event", "rates_event"],
    ]


def test_config_show_unknown_key_is_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[metrics]\nprot = 1\n")
    assert main(["config", "show", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"astra config: {path}: unknown key metrics.prot"]
