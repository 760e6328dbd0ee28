"""A case's two deadlines and their states, on the default policies and Thailand's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.enums import Urgency
from service.deadlines.calendar import WorkingCalendar, thai_closed_days
from service.deadlines.due_times import CaseClock, DeadlineState, case_deadlines
from service.deadlines.policies import DEFAULT_POLICIES, DeadlineRules
from service.thai.dates import BANGKOK

RULES = DeadlineRules(
    policies=DEFAULT_POLICIES,
    calendar=WorkingCalendar(closed_days=thai_closed_days([2026, 2027])),
)
S = DeadlineState


def bangkok(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)  # type: ignore[misc]


def test_a_critical_case_on_a_songkran_evening_runs_around_the_clock() -> None:
    opened = bangkok(2026, 4, 13, 20, 0)
    first = case_deadlines(CaseClock(opened, Urgency.critical), RULES).first_response
    assert first.due_at == opened + timedelta(hours=1)
    assert first.warn_at == opened + timedelta(minutes=45)
    assert first.state(opened + timedelta(minutes=30)) is S.on_time
    assert first.state(opened + timedelta(minutes=50)) is S.at_risk
    assert first.state(opened + timedelta(minutes=61)) is S.breached


def test_a_normal_case_waits_for_working_hours() -> None:
    opened = bangkok(2026, 11, 27, 16, 0)  # Friday
    deadlines = case_deadlines(CaseClock(opened, Urgency.normal), RULES)
    assert deadlines.first_response.due_at == bangkok(2026, 11, 30, 16, 0)
    assert deadlines.first_response.state(bangkok(2026, 11, 29, 12, 0)) is S.on_time  # Sunday


def test_screening_in_time_is_met_and_late_is_breached() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)
    on_time = CaseClock(opened, Urgency.high, screened_at=opened + timedelta(hours=3))
    late = CaseClock(opened, Urgency.high, screened_at=opened + timedelta(hours=5))
    later = opened + timedelta(days=30)
    assert case_deadlines(on_time, RULES).first_response.state(later) is S.met
    assert case_deadlines(late, RULES).first_response.state(later) is S.breached


def test_raising_the_urgency_brings_the_deadlines_forward() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)
    normal = case_deadlines(CaseClock(opened, Urgency.normal), RULES)
    critical = case_deadlines(CaseClock(opened, Urgency.critical), RULES)
    assert critical.first_response.due_at < normal.first_response.due_at  # type: ignore[operator]
    assert critical.resolution.due_at < normal.resolution.due_at  # type: ignore[operator]


def test_waiting_for_the_client_pauses_resolution_only() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)
    plain = case_deadlines(CaseClock(opened, Urgency.high), RULES)
    waiting = case_deadlines(
        CaseClock(opened, Urgency.high, pauses=[(opened + timedelta(days=1), None)]), RULES
    )
    assert waiting.resolution.due_at is None
    assert waiting.resolution.state(opened + timedelta(days=30)) is S.paused
    assert waiting.first_response == plain.first_response

    answered = case_deadlines(
        CaseClock(
            opened,
            Urgency.high,
            pauses=[(opened + timedelta(days=1), opened + timedelta(days=3))],
        ),
        RULES,
    )
    assert answered.resolution.due_at == plain.resolution.due_at + timedelta(days=2)  # type: ignore[operator]


def test_a_pause_begun_past_the_warning_holds_the_warning_too() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)  # high: 7 days around the clock, warned at 5 d 6 h
    paused = opened + timedelta(days=6)
    waiting = case_deadlines(CaseClock(opened, Urgency.high, pauses=[(paused, None)]), RULES)
    assert waiting.resolution.warn_at is None
    assert waiting.resolution.due_at is None
    assert waiting.resolution.state(opened + timedelta(days=30)) is S.paused

    answered = case_deadlines(
        CaseClock(opened, Urgency.high, pauses=[(paused, paused + timedelta(days=2))]), RULES
    )
    assert answered.resolution.warn_at == opened + timedelta(days=5, hours=6)
    assert answered.resolution.due_at == opened + timedelta(days=9)


@settings(max_examples=150, deadline=None)
@given(
    opened=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 3, 1), timezones=st.just(UTC)
    ),
    urgency=st.sampled_from(Urgency),
    steps=st.lists(st.integers(min_value=1, max_value=60 * 24 * 90), min_size=2, max_size=6),
)
def test_an_unmet_deadline_only_ever_gets_worse(
    opened: datetime, urgency: Urgency, steps: list[int]
) -> None:
    order = [S.on_time, S.at_risk, S.breached]
    deadlines = case_deadlines(CaseClock(opened, urgency), RULES)
    for deadline in (deadlines.first_response, deadlines.resolution):
        moments = sorted(opened + timedelta(minutes=step) for step in steps)
        states = [order.index(deadline.state(moment)) for moment in moments]
        assert states == sorted(states)
        assert deadline.warn_at is not None and deadline.due_at is not None
        assert opened < deadline.warn_at <= deadline.due_at
