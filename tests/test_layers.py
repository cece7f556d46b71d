"""The layer rule, enforced: domain is pure, adapters never see actors, only the root wires."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "astra" / "domain"

# Modules whose import would give the domain threads, I/O or a wall clock.
IMPURE_MODULES = {
    "threading",
    "multiprocessing",
    "asyncio",
    "anyio",
    "socket",
    "sqlite3",
    "subprocess",
    "httpx",
    "websockets",
    "pykka",
    "prometheus_client",
    "time",
    "os",
    "shutil",
    "signal",
    "logging",
    "io",
    "pathlib",
    "random",
    "urllib",
    "http",
}
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("time", "time"),
}


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_imports_nothing_from_actors_or_adapters() -> None:
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for name in _imports(ast.parse(path.read_text())):
            if name.startswith(("astra.actors", "astra.adapters", "astra.app", "astra.cli")):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_domain_has_no_threads_io_or_wall_clock() -> None:
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for name in _imports(tree):
            if name.split(".")[0] in IMPURE_MODULES:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} reads the wall clock")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "open"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} opens a file")
    assert offenders == []


def test_import_contracts_hold() -> None:
    """import-linter checks the whole graph, including indirect imports."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
