"""The retry schedule, `Retry-After`, and the names of referral events: pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.enums import CaseEventType, ReferralStatus
from models.webhooks import WebhookEventType
from service.webhooks.schedule import (
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    event_type,
    next_wait,
    retry_after,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_standard_schedule_without_jitter() -> None:
    waits = [next_wait(n, asked=None, jitter=0) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
        None,  # the eighth attempt was the last
    ]
    assert RETRY_SCHEDULE[0] == timedelta(0)  # the first attempt goes at once


@given(st.integers(1, MAX_ATTEMPTS - 1), st.floats(0, 1, exclude_max=True))
def test_jitter_lengthens_a_wait_by_at_most_a_tenth(attempts: int, jitter: float) -> None:
    wait = next_wait(attempts, asked=None, jitter=jitter)
    assert wait is not None
    assert RETRY_SCHEDULE[attempts] <= wait <= RETRY_SCHEDULE[attempts] * 1.1


@given(st.integers(1, MAX_ATTEMPTS - 1), st.integers(0, 10**7))
def test_retry_after_is_honoured_up_to_the_longest_wait(attempts: int, seconds: int) -> None:
    asked = timedelta(seconds=seconds)
    wait = next_wait(attempts, asked=asked, jitter=0)
    assert wait is not None
    assert wait >= min(asked, LONGEST_WAIT)
    assert wait >= RETRY_SCHEDULE[attempts]
    assert wait <= max(LONGEST_WAIT, RETRY_SCHEDULE[attempts])


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("120", now=NOW) == timedelta(seconds=120)
    assert retry_after("Mon, 30 Nov 2026 09:10:00 GMT", now=NOW) == timedelta(minutes=10)
    assert retry_after("Mon, 30 Nov 2026 08:00:00 GMT", now=NOW) == timedelta(0)
    assert retry_after("99999999999999", now=NOW) == LONGEST_WAIT
    for unreadable in (None, "", "soon", "-5", "1.5", "²", "๑๒", "Mon, 99 Nov 2026 09:10:00"):
        assert retry_after(unreadable, now=NOW) is None


@given(st.text(max_size=40))
def test_any_retry_after_is_read_or_ignored(value: str) -> None:
    found = retry_after(value, now=NOW)
    assert found is None or found >= timedelta(0)


def test_each_referral_step_has_its_event() -> None:
    assert event_type(CaseEventType.referred, ReferralStatus.requested) is WebhookEventType.created
    assert event_type(CaseEventType.referral_answered, ReferralStatus.accepted) is (
        WebhookEventType.accepted
    )
    assert event_type(CaseEventType.referral_answered, ReferralStatus.declined) is (
        WebhookEventType.declined
    )
    assert event_type(CaseEventType.referral_answered, ReferralStatus.completed) is (
        WebhookEventType.completed
    )
    assert event_type(CaseEventType.referral_answered, ReferralStatus.failed) is (
        WebhookEventType.failed
    )
    assert event_type(CaseEventType.referral_cancelled, ReferralStatus.cancelled) is (
        WebhookEventType.cancelled
    )
    assert event_type(CaseEventType.referral_overdue, ReferralStatus.requested) is (
        WebhookEventType.overdue
    )
    assert event_type(CaseEventType.created, ReferralStatus.requested) is None
