"""Read the expressions out of ops/: rule files (a small YAML subset we write) and the dashboard.

The venv has no YAML parser, and the rule files use only `key: value` lines and folded `>`
blocks for `expr`, so a line reader suffices; `test_rules.py` cross-checks the counts against
`promtool check rules`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

OPS = Path(__file__).resolve().parents[2] / "ops"
PROMETHEUS_DIR = OPS / "prometheus"
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
DASHBOARD = OPS / "grafana" / "dashboards" / "astra_overview.json"

_KEY = re.compile(r"^(\s*)(?:- )?(record|alert|expr):\s*(.*)$")


def rules(path: Path) -> list[dict[str, str]]:
    """[{'record'|'alert': name, 'expr': text}, ...] in file order."""
    lines = path.read_text().splitlines()
    found: list[dict[str, str]] = []
    index = 0
    while index < len(lines):
        match = _KEY.match(lines[index])
        index += 1
        if match is None:
            continue
        indent, key, value = len(match.group(1)), match.group(2), match.group(3).strip()
        if key in ("record", "alert"):
            found.append({key: value})
            continue
        if value in (">", "|"):
            block: list[str] = []
            while index < len(lines) and (
                not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
            ):
                block.append(lines[index].strip())
                index += 1
            value = " ".join(part for part in block if part)
        found[-1]["expr"] = value
    return found


def all_rules() -> list[dict[str, str]]:
    return [rule for path in RULE_FILES for rule in rules(path)]


def recording_names() -> set[str]:
    return {rule["record"] for rule in all_rules() if "record" in rule}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def dashboard_exprs() -> list[tuple[str, str]]:
    """(panel title, expr) for every query target of every panel."""
    exprs: list[tuple[str, str]] = []
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            exprs.append((panel["title"], target.get("expr", "")))
    return exprs


_NAME = re.compile(r"\b(astra(?::[a-z0-9_]+)+|astra_[a-z0-9_]+)")
_HISTOGRAM_SUFFIX = re.compile(r"_(bucket|sum|count)$")


def referenced_names(expr: str) -> set[str]:
    return set(_NAME.findall(expr))


def base_metric(name: str) -> str:
    return (
        _HISTOGRAM_SUFFIX.sub("", name)
        if name.endswith("_seconds_bucket") or name.endswith(("_seconds_sum", "_seconds_count"))
        else name
    )
