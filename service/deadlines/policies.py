"""The deadline policies and the working calendar as admins set them (SPEC §6).

Until an admin saves their own, the SPEC's defaults hold: critical 1 hour to screening and 3
days to resolution, high 4 hours and 7 days (both around the clock), normal 1 and 30 business
days, low 3 and 60; the calendar is `service.deadlines.calendar.DEFAULT_WEEK` with no changes
to Thailand's holidays.

The rules carry a version: a digest of the policies and the calendar as saved, the same in
every process, stamped on each case whose due times they computed (`deadline_rules_version`),
so the worker finds the cases computed under other rules. Each process keeps the rules it read
for `RULES_KEPT_SECONDS` (`current_rules`), so stamping a new case costs no statement.
"""

from __future__ import annotations

import hashlib
import time as monotonic_time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.deadlines import (
    WEEKDAYS,
    BudgetIO,
    DeadlinePolicies,
    DeadlinePolicy,
    DeadlinePolicyIO,
    Holiday,
    WeekIO,
    WindowIO,
    WorkingCalendarIO,
    WorkingCalendarOut,
    WorkingCalendarRecord,
)
from models.enums import BudgetUnit, Urgency
from service.deadlines.calendar import (
    DEFAULT_WEEK,
    HOLIDAY_CATEGORIES,
    Budget,
    Clock,
    Window,
    WorkingCalendar,
    thai_closed_days,
)
from service.platform.db import insert_if_absent
from service.platform.errors import PreconditionFailed, PreconditionRequired
from service.thai.dates import BANGKOK

U = BudgetUnit
DEFAULT_POLICIES: dict[Urgency, tuple[BudgetIO, BudgetIO]] = {
    Urgency.critical: (BudgetIO(amount=1, unit=U.hours), BudgetIO(amount=3, unit=U.days)),
    Urgency.high: (BudgetIO(amount=4, unit=U.hours), BudgetIO(amount=7, unit=U.days)),
    Urgency.normal: (
        BudgetIO(amount=1, unit=U.business_days),
        BudgetIO(amount=30, unit=U.business_days),
    ),
    Urgency.low: (
        BudgetIO(amount=3, unit=U.business_days),
        BudgetIO(amount=60, unit=U.business_days),
    ),
}


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """What due-time arithmetic needs: the budgets per urgency and the calendar."""

    policies: dict[Urgency, tuple[BudgetIO, BudgetIO]]
    calendar: WorkingCalendar
    version: int = 0

    def budgets(self, urgency: Urgency) -> tuple[Budget, Budget]:
        """The first-response and resolution budgets of `urgency`."""
        first, resolution = self.policies[urgency]
        return to_budget(first, self.calendar), to_budget(resolution, self.calendar)


def to_budget(budget: BudgetIO, calendar: WorkingCalendar) -> Budget:
    if budget.unit is BudgetUnit.hours:
        return Budget(timedelta(hours=budget.amount), Clock.continuous)
    if budget.unit is BudgetUnit.days:
        return Budget(timedelta(days=budget.amount), Clock.continuous)
    return Budget.business_days(budget.amount, calendar)


# --------------------------------------------------------------------------- policies


async def read_policies(session: AsyncSession) -> DeadlinePolicies:
    """The policy of each urgency: the saved one, else the default."""
    saved = {row.urgency: row for row in (await session.scalars(sa.select(DeadlinePolicy))).all()}
    items = []
    for urgency in Urgency:
        row = saved.get(urgency)
        first, resolution = (
            DEFAULT_POLICIES[urgency]
            if row is None
            else (
                BudgetIO(amount=row.first_response_amount, unit=row.first_response_unit),
                BudgetIO(amount=row.resolution_amount, unit=row.resolution_unit),
            )
        )
        items.append(DeadlinePolicyIO(urgency=urgency, first_response=first, resolution=resolution))
    return DeadlinePolicies(items=items)


async def replace_policies(
    session: AsyncSession, *, data: DeadlinePolicies, admin_id: uuid.UUID, now: datetime
) -> DeadlinePolicies:
    """Save all four policies (admins); two admins saving at once leave one's whole set."""
    table = DeadlinePolicy.__table__  # type: ignore[attr-defined]
    for item in data.items:
        values = {
            "first_response_amount": item.first_response.amount,
            "first_response_unit": item.first_response.unit,
            "resolution_amount": item.resolution.amount,
            "resolution_unit": item.resolution.unit,
            "updated_at": now,
            "updated_by_id": admin_id,
        }
        if not await insert_if_absent(session, table, {"urgency": item.urgency, **values}):
            await session.execute(
                sa.update(table).where(table.c.urgency == item.urgency).values(**values)
            )
    forget_rules()
    return await read_policies(session)


# --------------------------------------------------------------------------- calendar


def _week_of(record: WorkingCalendarRecord | None) -> WeekIO:
    if record is None:
        return WeekIO(
            **{
                name: [WindowIO(start=f"{w.start:%H:%M}", end=f"{w.end:%H:%M}") for w in windows]
                for name, windows in zip(WEEKDAYS, DEFAULT_WEEK, strict=True)
            }
        )
    return WeekIO.model_validate(
        {name: [{"start": s, "end": e} for s, e in record.week.get(name, [])] for name in WEEKDAYS}
    )


