"""Working time between many pairs of instants at once: open hours counted through running
totals per day, so each pair costs two look-ups whatever its length. Pure.

It gives what `service.deadlines.calendar.time_counted` gives on the working clock (checked by
`tests/service/statistics/test_working_time.py`), for the thousands of met deadlines a period's
statistics read, where walking every open window of every case would take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from service.deadlines.calendar import Pause, WorkingCalendar
from service.thai.dates import BANGKOK


class OpenHours:
    """The calendar's open seconds from the start of `first` (Bangkok) to any instant up to
    the end of `last`; instants outside are clamped to those days."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.first = first
        self.last = last
        self.before = [0.0]  # open seconds before each day of the range, and after the last
        day = first
        while day <= last:
            self.before.append(self.before[-1] + self._open_on(day, None))
            day += timedelta(days=1)

    def _open_on(self, day: date, until: datetime | None) -> float:
        """Open seconds of `day` up to `until` (the whole day when None)."""
        total = 0.0
        for window in self.calendar.windows_on(day):
            start = datetime.combine(day, window.start, tzinfo=BANGKOK)
            end = datetime.combine(day, window.end, tzinfo=BANGKOK)
            if until is not None:
                end = min(end, until)
            if end > start:
                total += (end - start).total_seconds()
        return total

    def until(self, moment: datetime) -> float:
        day = moment.astimezone(BANGKOK).date()
        if day < self.first:
            return 0.0
        if day > self.last:
            return self.before[-1]
        index = (day - self.first).days
        return self.before[index] + self._open_on(day, moment)

    def between(self, start: datetime, end: datetime, pauses: Sequence[Pause] = ()) -> float:
        """Open seconds from `start` to `end`, less those inside ended `pauses`."""
        if end <= start:
            return 0.0
        total = self.until(end) - self.until(start)
        for pause_from, pause_to in pauses:
            if pause_to is None:
                continue
            begin, finish = max(pause_from, start), min(pause_to, end)
            if finish > begin:
                total -= self.until(finish) - self.until(begin)
        return total
