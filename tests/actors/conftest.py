"""Fixtures shared by the actor-runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pykka
import pytest

from astra.actors.runtime.registry import Registry
from astra.domain.metrics_port import CountingMetrics
from tests.actors.runtime_support import WAIT_S


@pytest.fixture
def stop_all_actors() -> Iterator[None]:
    yield
    pykka.ActorRegistry.stop_all(block=True, timeout=WAIT_S)


@pytest.fixture
def metrics() -> CountingMetrics:
    return CountingMetrics()


@pytest.fixture
def registry(metrics: CountingMetrics) -> Registry:
    return Registry(metrics)
