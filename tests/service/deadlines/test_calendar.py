"""Due-time arithmetic on the working calendar: worked examples and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.deadlines.calendar import (
    DEFAULT_WEEK,
    Budget,
    Clock,
    Window,
    WorkingCalendar,
    _due_in,
    due_at,
    thai_closed_days,
    time_counted,
)
from service.thai.dates import BANGKOK

CLOSED_2026 = thai_closed_days([2026, 2027])
CALENDAR = WorkingCalendar(closed_days=CLOSED_2026)
DAY = CALENDAR.day_length


def bangkok(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)  # type: ignore[misc]


# --------------------------------------------------------------------------- the calendar


def test_thai_holidays_include_substitution_bridge_and_government_days() -> None:
    assert {date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15)} <= CLOSED_2026  # Songkran
    assert date(2026, 6, 1) in CLOSED_2026  # Visakha Bucha in lieu
    assert date(2026, 1, 2) in CLOSED_2026  # bridge public holiday
    assert date(2026, 5, 13) in CLOSED_2026  # Royal Ploughing Ceremony (government offices)
    assert date(2026, 4, 16) not in CLOSED_2026


def test_the_center_adds_and_removes_closed_days() -> None:
    changed = thai_closed_days([2026], added=[date(2026, 4, 16)], removed=[date(2026, 5, 13)])
    assert date(2026, 4, 16) in changed
    assert date(2026, 5, 13) not in changed


def test_a_business_day_is_the_longest_working_day() -> None:
    assert timedelta(hours=7) == DAY  # 08:30–12:00 and 13:00–16:30


def test_windows_must_not_overlap_or_run_backwards() -> None:
    with pytest.raises(ValueError):
        Window(time(12), time(9))
    overlapping = ((Window(time(8), time(12)), Window(time(11), time(13))),) + ((),) * 6
    with pytest.raises(ValueError):
        WorkingCalendar(week=overlapping)


# --------------------------------------------------------------------------- worked examples


def test_opened_on_a_songkran_evening_is_due_after_the_working_hours_that_follow() -> None:
    opened = bangkok(2026, 4, 13, 20, 0)  # a holiday, after hours
    due = due_at(opened, Budget.business_days(1, CALENDAR), CALENDAR)
    # 13–15 April are closed; Thursday the 16th is the first working day, seven hours later.
    assert due == bangkok(2026, 4, 16, 16, 30)


def test_the_lunch_break_does_not_count() -> None:
    opened = bangkok(2026, 11, 30, 11, 0)  # a Monday
    assert due_at(opened, Budget(timedelta(hours=2), Clock.working), CALENDAR) == bangkok(
        2026, 11, 30, 14, 0
    )


def test_friday_afternoon_rolls_over_the_weekend() -> None:
    opened = bangkok(2026, 11, 27, 16, 0)  # Friday
    assert due_at(opened, Budget(timedelta(hours=1), Clock.working), CALENDAR) == bangkok(
        2026, 11, 30, 9, 0
    )


def test_the_round_the_clock_budget_ignores_the_calendar() -> None:
    opened = bangkok(2026, 4, 13, 20, 0)
    assert due_at(opened, Budget.hours(1), CALENDAR) == bangkok(2026, 4, 13, 21, 0)


def test_a_pause_moves_the_due_time_by_the_counted_time_it_held() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)
    budget = Budget(timedelta(hours=4), Clock.working)
    assert due_at(opened, budget, CALENDAR) == bangkok(2026, 11, 30, 14, 0)
    paused = [(bangkok(2026, 11, 30, 10, 0), bangkok(2026, 11, 30, 14, 0))]  # 3 h of open hours
    assert due_at(opened, budget, CALENDAR, pauses=paused) == bangkok(2026, 12, 1, 9, 0)


def test_a_running_pause_leaves_the_due_time_unknown_unless_it_began_after_the_deadline() -> None:
    opened = bangkok(2026, 11, 30, 9, 0)
    budget = Budget.hours(2)
    assert due_at(opened, budget, CALENDAR, pauses=[(bangkok(2026, 11, 30, 10, 0), None)]) is None
    late_pause = [(bangkok(2026, 11, 30, 12, 0), None)]
    assert due_at(opened, budget, CALENDAR, pauses=late_pause) == bangkok(2026, 11, 30, 11, 0)


def test_the_warning_comes_at_three_quarters_of_the_time() -> None:
    opened = bangkok(2026, 11, 30, 8, 30)
    budget = Budget.business_days(1, CALENDAR)
    assert due_at(opened, budget, CALENDAR, fraction=0.75) == bangkok(2026, 11, 30, 14, 45)


def test_time_counted_measures_only_open_unpaused_hours() -> None:
    opened = bangkok(2026, 11, 27, 16, 0)  # Friday
    until = bangkok(2026, 11, 30, 9, 0)  # Monday
    assert time_counted(opened, until, Clock.working, CALENDAR) == timedelta(hours=1)
    assert time_counted(opened, until, Clock.continuous, CALENDAR) == timedelta(hours=65)
    paused = [(bangkok(2026, 11, 28, 0, 0), bangkok(2026, 11, 29, 0, 0))]
    assert time_counted(opened, until, Clock.continuous, CALENDAR, pauses=paused) == timedelta(
        hours=41
    )


def test_naive_times_and_a_calendar_with_no_open_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        due_at(datetime(2026, 11, 30, 9, 0), Budget.hours(1), CALENDAR)
    never_open = WorkingCalendar(week=((),) * 7)
    with pytest.raises(ValueError):
        due_at(bangkok(2026, 11, 30, 9, 0), Budget(timedelta(hours=1), Clock.working), never_open)


# --------------------------------------------------------------------------- properties

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
amounts = st.integers(min_value=1, max_value=60 * 24 * 40).map(lambda m: timedelta(minutes=m))
clocks = st.sampled_from(Clock)
extra_days = st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30)), max_size=8)


@st.composite
def pause_lists(draw: st.DrawFn) -> list[tuple[datetime, datetime | None]]:
    starts = sorted(draw(st.lists(moments, max_size=4, unique=True)))
    pauses: list[tuple[datetime, datetime | None]] = []
    for begin in starts:
        length = draw(st.integers(min_value=1, max_value=60 * 24 * 5))
        pauses.append((begin, begin + timedelta(minutes=length)))
    return pauses


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=amounts, added=extra_days)
def test_a_working_due_time_never_falls_in_a_closed_hour(
    start: datetime, amount: timedelta, added: list[date]
) -> None:
    calendar = WorkingCalendar(closed_days=CLOSED_2026 | frozenset(added))
    due = due_at(start, Budget(amount, Clock.working), calendar)
    assert due is not None
    assert calendar.is_open(due)
    assert time_counted(start, due, Clock.working, calendar) == amount


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=amounts, clock=clocks, pauses=pause_lists(), more=pause_lists())
def test_pausing_never_makes_a_deadline_earlier(
    start: datetime,
    amount: timedelta,
    clock: Clock,
    pauses: list[tuple[datetime, datetime | None]],
    more: list[tuple[datetime, datetime | None]],
) -> None:
    budget = Budget(amount, clock)
    before = due_at(start, budget, CALENDAR, pauses=pauses)
    after = due_at(start, budget, CALENDAR, pauses=pauses + more)
    assert before is not None and after is not None
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=amounts, added=extra_days)
def test_adding_a_holiday_never_makes_a_deadline_earlier(
    start: datetime, amount: timedelta, added: list[date]
) -> None:
    budget = Budget(amount, Clock.working)
    before = due_at(start, budget, CALENDAR)
    after = due_at(
        start,
        budget,
        WorkingCalendar(week=DEFAULT_WEEK, closed_days=CLOSED_2026 | frozenset(added)),
    )
    assert before is not None and after is not None
    assert after >= before


@settings(max_examples=100, deadline=None)
@given(start=moments, amount=amounts, clock=clocks)
def test_the_warning_never_comes_after_the_breach(
    start: datetime, amount: timedelta, clock: Clock
) -> None:
    budget = Budget(amount, clock)
    warning = due_at(start, budget, CALENDAR, fraction=0.75)
    breach = due_at(start, budget, CALENDAR)
    assert warning is not None and breach is not None
    assert start <= warning <= breach


LUNCH_WEEK = ((Window(time(8, 0), time(12, 0)), Window(time(13, 0), time(17, 0))),) * 6 + ((),)


@settings(max_examples=300, deadline=None)
@given(
    start=moments,
    amount=st.integers(min_value=0, max_value=60 * 24 * 90).map(lambda m: timedelta(minutes=m)),
    added=extra_days,
    week=st.sampled_from([DEFAULT_WEEK, LUNCH_WEEK]),
    fraction=st.sampled_from([1.0, 0.75]),
)
# Exactly two business days from an opening: due at the close of the second day, not the
# opening of the third.
@example(
    start=bangkok(2026, 6, 15, 8, 30).astimezone(UTC),
    amount=2 * DAY,
    added=[],
    week=DEFAULT_WEEK,
    fraction=1.0,
)
def test_skipping_whole_days_gives_the_due_time_walking_every_hour_gives(
    start: datetime, amount: timedelta, added: list[date], week: Any, fraction: float
) -> None:
    calendar = WorkingCalendar(week=week, closed_days=CLOSED_2026 | frozenset(added))
    walked = _due_in(start, amount * fraction, Clock.working, calendar, ())
    assert due_at(start, Budget(amount, Clock.working), calendar, fraction=fraction) == walked
    if start == bangkok(2026, 6, 15, 8, 30) and amount == 2 * DAY and fraction == 1.0:
        assert walked == bangkok(2026, 6, 16, 16, 30)
