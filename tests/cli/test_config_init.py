"""`astra config init`: every setting, commented, with its default and rule; valid TOML."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from astra.cli.main import main
from astra.settings import Settings, flat_values, load_settings
from astra.settings_rules import RULES


def _uncommented(text: str) -> str:
    """Every `# key = value` line made live (rule lines `# key: ...` stay comments)."""
    return "\n".join(
        line[2:] if line.startswith("# ") and " = " in line and ": " not in line else line
        for line in text.splitlines()
    )


def test_init_lists_every_setting_and_uncommented_gives_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "astra.toml"
    assert main(["config", "init", "--out", str(out)]) == 0
    text = out.read_text()
    for key in flat_values(Settings()):
        _section, name = key.split(".")
        assert f"# {name} = " in text, key
        if key in RULES:
            assert f"# {name}: {RULES[key].describe()}" in text
    assert {f"[{s.name}]" for s in fields(Settings)} <= set(text.splitlines())
    live = tmp_path / "live.toml"
    live.write_text(_uncommented(text))
    assert load_settings(live) == Settings()
    assert load_settings(out) == Settings()  # all commented: changes nothing
    capsys.readouterr()


def test_init_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "astra.toml"
    out.write_text("keep me")
    assert main(["config", "init", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["config", "init", "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("# Astra settings.")
