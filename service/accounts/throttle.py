"""Pure decisions about failed logins: when to lock, for how long."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_LOCKOUT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


def retry_after_seconds(state: ThrottleState | None, now: datetime) -> int | None:
    """Seconds until a locked key may try again, or None when it is not locked."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, math.ceil((state.locked_until - now).total_seconds()))


def after_failure(
    state: ThrottleState | None, policy: ThrottlePolicy, now: datetime
) -> ThrottleState:
    """The state after one more failed attempt.

    Failures count within a window; reaching the limit locks the key, and every further
    failure doubles the lockout (capped at a day).
    """
    if state is None or now - state.window_started_at > policy.window:
        if state is not None and state.locked_until is not None and state.locked_until > now:
            failures, started = state.failures + 1, state.window_started_at
        else:
            failures, started = 1, now
    else:
        failures, started = state.failures + 1, state.window_started_at
    locked_until = state.locked_until if state is not None else None
    if failures >= policy.max_failures:
        exponent = min(failures - policy.max_failures, 16)
        lockout = min(policy.lockout * (2**exponent), MAX_LOCKOUT)
        locked_until = now + lockout
    return ThrottleState(failures=failures, window_started_at=started, locked_until=locked_until)
