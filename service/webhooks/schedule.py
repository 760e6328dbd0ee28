"""When a delivery is tried again, and what a referral step is called: pure decisions.

The schedule is the Standard Webhooks one: the first attempt at once, then after 5 seconds,
5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours; after the eighth attempt the
delivery has failed. Each wait is lengthened by up to a tenth at random (jitter), so receivers
that came back are not hit by every retry at the same second. A `Retry-After` the receiver
sent (seconds or an HTTP date) is honoured when it asks for longer than the schedule, up to
the schedule's longest wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from models.enums import CaseEventType, ReferralStatus
from models.webhooks import WebhookEventType

RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
MAX_JITTER = 0.1
LONGEST_WAIT = max(RETRY_SCHEDULE)
GONE = 410

_ANSWERED = {
    ReferralStatus.accepted: WebhookEventType.accepted,
    ReferralStatus.declined: WebhookEventType.declined,
    ReferralStatus.completed: WebhookEventType.completed,
    ReferralStatus.failed: WebhookEventType.failed,
}


def event_type(step: CaseEventType, status: ReferralStatus) -> WebhookEventType | None:
    """The webhook event of a referral step (its case event, and the referral's status after
    it); None for a step agencies are not told about."""
    if step is CaseEventType.referred:
        return WebhookEventType.created
    if step is CaseEventType.referral_cancelled:
        return WebhookEventType.cancelled
    if step is CaseEventType.referral_overdue:
        return WebhookEventType.overdue
    if step is CaseEventType.referral_answered:
        return _ANSWERED.get(status)
    return None


def is_accepted(status_code: int) -> bool:
    """A 2xx answer: the receiver has the message."""
    return 200 <= status_code < 300


def retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """The wait a `Retry-After` header asks for (delay-seconds or an HTTP date); None when
    there is none or it cannot be read."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # delay-seconds is ASCII digits only (RFC 9110)
        return timedelta(seconds=min(int(text), int(LONGEST_WAIT.total_seconds())))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def next_wait(attempts: int, *, asked: timedelta | None, jitter: float) -> timedelta | None:
    """How long to wait after `attempts` failed attempts before the next; None: give up.

    `jitter` is a number in [0, 1) (random in production, fixed in tests); `asked` is what the
    receiver's `Retry-After` asked for.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    wait = RETRY_SCHEDULE[attempts] * (1 + MAX_JITTER * jitter)
    if asked is not None and asked > wait:
        wait = min(asked, LONGEST_WAIT)
    return wait
