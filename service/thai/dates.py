"""The Buddhist Era calendar and the center's time zone: converting years and dates, ages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543
# No Common Era year an intake deals with is this large, and no Buddhist Era year this small.
BUDDHIST_ERA_THRESHOLD = 2400


def buddhist_year(now: datetime) -> int:
    """The Buddhist Era year of an instant, as the calendar in Bangkok shows it."""
    return now.astimezone(BANGKOK).year + BUDDHIST_ERA_OFFSET


def to_gregorian_year(year: int) -> int:
    """Converts a Buddhist Era year (>= 2400) to the Common Era; other years pass unchanged."""
    if year < 1:
        raise ValueError(f"year must be positive, got {year}")
    if year >= BUDDHIST_ERA_THRESHOLD:
        return year - BUDDHIST_ERA_OFFSET
    return year


def to_gregorian_date(d: date) -> date:
    """Converts a date written with a Buddhist Era year to the Common Era; others pass unchanged."""
    year = to_gregorian_year(d.year)
    if year == d.year:
        return d
    try:
        return d.replace(year=year)
    except ValueError:
        raise ValueError(
            f"{d.isoformat()} (Buddhist Era) is 29 February of {year}, which is not a leap year"
        ) from None


def gregorian_date(year: int, month: int, day: int) -> date:
    """Builds a date from parts whose year may be Buddhist Era (2567-02-29 is 2024-02-29)."""
    # `date` validates 29 February against the year it is given, so convert the year first.
    try:
        return date(to_gregorian_year(year), month, day)
    except ValueError as error:
        raise ValueError(f"not a valid date: {error}") from None


def not_in_future(d: date, today: date) -> bool:
    """Tells whether a date is today or earlier."""
    return d <= today


def age_on(birth_date: date, today: date) -> int:
    """Returns the age in whole years on a given day (a 29 February birthday counts on 1 March)."""
    if birth_date > today:
        raise ValueError("birth date is after the given day")
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)
