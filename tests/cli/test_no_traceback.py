"""No traceback reaches a user: every subcommand, run as a real process, with a table of bad
inputs. Each case must end with a non-zero exit code it names, one line on stderr naming the
problem, and no Python traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from astra.cli.guard import EXIT_INTERNAL, guarded
from astra.cli.main import CommandError

SAMPLE = Path(__file__).resolve().parents[2] / "astra" / "data" / "sample_session.jsonl.gz"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "junk.txt").write_text("this is not a journal, a recording or TOML = [\n")
    (root / "neg.toml").write_text("[risk]\ndaily_loss_frac = -5\n")
    (root / "abc.toml").write_text('[risk]\ncooldown_s = "abc"\n')
    (root / "bad.toml").write_text("[risk\n")
    (root / "typo.toml").write_text("[risk]\ndaily_los_frac = 0.1\n")
    return root


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRA_")}
    # Nothing listens on port 1 of loopback: venue calls fail at once, never leave the machine.
    env.update(
        ASTRA_VENUE__GAMMA_URL="http://127.0.0.1:1",
        ASTRA_VENUE__CLOB_URL="http://127.0.0.1:1",
        ASTRA_VENUE__WS_URL="ws://127.0.0.1:1/ws/market",
        ASTRA_VENUE__HTTP_RETRIES="0",
        ASTRA_DATA__DIR=str(workdir / "data"),
    )
    return env


# (argv, expected exit code, a phrase the one line must contain)
CASES: list[tuple[list[str], int, str]] = [
    (["config", "show", "--config", "neg.toml"], 2, "risk.daily_loss_frac = -5.0 is out of range"),
    (["config", "show", "--config", "abc.toml"], 2, "risk.cooldown_s: expected a number"),
    (["config", "show", "--config", "bad.toml"], 2, "not valid TOML"),
    (["config", "show", "--config", "typo.toml"], 2, "unknown key risk.daily_los_frac"),
    (["config", "show", "--config", "missing.toml"], 2, "does not exist"),
    (["replay", "--config", "neg.toml", str(SAMPLE)], 2, "daily_loss_frac"),
    (["replay", "--metrics-port", "99999", str(SAMPLE)], 2, "port 99999 is out of range"),
    (["replay", "--metrics-port", "-5", str(SAMPLE)], 2, "port -5 is out of range"),
    (["replay", "--metrics-port", "http", str(SAMPLE)], 2, "expected a port number"),
    (["replay", "junk.txt"], 3, "neither a recording nor a JSON message array"),
    (["replay", "--data-dir", "junk.txt/sub", str(SAMPLE)], 2, "is not writable"),
    (["paper", "--data-dir", "junk.txt/sub"], 2, "is not writable"),
    (["demo", "--data-dir", "junk.txt/sub"], 2, "is not writable"),
    (["decisions", "--journal", "junk.txt"], 1, "database error"),
    (["decisions", "--journal", "missing.sqlite3"], 1, "journal not found"),
    (["decisions", "--last", "-1"], 2, "--last must be >= 0"),
    (["report", "--journal", "junk.txt"], 1, "not a database"),
    (["status"], 3, "no control token"),
    (["halt"], 3, "no control token"),
    (["discover"], 3, "discovery vetoed"),
    (["chaos", "--markets", "-1"], 2, "--markets must be >= 1"),
    (["inspect", "--asset", "x", "missing.gz"], 2, "missing.gz"),
    (["definitions", "lint", "junk.txt"], 1, "invalid_json"),
    (
        [
            "estimate",
            "--spot",
            "nan",
            "--strike",
            "1",
            "--kind",
            "close",
            "--direction",
            "above",
            "--days",
            "1",
            "--vol",
            "0.5",
        ],
        2,
        "non_finite_input",
    ),
    (["nonsense-command"], 2, "invalid choice"),
]


@pytest.mark.parametrize(
    ("argv", "code", "phrase"), CASES, ids=[" ".join(c[0])[:60] for c in CASES]
)
def test_bad_input_is_one_line_and_no_traceback(
    workdir: Path, argv: list[str], code: int, phrase: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "astra", *argv],
        cwd=workdir,
        env=_env(workdir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = done.stderr + done.stdout
    assert "Traceback" not in said
    assert done.returncode == code, said
    assert phrase in said
    assert said.strip(), "a failure must say why"


def test_a_closed_stdout_ends_quietly(workdir: Path) -> None:
    """`astra config show | head -1`: the reader goes away; no BrokenPipeError traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "astra", "config", "show"],
        cwd=workdir,
        env=_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in {0, 141}
    assert "Traceback" not in err
    assert "BrokenPipe" not in err


def test_an_internal_error_is_one_line_exit_70_unless_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def buggy(_: argparse.Namespace) -> int:
        raise KeyError("order-7")

    args = argparse.Namespace()
    code = guarded(buggy, args, prefix="astra x", debug=False, command_error=CommandError)
    err = capsys.readouterr().err
    assert code == EXIT_INTERNAL
    assert (
        err
        == "astra x: internal error: KeyError: 'order-7' (rerun with --debug for the traceback)\n"
    )
    with pytest.raises(KeyError):
        guarded(buggy, args, prefix="astra x", debug=True, command_error=CommandError)


def test_operator_errors_stay_one_line_even_with_debug(capsys: pytest.CaptureFixture[str]) -> None:
    def refused(_: argparse.Namespace) -> int:
        raise CommandError("journal not found: x", exit_code=1)

    code = guarded(
        refused, argparse.Namespace(), prefix="astra y", debug=True, command_error=CommandError
    )
    assert (code, capsys.readouterr().err) == (1, "astra y: journal not found: x\n")
