"""The statistics of a period (SPEC §4, §6): which period a request names, what each role is
shown, and the figures assembled from `service.statistics.queries`.

Caseworkers and supervisors see everything; admins see counts only (no durations, deadline
compliance or referral answers), as SPEC §2 says.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import STAFF
from models.case import Case
from models.enums import Urgency
from models.statistics import (
    AgencyReferrals,
    ClockKind,
    Count,
    DeadlineKind,
    Duration,
    HotlineCount,
    SlaCompliance,
    Statistics,
)
from models.user import User
from service.deadlines.calendar import Pause, WorkingCalendar
from service.deadlines.policies import read_rules
from service.platform.db import dialect_name
from service.platform.errors import Unprocessable
from service.statistics import queries
from service.statistics.groups import by_region, by_week, percentile, region_key
from service.statistics.queries import MetDeadline, Period
from service.statistics.working_time import OpenHours
from service.thai.dates import BANGKOK, gregorian_date

# The longest period one request covers: a year (a fiscal year, Oct-Sep) and a little.
MAX_PERIOD_DAYS = 400
DEFAULT_PERIOD_DAYS = 30
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _day(text: str, parameter: str) -> date:
    match = _DAY.match(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(part) for part in match.groups())
        return gregorian_date(year, month, day)
    except ValueError:
        raise Unprocessable(
            f"{parameter} is a date, YYYY-MM-DD (a Buddhist Era year is accepted).",
            errors=[{"parameter": parameter, "detail": "a date", "type": "date", "in": "query"}],
        ) from None


def period_of(first: str | None, last: str | None, *, now: datetime) -> tuple[date, date]:
    """The Bangkok days a request names, both included (Buddhist Era years converted); by
    default the 30 days up to today."""
    last_day = _day(last, "to") if last else now.astimezone(BANGKOK).date()
    first_day = _day(first, "from") if first else last_day - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first_day > last_day or (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise Unprocessable(
            f"from must not be after to, and a period is at most {MAX_PERIOD_DAYS} days.",
            errors=[{"parameter": "to", "detail": "a period", "type": "range", "in": "query"}],
        )
    return first_day, last_day


def instants(first: date, last: date) -> Period:
    """The UTC instants of Bangkok days `first` to `last`, both included."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=BANGKOK)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=BANGKOK)
    return Period(start, end)


def _counts(counter: Mapping[str, int]) -> list[Count]:
    """Largest first, then by code, so the order is stable."""
    return [Count(key=k, cases=n) for k, n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]


async def read_statistics(
    session: AsyncSession, *, user: User, first: date, last: date, now: datetime
) -> Statistics:
    """The statistics of the cases opened from `first` to `last` (Bangkok days)."""
    period = instants(first, last)
    by_status = await queries.count_by(session, col(Case.status), period)
    by_area = await queries.count_by_area(session, period)
    hotline = await queries.count_hotline(session, period)
    full = user.role in STAFF
    return Statistics(
        from_date=first,
        to_date=last,
        cases=sum(by_status.values()),
        by_category=_counts(await queries.count_by_category(session, period)),
        by_status=_counts(by_status),
        by_urgency=_counts(await queries.count_by(session, col(Case.urgency), period)),
        by_province=_counts(by_area),
        by_region=_counts(by_region(by_area)),
        by_channel=_counts(await queries.count_by(session, col(Case.channel), period)),
        by_week=[
            Count(key=k, cases=n)
            for k, n in sorted(by_week(await queries.count_by_day(session, period)).items())
        ],
        hotline=[
            HotlineCount(problem_type=kind, sex=sex, age_band=band, region=region, cases=n)
            for (kind, sex, band, region), n in sorted(_by_hotline_region(hotline).items())
        ],
        durations=await _durations(session, period) if full else None,
        sla=await _compliance(session, period, now) if full else None,
        referrals=await _referrals(session, period) if full else None,
    )


