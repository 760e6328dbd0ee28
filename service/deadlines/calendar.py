"""The center's working calendar and the due-time arithmetic on it (SPEC §6). Pure, no database.

A calendar is a working week (several windows a day, e.g. a lunch break), in Asia/Bangkok,
minus closed days: Thailand's public and government holidays from the `holidays` package
(substitution and bridge days included; government holidays such as the Royal Ploughing
Ceremony because the center works with the ministry's offices), plus the center's own closed
days, minus the holidays it works on.

A deadline is a `Budget`: an amount of time on the `continuous` clock (critical and high
urgency: around the clock) or on the `working` clock (only open hours count). A business day is
`WorkingCalendar.day_length`, the longest working day of the week, so "30 business days" is 30
such days of open hours. While a case waits for its client the clock is paused: time inside a
pause never counts, and while a pause is still running the due time is unknown (`None`).

Decisions written down:
- A working window is closed at its start and open at its end: a due time may fall exactly at
  a window's end (16:30), never at 12:01 in a lunch break.
- A case opened outside working hours starts counting at the next opening.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

import holidays

from service.thai.dates import BANGKOK

# The furthest a due time is searched for: a deadline beyond it means the calendar is broken
# (e.g. every day closed), which is refused rather than looped on.
SEARCH_DAYS = 3 * 366
ONE_DAY = timedelta(days=1)
MAX_DAYS_KEPT = 20 * 366  # a calendar's open hours kept: bounded memory
HOLIDAY_CATEGORIES = (holidays.PUBLIC, holidays.GOVERNMENT)


class Clock(StrEnum):
    """Which time counts towards a deadline."""

    continuous = "continuous"
    working = "working"


@dataclass(frozen=True, slots=True)
class Window:
    """Open hours within one day, local time; `start < end`."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("a working window must end after it starts")

    @property
    def length(self) -> timedelta:
        return _on(date(2000, 1, 3), self.end) - _on(date(2000, 1, 3), self.start)


