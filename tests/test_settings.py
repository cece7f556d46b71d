"""Settings: defaults, TOML, ASTRA_* environment, strictness about unknown keys, stable hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra.settings import Settings, SettingsError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "astra.toml"
    path.write_text(text)
    return path


def test_defaults_bind_endpoints_to_loopback() -> None:
    settings = load_settings()
    assert settings.metrics.host == "127.0.0.1"
    assert settings.control.host == "127.0.0.1"
    assert settings.data.dir == "data"


def test_toml_overrides_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "[risk]\ndaily_loss_frac = 0.02\n[metrics]\nport = 9999\n")
    settings = load_settings(path)
    assert settings.risk.daily_loss_frac == 0.02
    assert settings.metrics.port == 9999
    assert settings.risk.max_drawdown_frac == Settings().risk.max_drawdown_frac


def test_int_is_accepted_for_float_field(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, "[risk]\ncooldown_s = 60\n"))
    assert settings.risk.cooldown_s == 60.0
    assert isinstance(settings.risk.cooldown_s, float)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[risk]\ndaily_los_frac = 0.1\n", "unknown key risk.daily_los_frac"),
        ("[rsk]\nx = 1\n", "unknown section [rsk]"),
        ('[metrics]\nport = "9464"\n', "metrics.port: expected an integer, got '9464'"),
        ("[control]\nenabled = 1\n", "control.enabled: expected true or false, got 1"),
        ("risk = 3\n", "[risk] must be a table"),
    ],
)
def test_bad_toml_is_an_error_naming_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(_write(tmp_path, text))
    assert fragment in str(excinfo.value)


def test_invalid_toml_and_missing_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(_write(tmp_path, "[risk\n"))
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[metrics]\nport = 9000\n")
    env = {
        "ASTRA_METRICS__PORT": "9100",
        "ASTRA_RISK__AUTO_RESUME": "true",
        "ASTRA_DISCOVERY__TAGS": '["235", "21"]',
        "ASTRA_CONTROL_TOKEN": "not-a-setting",  # no double underscore: ignored
        "HOME": "/root",
    }
    settings = load_settings(path, environ=env)
    assert settings.metrics.port == 9100
    assert settings.risk.auto_resume is True
    assert settings.discovery.tags == ("235", "21")


def test_environment_bad_value_names_the_source() -> None:
    with pytest.raises(SettingsError, match=r"environment: risk\.auto_resume"):
        load_settings(environ={"ASTRA_RISK__AUTO_RESUME": "maybe"})
    with pytest.raises(SettingsError, match=r"unknown key metrics\.prot"):
        load_settings(environ={"ASTRA_METRICS__PROT": "1"})


def test_flags_override_everything() -> None:
    settings = load_settings(
        environ={"ASTRA_DATA__DIR": "/tmp/a"}, overrides={"data": {"dir": "/tmp/b"}}
    )
    assert settings.data.dir == "/tmp/b"


def test_hash_is_stable_and_sensitive() -> None:
    assert Settings().settings_hash() == load_settings().settings_hash()
    changed = load_settings(overrides={"run": {"seed": 8}})
    assert changed.settings_hash() != Settings().settings_hash()
    assert len(Settings().settings_hash()) == 64


def test_strategy_for_category() -> None:
    settings = Settings()
    assert settings.strategy_for("crypto_threshold") == "crypto_threshold"
    assert settings.strategy_for("sports") == "maker"


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.run.seed = 1  # type: ignore[misc]


def test_every_numeric_and_enumerated_setting_has_a_rule() -> None:
    """A new number without a range would load unchecked: every one must be in RULES."""
    from astra.settings import flat_values
    from astra.settings_rules import RULES

    values = flat_values(Settings())
    numeric = {
        k for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    assert numeric - set(RULES) == set()
    assert set(RULES) - set(values) == set(), "a rule for a setting that does not exist"


def test_the_defaults_keep_every_rule() -> None:
    from astra.settings import flat_values
    from astra.settings_rules import rule_problems

    assert rule_problems(flat_values(Settings())) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "[risk]\ndaily_loss_frac = -5\n",
            "risk.daily_loss_frac = -5.0 is out of range: must be a number in (0, 1]",
        ),
        ("[risk]\ndaily_loss_frac = 1.5\n", "risk.daily_loss_frac = 1.5"),
        (
            "[metrics]\nport = 99999\n",
            "metrics.port = 99999 is out of range: must be a number in [0, 65535]",
        ),
        ("[run]\nmarket_workers = -1\n", "run.market_workers = -1"),
        (
            '[logging]\nlevel = "LOUD"\n',
            "logging.level = 'LOUD' is out of range: must be one of DEBUG",
        ),
        ('[journal]\nsynchronous = "fast"\n', "journal.synchronous"),
        ('[risk]\ncooldown_s = "abc"\n', "risk.cooldown_s: expected a number, got 'abc'"),
        ("[run]\nseed = 1.5\n", "run.seed: expected an integer, got 1.5"),
    ],
)
def test_a_value_outside_its_rule_is_one_named_line(tmp_path: Path, text: str, phrase: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_write(tmp_path, text))
    assert phrase in str(caught.value)
    assert "\n" not in str(caught.value)


def test_environment_values_are_checked_against_the_same_rules() -> None:
    with pytest.raises(SettingsError, match=r"risk.max_drawdown_frac = 0.0 is out of range"):
        load_settings(None, {"ASTRA_RISK__MAX_DRAWDOWN_FRAC": "0"})
    with pytest.raises(SettingsError, match=r"environment: risk.cooldown_s: expected a number"):
        load_settings(None, {"ASTRA_RISK__COOLDOWN_S": "abc"})
    assert load_settings(None, {"ASTRA_LOGGING__LEVEL": "debug"}).logging.level == "debug"


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("marking", "mid_max_spread_ticks", -1),
        ("marking", "stale_after_s", 0.0),
        ("accounting", "equity_interval_s", 0.0),
        ("accounting", "returns_interval_s", float("nan")),
    ],
)
def test_marking_and_accounting_values_are_checked(section: str, key: str, value: object) -> None:
    with pytest.raises(SettingsError, match=rf"\[{section}\]"):
        load_settings(overrides={section: {key: value}})


def test_marking_and_accounting_defaults() -> None:
    settings = load_settings()
    assert (settings.marking.mid_max_spread_ticks, settings.marking.stale_after_s) == (0, 300.0)
    assert settings.accounting.equity_interval_s == 60.0
    assert settings.accounting.returns_interval_s == 300.0
