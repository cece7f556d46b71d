"""Restart backoff: exponential growth, seeded jitter, cap."""

from __future__ import annotations

import pytest

from astra.actors.runtime.backoff import Backoff, BackoffPolicy


def test_exponential_without_jitter() -> None:
    backoff = Backoff(BackoffPolicy(base_ms=100, cap_ms=10_000, factor=2.0, jitter=0.0), seed=1)
    assert [backoff.delay_ms(n) for n in range(1, 7)] == [100, 200, 400, 800, 1600, 3200]


def test_cap_is_a_hard_bound_even_with_jitter() -> None:
    backoff = Backoff(BackoffPolicy(base_ms=100, cap_ms=1_000, factor=2.0, jitter=1.0), seed=3)
    assert [backoff.delay_ms(n) for n in (5, 6, 50, 10_000)] == [1_000] * 4


def test_jitter_is_bounded_and_reproducible_from_the_seed() -> None:
    policy = BackoffPolicy(base_ms=100, cap_ms=100_000, factor=2.0, jitter=0.2)
    first = [Backoff(policy, seed=7).delay_ms(n) for n in range(1, 9)]
    again = [Backoff(policy, seed=7).delay_ms(n) for n in range(1, 9)]
    other = [Backoff(policy, seed=8).delay_ms(n) for n in range(1, 9)]
    assert first == again
    assert first != other
    for n, delay in enumerate(first, start=1):
        raw = 100 * 2 ** (n - 1)
        assert raw <= delay <= raw * 1.2


def test_zero_base_means_immediate_restart() -> None:
    assert Backoff(BackoffPolicy(base_ms=0, cap_ms=0), seed=0).delay_ms(3) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_ms": -1},
        {"base_ms": 10, "cap_ms": 5},
        {"factor": 0.5},
        {"jitter": 1.5},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff"):
        BackoffPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Backoff(BackoffPolicy(), seed=0).delay_ms(0)