def _by_hotline_region(
    counts: Mapping[tuple[str, str, str, str], int],
) -> Counter[tuple[str, str, str, str]]:
    regions: Counter[tuple[str, str, str, str]] = Counter()
    for (kind, sex, band, area), n in counts.items():
        regions[(kind, sex, band, region_key(area))] += n
    return regions


async def _durations(session: AsyncSession, period: Period) -> list[Duration]:
    calendar = (await read_rules(session, now=period.start)).calendar
    durations: list[Duration] = []
    for deadline in DeadlineKind:
        met, complete = await queries.met_deadlines(session, period, deadline)
        if dialect_name(session) == "postgresql":
            n, median, p90 = await queries.clock_percentiles(session, period, deadline)
            durations.append(
                Duration(
                    deadline=deadline,
                    clock=ClockKind.clock,
                    cases=n,
                    median_seconds=median,
                    p90_seconds=p90,
                    complete=True,
                )
            )
        else:
            clock = sorted((m.met_at - m.opened_at).total_seconds() for m in met)
            durations.append(_duration(deadline, ClockKind.clock, clock, complete))
        working = sorted(_working_seconds(m, deadline, _open_hours(calendar, met)) for m in met)
        durations.append(_duration(deadline, ClockKind.working, working, complete))
    return durations


def _duration(
    deadline: DeadlineKind, clock: ClockKind, values: list[float], complete: bool
) -> Duration:
    return Duration(
        deadline=deadline,
        clock=clock,
        cases=len(values),
        median_seconds=percentile(values, 0.5),
        p90_seconds=percentile(values, 0.9),
        complete=complete,
    )


def _open_hours(calendar: WorkingCalendar, met: list[MetDeadline]) -> OpenHours:
    """Running totals of open hours over the days the met deadlines span."""
    if not met:
        today = datetime.now(BANGKOK).date()
        return OpenHours(calendar, today, today)
    first = min(m.opened_at for m in met).astimezone(BANGKOK).date()
    last = max(m.met_at for m in met).astimezone(BANGKOK).date()
    return OpenHours(calendar, first, last)


def _working_seconds(met: MetDeadline, deadline: DeadlineKind, hours: OpenHours) -> float:
    """Open hours from intake until the deadline was met; the resolution clock's pauses
    (waiting for the client) do not count, as they do not for the deadline itself."""
    pauses: list[Pause] = (
        [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in met.pauses]
        if deadline is DeadlineKind.resolution
        else []
    )
    return hours.between(met.opened_at, met.met_at, pauses)


async def _compliance(session: AsyncSession, period: Period, now: datetime) -> list[SlaCompliance]:
    found = await queries.compliance(session, period, now)
    return [
        SlaCompliance(
            urgency=urgency,
            deadline=deadline,
            decided=decided,
            met=met,
            compliance=met / decided if decided else None,
        )
        for urgency in Urgency
        for deadline in DeadlineKind
        for decided, met in [found.get((urgency, deadline), (0, 0))]
    ]


async def _referrals(session: AsyncSession, period: Period) -> list[AgencyReferrals]:
    agencies = await queries.referral_answers(session, period)
    medians: dict[object, float | None] = {
        org: answers.median_answer_seconds for org, answers in agencies.items()
    }
    if dialect_name(session) != "postgresql":
        medians = _medians(await queries.answer_times(session, period))
    return [
        AgencyReferrals(
            organization_id=org,
            organization_name=a.name,
            referrals=a.referrals,
            answered=a.answered,
            accepted=a.accepted,
            acceptance_rate=a.accepted / a.answered if a.answered else None,
            median_answer_seconds=medians.get(org),
        )
        for org, a in sorted(agencies.items(), key=lambda item: (item[1].name, str(item[0])))
    ]


def _medians(times: Iterable[tuple[object, float]]) -> dict[object, float | None]:
    grouped: defaultdict[object, list[float]] = defaultdict(list)
    for org, seconds in times:
        grouped[org].append(seconds)
    return {org: percentile(sorted(values), 0.5) for org, values in grouped.items()}
