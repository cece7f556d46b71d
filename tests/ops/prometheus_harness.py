"""A real `prometheus` server for tests: loopback, ephemeral port, temporary storage.

`PrometheusHarness(target, rule_files, workdir)` writes a config that scrapes `target` every
second and loads the given rule files, starts the binary on 127.0.0.1:<free port>, waits until
it is ready, answers instant queries through the HTTP API and stops the process on `close()`.
Used against our own exporter now and against `astra replay` when that exists.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROMETHEUS = shutil.which("prometheus")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrometheusHarness:
    def __init__(self, target: str, rule_files: Sequence[Path], workdir: Path) -> None:
        if PROMETHEUS is None:
            raise RuntimeError("the prometheus binary is not on PATH")
        self.port = free_port()
        self.workdir = workdir
        self.config = workdir / "prometheus.yml"
        rules = "\n".join(f"  - {Path(p).resolve()}" for p in rule_files)
        self.config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files:\n{rules}\n"
            "scrape_configs:\n  - job_name: astra\n    static_configs:\n"
            f"      - targets: ['{target}']\n"
        )
        self.log = (workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={self.config}",
                f"--storage.tsdb.path={workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.logs()}")
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"prometheus not ready after {timeout_s}s: {self.logs()}")

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query; raises on a PromQL error (so a bad dashboard expression fails)."""
        url = self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ValueError(f"{expr!r}: {exc.read().decode()}") from exc
        if body.get("status") != "success":
            raise ValueError(f"{expr!r}: {body}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_for(self, expr: str, timeout_s: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            result = self.query(expr)
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.25)

    def logs(self) -> str:
        self.log.flush()
        return (self.workdir / "prometheus.log").read_text(errors="replace")[-2000:]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()

    def __enter__(self) -> PrometheusHarness:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
