"""The referral state machine and its effect on the case: pure decisions, no database.

SPEC §5: requested → accepted / declined (reason) → completed / failed; cancellable by the
center. Decisions written down:
- Open referrals are `requested` and `accepted`; `declined`, `completed`, `failed` and
  `cancelled` are final. A referral is *answered*, for the case, when it is final: the case is
  `referred` while any referral of it is open and goes back to `in_progress` when the last open
  one becomes final (an accepted referral is still being worked on by the agency).
- The agency accepts or declines a `requested` referral, and completes or fails an `accepted`
  one; declining and failing need a reason. The center (caseworkers, supervisors) cancels an
  open one, with a reason; routing cancels an overdue one itself when it refers on (`auto`).
- A case is referred from `in_progress` (it becomes `referred`) or from `referred` (another
  agency, the case stays `referred`); not before an offer was accepted or a caseworker took it
  on (`screened`), not while waiting for the client, and not once resolved or closed.
- The response deadline counts from the request, in hours by urgency: the service's own
  `response_deadline_hours`, else the settings' default (`ONESTOP_REFERRAL_HOURS_*`). Only a
  `requested` referral can be overdue: accepting is the answer the deadline waits for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.enums import CaseStatus, ReferralAnswer, ReferralStatus, Urgency
from service.platform.settings import Settings

OPEN = frozenset({ReferralStatus.requested, ReferralStatus.accepted})
REFERRABLE_CASE_STATUSES = frozenset({CaseStatus.in_progress, CaseStatus.referred})
AGENCY_ANSWERS = frozenset(
    {ReferralAnswer.accept, ReferralAnswer.decline, ReferralAnswer.complete, ReferralAnswer.fail}
)
NEEDS_REASON = frozenset({ReferralAnswer.decline, ReferralAnswer.fail, ReferralAnswer.cancel})

STEPS: dict[tuple[ReferralStatus, ReferralAnswer], ReferralStatus] = {
    (ReferralStatus.requested, ReferralAnswer.accept): ReferralStatus.accepted,
    (ReferralStatus.requested, ReferralAnswer.decline): ReferralStatus.declined,
    (ReferralStatus.accepted, ReferralAnswer.complete): ReferralStatus.completed,
    (ReferralStatus.accepted, ReferralAnswer.fail): ReferralStatus.failed,
    (ReferralStatus.requested, ReferralAnswer.cancel): ReferralStatus.cancelled,
    (ReferralStatus.accepted, ReferralAnswer.cancel): ReferralStatus.cancelled,
}


def next_status(current: ReferralStatus, answer: ReferralAnswer) -> ReferralStatus | None:
    """The status `answer` moves a referral to from `current`, or None when it may not."""
    return STEPS.get((current, answer))


def allowed_answers(current: ReferralStatus) -> list[ReferralAnswer]:
    """The answers a referral in `current` still takes."""
    return [answer for (status, answer) in STEPS if status is current]


def case_status_after(
    case_status: CaseStatus, *, open_before: int, open_after: int
) -> CaseStatus | None:
    """The case's new status when its number of open referrals goes from `open_before` to
    `open_after`, or None when it keeps its status."""
    if open_before == 0 and open_after > 0 and case_status is CaseStatus.in_progress:
        return CaseStatus.referred
    if open_before > 0 and open_after == 0 and case_status is CaseStatus.referred:
        return CaseStatus.in_progress
    return None


def response_hours(settings: Settings, urgency: Urgency, service_hours: dict[str, int]) -> int:
    """Hours an agency has to answer: the service's own for this urgency, else the default."""
    own = service_hours.get(urgency.value)
    if isinstance(own, int) and own > 0:
        return own
    return {
        Urgency.critical: settings.referral_hours_critical,
        Urgency.high: settings.referral_hours_high,
        Urgency.normal: settings.referral_hours_normal,
        Urgency.low: settings.referral_hours_low,
    }[urgency]


def response_due_at(
    settings: Settings, *, urgency: Urgency, service_hours: dict[str, int], now: datetime
) -> datetime:
    """When a referral requested `now` must be answered."""
    return now + timedelta(hours=response_hours(settings, urgency, service_hours))


def is_overdue(
    status: ReferralStatus, *, response_due_at: datetime, overdue_at: datetime | None, now: datetime
) -> bool:
    """Whether a referral waits for the agency's answer past its deadline."""
    if status is not ReferralStatus.requested:
        return False
    return overdue_at is not None or response_due_at <= now