def working_calendar(data: WorkingCalendarIO, *, years: list[int]) -> WorkingCalendar:
    """The pure calendar for `data`, with Thailand's holidays of `years`."""
    week = tuple(
        tuple(
            Window(time.fromisoformat(window.start), time.fromisoformat(window.end))
            for window in getattr(data.week, name)
        )
        for name in WEEKDAYS
    )
    closed = thai_closed_days(years, added=data.closed_days, removed=data.open_days)
    return WorkingCalendar(week=week, closed_days=closed)


async def _record(session: AsyncSession) -> WorkingCalendarRecord | None:
    return await session.get(WorkingCalendarRecord, 1)


def _saved_calendar(record: WorkingCalendarRecord | None) -> WorkingCalendarIO:
    return WorkingCalendarIO(
        week=_week_of(record),
        closed_days=[date.fromisoformat(day) for day in record.closed_days] if record else [],
        open_days=[date.fromisoformat(day) for day in record.open_days] if record else [],
    )


def _years_around(now: datetime) -> list[int]:
    year = now.astimezone(BANGKOK).year
    return [year - 1, year, year + 1, year + 2]


async def read_rules(session: AsyncSession, *, now: datetime) -> DeadlineRules:
    """The policies and the calendar, for computing due times around `now`; kept as this
    process's current rules."""
    policies = await read_policies(session)
    saved = _saved_calendar(await _record(session))
    rules = DeadlineRules(
        policies={item.urgency: (item.first_response, item.resolution) for item in policies.items},
        calendar=working_calendar(saved, years=_years_around(now)),
        version=rules_version(policies, saved),
    )
    _kept.clear()
    _kept.append((rules, monotonic_time.monotonic()))
    return rules


def rules_version(policies: DeadlinePolicies, calendar: WorkingCalendarIO) -> int:
    """A digest of the rules as saved (a positive 4-byte integer, the column's range)."""
    digest = hashlib.sha256(
        (policies.model_dump_json() + calendar.model_dump_json()).encode()
    ).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


# This process's current rules and when they were read (monotonic seconds): at most one.
_kept: list[tuple[DeadlineRules, float]] = []
RULES_KEPT_SECONDS = 60.0


async def current_rules(session: AsyncSession, *, now: datetime) -> DeadlineRules:
    """The rules this process read less than `RULES_KEPT_SECONDS` ago, else read now. A case
    stamped with rules changed meanwhile (by another process) is corrected by the worker."""
    if _kept and monotonic_time.monotonic() - _kept[0][1] < RULES_KEPT_SECONDS:
        return _kept[0][0]
    return await read_rules(session, now=now)


def forget_rules() -> None:
    """Read the rules again at the next use (they were just changed, or a test ended)."""
    _kept.clear()


def calendar_etag(version: int) -> str:
    return f'"{version}"'


async def read_calendar(session: AsyncSession, *, now: datetime) -> WorkingCalendarOut:
    """The calendar as saved, with the holidays it skips this year and next."""
    record = await _record(session)
    saved = _saved_calendar(record)
    year = now.astimezone(BANGKOK).year
    skipped = working_calendar(saved, years=[year, year + 1]).closed_days
    return WorkingCalendarOut(
        **saved.model_dump(),
        holidays=_named(sorted(skipped), years=[year, year + 1]),
        version=record.version if record else 0,
    )


def _named(days: list[date], *, years: list[int]) -> list[Holiday]:
    thai = holidays.country_holidays(
        "TH", years=years, categories=HOLIDAY_CATEGORIES, language="th"
    )
    english = holidays.country_holidays(
        "TH", years=years, categories=HOLIDAY_CATEGORIES, language="en_US"
    )
    return [
        Holiday(
            day=day,
            name_th=thai.get(day) or "วันหยุดของศูนย์",
            name_en=english.get(day) or "Closed (the center's own day)",
        )
        for day in days
    ]


async def replace_calendar(
    session: AsyncSession,
    *,
    data: WorkingCalendarIO,
    if_match: str | None,
    admin_id: uuid.UUID,
    now: datetime,
) -> WorkingCalendarOut:
    """Save the calendar (admins); If-Match must name the version read (0 for the default)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(code="calendar.if_match")
    record = await _locked_record(session, now=now)
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and calendar_etag(record.version) not in tags:
        raise PreconditionFailed(
            code="calendar.stale", extra={"current_etag": calendar_etag(record.version)}
        )
    values = {
        "week": {name: [[w.start, w.end] for w in getattr(data.week, name)] for name in WEEKDAYS},
        "closed_days": sorted({day.isoformat() for day in data.closed_days}),
        "open_days": sorted({day.isoformat() for day in data.open_days}),
        "updated_at": now,
        "updated_by_id": admin_id,
    }
    for name, value in values.items():
        setattr(record, name, value)
    record.version += 1
    await session.flush()
    forget_rules()
    return await read_calendar(session, now=now)


async def _locked_record(session: AsyncSession, *, now: datetime) -> WorkingCalendarRecord:
    """The calendar's row, made with the defaults if absent, locked until the transaction ends."""
    default = _saved_calendar(None)
    await insert_if_absent(
        session,
        WorkingCalendarRecord.__table__,  # type: ignore[attr-defined]
        {
            "id": 1,
            "week": {
                name: [[w.start, w.end] for w in getattr(default.week, name)] for name in WEEKDAYS
            },
            "closed_days": [],
            "open_days": [],
            "version": 0,
            "updated_at": now,
        },
    )
    record = await session.get(
        WorkingCalendarRecord, 1, with_for_update=True, populate_existing=True
    )
    assert record is not None, "inserted above when absent"
    return record
