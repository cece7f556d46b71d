"""Packaging hygiene: the runtime lock a deployment installs holds no dev tools, each lock
pins every dependency it must, and the compose file installs the runtime lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_TOOLS = {"pytest", "pytest-timeout", "freezegun", "hypothesis", "ruff", "mypy", "import-linter"}


def _pins(lock: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", lock.read_text(), flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_runtime_lock_pins_every_runtime_dependency_and_no_dev_tool() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(ROOT / "requirements.lock")
    assert _names(project["dependencies"]) <= set(runtime)
    assert DEV_TOOLS.isdisjoint(runtime)


def test_dev_lock_is_the_runtime_lock_plus_the_dev_tools() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(ROOT / "requirements.lock")
    dev = _pins(ROOT / "requirements-dev.lock")
    assert _names(project["optional-dependencies"]["dev"]) <= set(dev)
    # The same versions where both pin a package: tests run what is deployed.
    assert {k: dev[k] for k in runtime} == runtime


def test_every_install_hash_checked_and_the_deployment_installs_runtime_only() -> None:
    compose = (ROOT / "ops" / "docker-compose.yml").read_text()
    assert "--require-hashes -r requirements.lock" in compose
    assert "requirements-dev.lock" not in compose
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile


def test_metadata_names_licence_classifiers_and_refuses_upload() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"]
    assert "Private :: Do Not Upload" in project["classifiers"]
    assert any(
        c.startswith("Programming Language :: Python :: 3.11") for c in project["classifiers"]
    )