MORNING = Window(time(8, 30), time(12, 0))
AFTERNOON = Window(time(13, 0), time(16, 30))
DEFAULT_WEEK: tuple[tuple[Window, ...], ...] = ((MORNING, AFTERNOON),) * 5 + ((), ())


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Open windows for each weekday (Monday first) and the days closed all day."""

    week: tuple[tuple[Window, ...], ...] = DEFAULT_WEEK
    closed_days: frozenset[date] = field(default_factory=frozenset)
    # Each day's open hours in UTC, worked out once: stamping a case walks up to a few months
    # of days, and a calendar lives as long as the rules it belongs to.
    _open_hours: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _open_lengths: dict[date, timedelta] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _day_length: timedelta = field(
        default=timedelta(), init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a working week has seven days")
        for windows in self.week:
            ordered = sorted(windows, key=lambda window: window.start)
            if any(a.end > b.start for a, b in pairwise(ordered)):
                raise ValueError("working windows of one day must not overlap")
        longest = max(
            (sum((w.length for w in day), timedelta()) for day in self.week), default=timedelta()
        )
        object.__setattr__(self, "_day_length", longest)

    @property
    def day_length(self) -> timedelta:
        """One business day: the open hours of the longest working day of the week."""
        return self._day_length

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.closed_days:
            return ()
        return tuple(sorted(self.week[day.weekday()], key=lambda window: window.start))

    def open_hours_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's open windows as UTC intervals, in order."""
        hours = self._open_hours.get(day)
        if hours is None:
            hours = tuple((_on(day, w.start), _on(day, w.end)) for w in self.windows_on(day))
            if len(self._open_hours) < MAX_DAYS_KEPT:
                self._open_hours[day] = hours
        return hours

    def open_length_on(self, day: date) -> timedelta:
        """How long the center is open on `day`."""
        length = self._open_lengths.get(day)
        if length is None:
            length = sum((end - begin for begin, end in self.open_hours_on(day)), timedelta())
            if len(self._open_lengths) < MAX_DAYS_KEPT:
                self._open_lengths[day] = length
        return length

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` lies in open hours (a window's end counts as open, its start not)."""
        local = moment.astimezone(BANGKOK)
        return any(
            _on(local.date(), w.start) < moment <= _on(local.date(), w.end)
            for w in self.windows_on(local.date())
        )


@dataclass(frozen=True, slots=True)
class Budget:
    """How long until a deadline, and on which clock."""

    amount: timedelta
    clock: Clock

    @classmethod
    def hours(cls, hours: float) -> Budget:
        return cls(timedelta(hours=hours), Clock.continuous)

    @classmethod
    def days(cls, days: float) -> Budget:
        return cls(timedelta(days=days), Clock.continuous)

    @classmethod
    def business_days(cls, days: float, calendar: WorkingCalendar) -> Budget:
        return cls(calendar.day_length * days, Clock.working)


Pause = tuple[datetime, datetime | None]


def thai_closed_days(
    years: Iterable[int], *, added: Iterable[date] = (), removed: Iterable[date] = ()
) -> frozenset[date]:
    """Thailand's public and government holidays for `years`, with the center's own changes."""
    official = holidays.country_holidays("TH", years=list(years), categories=HOLIDAY_CATEGORIES)
    return (frozenset(official) | frozenset(added)) - frozenset(removed)


def due_at(
    start: datetime,
    budget: Budget,
    calendar: WorkingCalendar,
    *,
    pauses: Sequence[Pause] = (),
    fraction: float = 1.0,
) -> datetime | None:
    """When `fraction` of `budget` has run from `start`, or None while a pause holds the clock."""
    _require_aware(start, *(moment for pause in pauses for moment in pause if moment))
    remaining = budget.amount * fraction
    if budget.clock is Clock.working and not pauses:
        return _working_due(start, remaining, calendar)
    return _due_in(start, remaining, budget.clock, calendar, pauses)


def _due_in(
    start: datetime,
    remaining: timedelta,
    clock: Clock,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause],
) -> datetime | None:
    """`due_at` on any clock, with pauses: the counting intervals walked one by one."""
    counting = _open_intervals(start, calendar) if clock is Clock.working else _forever(start)
    for interval in _minus_pauses(counting, pauses):
        if interval is None:
            return None
        begin, end = interval
        if end is None or remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise ValueError("no due time within the search horizon: the calendar has no open hours")


def _working_due(start: datetime, remaining: timedelta, calendar: WorkingCalendar) -> datetime:
    """`due_at` on working time without pauses: whole open days are skipped by their length,
    so a 60-business-day deadline costs a few dozen additions (stamping runs on every intake and
    on every case when the rules change)."""
    day = start.astimezone(BANGKOK).date()
    for offset in range(SEARCH_DAYS):
        if offset > 0:
            length = calendar.open_length_on(day)
            if remaining > length:
                remaining -= length
                day += ONE_DAY
                continue
        for begin, end in calendar.open_hours_on(day):
            if end <= start:
                continue
            begin = max(begin, start)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        day += ONE_DAY
    raise ValueError("no due time within the search horizon: the calendar has no open hours")


def time_counted(
    start: datetime,
    until: datetime,
    clock: Clock,
    calendar: WorkingCalendar,
    *,
    pauses: Sequence[Pause] = (),
) -> timedelta:
    """How much of a deadline's clock has run between `start` and `until`."""
    _require_aware(start, until)
    counting = _open_intervals(start, calendar) if clock is Clock.working else _forever(start)
    total = timedelta()
    for interval in _minus_pauses(counting, [*pauses, (until, None)]):
        if interval is None:
            break
        begin, end = interval
        total += (until if end is None else min(end, until)) - begin
    return total


# --------------------------------------------------------------------------- intervals


def _on(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=BANGKOK).astimezone(UTC)


def _require_aware(*moments: datetime) -> None:
    if any(moment.tzinfo is None for moment in moments):
        raise ValueError("deadline arithmetic needs aware datetimes")


def _forever(start: datetime) -> Iterator[tuple[datetime, datetime | None]]:
    yield start, None


def _open_intervals(
    start: datetime, calendar: WorkingCalendar
) -> Iterator[tuple[datetime, datetime | None]]:
    """The calendar's open hours from `start` on, as UTC intervals in order."""
    first = start.astimezone(BANGKOK).date()
    for offset in range(SEARCH_DAYS):
        day = first + timedelta(days=offset)
        for begin, end in calendar.open_hours_on(day):
            if end > start:
                yield max(begin, start), end


def _minus_pauses(
    intervals: Iterable[tuple[datetime, datetime | None]], pauses: Sequence[Pause]
) -> Iterator[tuple[datetime, datetime | None] | None]:
    """`intervals` with the paused stretches cut out; a pause still running yields None, last."""
    ordered = sorted(pauses, key=lambda pause: pause[0])
    for begin, end in intervals:
        cursor: datetime | None = begin
        for pause_from, pause_to in ordered:
            if cursor is None or (end is not None and pause_from >= end):
                break
            if pause_to is not None and pause_to <= cursor:
                continue
            if pause_from > cursor:
                yield cursor, pause_from
            if pause_to is None:
                yield None
                return
            cursor = max(cursor, pause_to)
        if cursor is not None and (end is None or cursor < end):
            yield cursor, end
