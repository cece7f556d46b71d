"""`astra estimate` end to end through astra.cli.main.main."""

from __future__ import annotations

import json

import pytest

from astra.cli.main import main
from astra.domain.estimator import Estimate, estimate_touch


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["estimate", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


BASE = ["--spot", "95000", "--strike", "60000", "--days", "180", "--vol", "0.65"]


def test_json_prints_the_band_for_a_downward_touch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*BASE, "--kind", "touch", "--direction", "below", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    expected = estimate_touch(95_000, 60_000, 0.65, 180 / 365.25, "below")
    assert isinstance(expected, Estimate)
    assert doc["p_hat"] == pytest.approx(expected.p_hat)
    assert 0.0 < doc["p_low"] <= doc["p_hat"] <= doc["p_high"] < 1.0
    assert doc["kind"] == "touch"
    assert doc["direction"] == "below"


def test_text_output_and_vol_band(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [*BASE, "--kind", "close", "--direction", "above", "--vol-band", "0"], capsys
    )
    assert code == 0
    assert out.startswith("p_hat ")
    assert "p_low" in out
    assert "p_high" in out


def test_veto_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--spot", "95000", "--strike", "100000", "--days", "0", "--vol", "0.65"]
    code, out, err = run([*argv, "--kind", "close", "--direction", "above", "--json"], capsys)
    assert code == 2
    assert json.loads(out)["veto"] == "expired"
    assert "veto expired" in err
    code, _, err = run([*BASE[:-1], "nan", "--kind", "touch", "--direction", "above"], capsys)
    assert code == 2
    assert "non_finite_input" in err


def test_bad_vol_band_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        [*BASE, "--kind", "close", "--direction", "above", "--vol-band", "2"], capsys
    )
    assert code == 1
    assert err.startswith("astra estimate: --vol-band")
