"""Pure throttling decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from service.accounts.throttle import (
    MAX_LOCKOUT,
    ThrottlePolicy,
    after_failure,
    retry_after_seconds,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=5))


def test_locks_at_the_limit_and_doubles() -> None:
    state = None
    for _ in range(2):
        state = after_failure(state, POLICY, NOW)
        assert retry_after_seconds(state, NOW) is None
    state = after_failure(state, POLICY, NOW)
    assert retry_after_seconds(state, NOW) == 300
    state = after_failure(state, POLICY, NOW)
    assert retry_after_seconds(state, NOW) == 600


def test_window_expiry_starts_over() -> None:
    state = after_failure(after_failure(None, POLICY, NOW), POLICY, NOW)
    later = NOW + timedelta(minutes=16)
    fresh = after_failure(state, POLICY, later)
    assert fresh.failures == 1 and fresh.window_started_at == later


def test_lock_ends_in_time() -> None:
    state = None
    for _ in range(3):
        state = after_failure(state, POLICY, NOW)
    assert retry_after_seconds(state, NOW + timedelta(minutes=5, seconds=1)) is None


@given(st.integers(min_value=1, max_value=200))
def test_lockout_never_exceeds_a_day(failures: int) -> None:
    state = None
    for _ in range(failures):
        state = after_failure(state, POLICY, NOW)
    wait = retry_after_seconds(state, NOW)
    assert wait is None or wait <= MAX_LOCKOUT.total_seconds()
    assert (wait is not None) == (failures >= POLICY.max_failures)
