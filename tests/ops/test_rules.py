"""ops/ is consistent: promtool accepts config, rules and rule tests; metrics referenced exist.

promtool comes from Debian's `prometheus` package (.ci/run installs it when apt is available);
without it the promtool tests skip with that reason, the pure-Python checks still run.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from astra.adapters.metrics_prometheus import catalogue_names
from tests.ops.ops_files import (
    DASHBOARD,
    PROMETHEUS_DIR,
    RULE_FILES,
    RULE_TESTS,
    all_rules,
    base_metric,
    dashboard,
    dashboard_exprs,
    recording_names,
    referenced_names,
)

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not on PATH (apt-get install prometheus); .ci/run installs it",
)
RUNBOOK = PROMETHEUS_DIR.parent / "README.md"


def _promtool(*args: str) -> str:
    assert PROMTOOL is not None
    done = subprocess.run(
        [PROMTOOL, *args], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.e2e
@needs_promtool
def test_promtool_check_config() -> None:
    _promtool("check", "config", str(PROMETHEUS_DIR / "prometheus.yml"))


@pytest.mark.e2e
@needs_promtool
def test_promtool_check_rules_and_counts_match_our_reader() -> None:
    out = _promtool("check", "rules", *map(str, RULE_FILES))
    counts = [int(n) for n in re.findall(r"SUCCESS: (\d+) rules found", out)]
    assert sum(counts) == len(all_rules())


@pytest.mark.e2e
@needs_promtool
def test_promtool_test_rules() -> None:
    assert RULE_TESTS
    _promtool("test", "rules", *map(str, RULE_TESTS))


def _known(name: str) -> bool:
    return base_metric(name) in catalogue_names() or name in recording_names()


def test_every_metric_in_rules_exists_in_the_catalogue() -> None:
    for rule in all_rules():
        assert rule.get("expr"), rule
        names = referenced_names(rule["expr"])
        unknown = {n for n in names if not _known(n)}
        assert not unknown, (rule, unknown)


def test_every_dashboard_query_is_a_known_nonempty_expression() -> None:
    exprs = dashboard_exprs()
    assert len(exprs) >= 30
    for title, expr in exprs:
        assert expr.strip(), title
        for opening, closing in ("()", "[]", "{}"):
            assert expr.count(opening) == expr.count(closing), (title, expr)
        names = referenced_names(expr)
        assert names or expr.startswith("up{"), (title, expr)
        unknown = {n for n in names if not _known(n)}
        assert not unknown, (title, unknown)


def test_dashboard_shape_and_datasource_uid() -> None:
    board = dashboard()
    assert board["uid"] == "astra-overview"
    assert isinstance(board["schemaVersion"], int)
    datasource = (
        PROMETHEUS_DIR.parent / "grafana/provisioning/datasources/datasource.yml"
    ).read_text()
    assert "uid: astra-prometheus" in datasource
    for panel in board["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "astra-prometheus"}
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(panel["title"] for panel in board["panels"]).lower()
    for topic in (
        "trading state",
        "equity",
        "fills",
        "halts",
        "restarts",
        "mailbox",
        "book",
        "feed",
    ):
        assert topic in titles, topic
    assert DASHBOARD.name == "astra_overview.json"


def test_every_alert_has_a_runbook_entry() -> None:
    runbook = RUNBOOK.read_text()
    alerts = [rule["alert"] for rule in all_rules() if "alert" in rule]
    assert len(alerts) >= 10
    for alert in alerts:
        assert f"### {alert}" in runbook, alert
        assert re.fullmatch(r"Astra[A-Z][A-Za-z]+", alert)


def test_promql_catalogue_has_every_metric_in_some_rule_or_panel() -> None:
    used = {base_metric(n) for _, e in dashboard_exprs() for n in referenced_names(e)}
    used |= {base_metric(n) for r in all_rules() for n in referenced_names(r["expr"])}
    assert catalogue_names() - used == set()
