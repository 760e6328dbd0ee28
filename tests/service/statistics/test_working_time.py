"""Working time through running totals equals the deadline arithmetic's own count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.deadlines.calendar import Clock, WorkingCalendar, thai_closed_days, time_counted
from service.statistics.working_time import OpenHours

CALENDAR = WorkingCalendar(closed_days=thai_closed_days([2026, 2027]))
START = datetime(2026, 1, 1, tzinfo=UTC)
HOURS = st.floats(min_value=0, max_value=24 * 400).map(lambda h: START + timedelta(hours=h))


@settings(max_examples=200, deadline=None)
@given(HOURS, st.floats(min_value=0, max_value=24 * 60), st.floats(0, 1), st.floats(0, 1))
def test_equals_time_counted(start: datetime, hours: float, a: float, b: float) -> None:
    end = start + timedelta(hours=hours)
    low, high = sorted((a, b))
    pause = (start + (end - start) * low, start + (end - start) * high)
    hours_open = OpenHours(CALENDAR, start.date() - timedelta(days=1), end.date() + timedelta(1))
    expected = time_counted(start, end, Clock.working, CALENDAR, pauses=[pause])
    assert abs(hours_open.between(start, end, [pause]) - expected.total_seconds()) < 1e-3


def test_songkran_does_not_count() -> None:
    # Friday 10 April 2026, 16:00 Bangkok, to Thursday 16 April 16:00: Songkran (13-15 April)
    # closes Monday to Wednesday, so 30 minutes on Friday and 7 hours on Thursday count.
    start = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
    end = datetime(2026, 4, 16, 9, 0, tzinfo=UTC)
    hours_open = OpenHours(CALENDAR, start.date(), end.date())
    assert hours_open.between(start, end) == 7 * 3600
