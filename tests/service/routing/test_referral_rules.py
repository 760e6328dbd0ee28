"""The referral state machine, its effect on the case, and the response deadline: pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.enums import CaseStatus, ReferralAnswer, ReferralStatus, Urgency
from service.routing.referral_rules import (
    OPEN,
    allowed_answers,
    case_status_after,
    is_overdue,
    next_status,
    response_due_at,
    response_hours,
)
from tests.conftest import make_settings

FINAL = frozenset(ReferralStatus) - OPEN
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_spec_walk() -> None:
    assert next_status(ReferralStatus.requested, ReferralAnswer.accept) is ReferralStatus.accepted
    assert next_status(ReferralStatus.requested, ReferralAnswer.decline) is ReferralStatus.declined
    assert next_status(ReferralStatus.accepted, ReferralAnswer.complete) is ReferralStatus.completed
    assert next_status(ReferralStatus.accepted, ReferralAnswer.fail) is ReferralStatus.failed
    assert next_status(ReferralStatus.requested, ReferralAnswer.complete) is None
    assert next_status(ReferralStatus.accepted, ReferralAnswer.accept) is None
    assert allowed_answers(ReferralStatus.accepted) == [
        ReferralAnswer.complete,
        ReferralAnswer.fail,
        ReferralAnswer.cancel,
    ]


@given(st.lists(st.sampled_from(ReferralAnswer), max_size=12))
def test_any_sequence_of_answers_stays_in_the_machine(answers: list[ReferralAnswer]) -> None:
    """Whatever is sent, a referral moves only along the table, a final status never moves
    again, and it passes through `accepted` before it is completed or failed."""
    status = ReferralStatus.requested
    seen = [status]
    for answer in answers:
        moved = next_status(status, answer)
        if status in FINAL:
            assert moved is None
        if moved is not None:
            status = moved
            seen.append(status)
    if status in {ReferralStatus.completed, ReferralStatus.failed}:
        assert ReferralStatus.accepted in seen
    assert all(s in OPEN for s in seen[:-1])


@given(st.sampled_from(ReferralStatus), st.sampled_from(ReferralAnswer))
def test_cancel_is_the_only_way_out_for_the_center(
    status: ReferralStatus, answer: ReferralAnswer
) -> None:
    moved = next_status(status, answer)
    if answer is ReferralAnswer.cancel:
        assert (moved is ReferralStatus.cancelled) == (status in OPEN)


@given(
    st.sampled_from(CaseStatus),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=5),
)
def test_the_case_is_referred_while_any_referral_is_open(
    status: CaseStatus, before: int, after: int
) -> None:
    moved = case_status_after(status, open_before=before, open_after=after)
    if moved is CaseStatus.referred:
        assert status is CaseStatus.in_progress and before == 0 and after > 0
    elif moved is CaseStatus.in_progress:
        assert status is CaseStatus.referred and before > 0 and after == 0
    else:
        assert moved is None
        assert not (status is CaseStatus.in_progress and before == 0 and after > 0)
        assert not (status is CaseStatus.referred and before > 0 and after == 0)


def test_the_deadline_is_the_services_own_else_the_default() -> None:
    settings = make_settings(referral_hours_normal=30)
    assert response_hours(settings, Urgency.high, {"high": 4}) == 4
    assert response_hours(settings, Urgency.normal, {"high": 4}) == 30
    assert response_hours(settings, Urgency.critical, {}) == 2
    due = response_due_at(settings, urgency=Urgency.low, service_hours={}, now=NOW)
    assert due == NOW + timedelta(hours=120)


def test_only_an_unanswered_referral_is_overdue() -> None:
    past = NOW - timedelta(minutes=1)
    assert is_overdue(ReferralStatus.requested, response_due_at=past, overdue_at=None, now=NOW)
    assert is_overdue(ReferralStatus.requested, response_due_at=NOW, overdue_at=None, now=NOW)
    later = NOW + timedelta(hours=1)
    assert not is_overdue(ReferralStatus.requested, response_due_at=later, overdue_at=None, now=NOW)
    assert not is_overdue(ReferralStatus.accepted, response_due_at=past, overdue_at=past, now=NOW)
