"""The statistics' SQL: grouped counts, durations, deadline compliance and referral answers
over the cases opened in a period.

Every query reads the period's cases through `ix_cases_created_at_id` (referrals through
`ix_referrals_created_at`) and returns groups, not case rows. Percentiles are PostgreSQL's
`percentile_cont`; SQLite has none, so there they are computed from a bounded fetch of the
durations alone (`DURATION_ROWS`). Working time needs the calendar, so it is always computed in
Python, over at most `DURATION_ROWS` (opened, met, pauses) triples, the newest of the period.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.agency import Organization
from models.case import Case, CaseCategory
from models.enums import Category, ReferralStatus, TargetGroup, Urgency
from models.referral import Referral
from models.statistics import DeadlineKind
from service.platform.db import dialect_name
from service.statistics.groups import UNKNOWN, area_key, hotline_type_of_category

# The most met deadlines (and answered referrals) read per figure for durations computed in
# Python; past it the figures cover the newest this many of the period.
DURATION_ROWS = 10_000
ACCEPTED = (ReferralStatus.accepted, ReferralStatus.completed, ReferralStatus.failed)
ANSWERED = (*ACCEPTED, ReferralStatus.declined)


@dataclass(frozen=True, slots=True)
class Period:
    """Cases opened from `start` (included) to `end` (excluded), UTC instants."""

    start: datetime
    end: datetime


def _opened_in(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(col(Case.created_at) >= period.start, col(Case.created_at) < period.end)


async def count_by(session: AsyncSession, column: Any, period: Period) -> Counter[str]:
    """Cases of the period per value of one column."""
    rows = await session.execute(
        sa.select(column, sa.func.count()).where(_opened_in(period)).group_by(column)
    )
    return Counter({str(key if key is not None else UNKNOWN): n for key, n in rows.all()})


def _categorised_in(period: Period, categories: Iterable[Category]) -> sa.ColumnElement[bool]:
    """Category rows of the period's cases (a row carries its case's `created_at`): with the
    categories listed, they are read from `ix_case_categories_category_created_at` alone, one
    range per category."""
    return sa.and_(
        col(CaseCategory.category).in_(list(categories)),
        col(CaseCategory.created_at) >= period.start,
        col(CaseCategory.created_at) < period.end,
    )


async def count_by_category(session: AsyncSession, period: Period) -> Counter[str]:
    """Cases of the period per category (a case with two categories counts under both)."""
    rows = await session.execute(
        sa.select(col(CaseCategory.category), sa.func.count())
        .where(_categorised_in(period, Category))
        .group_by(col(CaseCategory.category))
    )
    return Counter({str(category): n for category, n in rows.all()})


async def count_by_area(session: AsyncSession, period: Period) -> Counter[str]:
    """Cases of the period per province code (`abroad`, `unknown`)."""
    rows = await session.execute(
        sa.select(col(Case.country_code), col(Case.province_code), sa.func.count())
        .where(_opened_in(period))
        .group_by(col(Case.country_code), col(Case.province_code))
    )
    areas: Counter[str] = Counter()
    for country, province, n in rows.all():
        areas[area_key(country, province)] += n
    return areas


def _bangkok_day(session: AsyncSession) -> sa.ColumnElement[Any]:
    if dialect_name(session) == "postgresql":
        return sa.func.date(sa.func.timezone("Asia/Bangkok", col(Case.created_at)))
    # SQLite holds UTC text; Bangkok has kept UTC+7 all year since 1920.
    return sa.func.date(col(Case.created_at), "+7 hours")


async def count_by_day(session: AsyncSession, period: Period) -> list[tuple[date, int]]:
    """Cases of the period per day in Bangkok."""
    day = _bangkok_day(session).label("day")
    rows = await session.execute(
        sa.select(day, sa.func.count()).where(_opened_in(period)).group_by(day)
    )
    return [(d if isinstance(d, date) else date.fromisoformat(d), n) for d, n in rows.all()]


def _age_band() -> sa.ColumnElement[str]:
    """The age band at intake, from the target groups intake derived (child < 18, older
    person >= 60) and whether any age was given."""
    groups = sa.cast(col(Case.target_groups), sa.String)
    age_known = sa.or_(
        col(Case.client_birth_date).is_not(None),
        col(Case.client_birth_year).is_not(None),
        col(Case.client_age_estimate).is_not(None),
    )
    return sa.case(
        (sa.not_(age_known), UNKNOWN),
        (groups.contains(f'"{TargetGroup.child.value}"'), "0-17"),
        (groups.contains(f'"{TargetGroup.older_person.value}"'), "60+"),
        else_="18-59",
    )


async def count_hotline(
    session: AsyncSession, period: Period
) -> Counter[tuple[str, str, str, str]]:
    """Cases per (hotline problem type, sex, age band, area); a case counts once per type."""
    mapping = hotline_type_of_category()
    problem_type = sa.case(
        *((col(CaseCategory.category) == category, code) for category, code in mapping.items()),
        else_=None,
    ).label("problem_type")
    sex = sa.func.coalesce(col(Case.client_gender), UNKNOWN).label("sex")
    band = _age_band().label("age_band")
    rows = await session.execute(
        sa.select(
            problem_type,
            sex,
            band,
            col(Case.country_code),
            col(Case.province_code),
            sa.func.count(sa.distinct(col(Case.id))),
        )
        .join(CaseCategory, col(CaseCategory.case_id) == col(Case.id))
        .where(_opened_in(period), _categorised_in(period, mapping))
        .group_by(problem_type, sex, band, col(Case.country_code), col(Case.province_code))
    )
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for kind, gender, age_band, country, province, n in rows.all():
        counts[(kind, str(gender), age_band, area_key(country, province))] += n
    return counts


# --------------------------------------------------------------------------- durations


def _met_column(deadline: DeadlineKind) -> Any:
    return col(getattr(Case, f"{deadline.value}_met_at"))


def _due_column(deadline: DeadlineKind) -> Any:
    return col(getattr(Case, f"{deadline.value}_due_at"))


def _seconds(later: Any, earlier: Any) -> sa.ColumnElement[Any]:
    return sa.extract("epoch", later - earlier)


async def clock_percentiles(
    session: AsyncSession, period: Period, deadline: DeadlineKind
) -> tuple[int, float | None, float | None]:
    """(cases, median, 90th percentile) of the elapsed seconds to meet a deadline, by
    `percentile_cont` over the whole period (PostgreSQL only)."""
    met = _met_column(deadline)
    seconds = _seconds(met, col(Case.created_at))
    row = (
        await session.execute(
            sa.select(
                sa.func.count(),
                sa.func.percentile_cont(0.5).within_group(seconds),
                sa.func.percentile_cont(0.9).within_group(seconds),
            ).where(_opened_in(period), met.is_not(None))
        )
    ).one()
    n, median, p90 = row
    return n, _float(median), _float(p90)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class MetDeadline:
    """One met deadline, as read for durations computed in Python."""

    opened_at: datetime
    met_at: datetime
    pauses: list[list[str]]


async def met_deadlines(
    session: AsyncSession, period: Period, deadline: DeadlineKind
) -> tuple[list[MetDeadline], bool]:
    """The newest `DURATION_ROWS` met deadlines of the period, and whether that is all."""
    met = _met_column(deadline)
    rows = (
        await session.execute(
            sa.select(col(Case.created_at), met, col(Case.clock_pauses))
            .where(_opened_in(period), met.is_not(None))
            .order_by(col(Case.created_at).desc(), col(Case.id).desc())
            .limit(DURATION_ROWS + 1)
        )
    ).all()
    found = [MetDeadline(opened, met_at, pauses or []) for opened, met_at, pauses in rows]
    return found[:DURATION_ROWS], len(found) <= DURATION_ROWS


async def compliance(
    session: AsyncSession, period: Period, now: datetime
) -> dict[tuple[Urgency, DeadlineKind], tuple[int, int]]:
    """(decided, met on time) per urgency and deadline: a deadline is decided when met, or
    when its due time has passed unmet."""
    columns: list[Any] = [col(Case.urgency)]
    for deadline in DeadlineKind:
        due, met = _due_column(deadline), _met_column(deadline)
        decided = sa.and_(due.is_not(None), sa.or_(met.is_not(None), due < now))
        on_time = sa.and_(due.is_not(None), met.is_not(None), met <= due)
        columns += [
            sa.func.sum(sa.case((decided, 1), else_=0)),
            sa.func.sum(sa.case((on_time, 1), else_=0)),
        ]
    rows = await session.execute(
        sa.select(*columns).where(_opened_in(period)).group_by(col(Case.urgency))
    )
    result: dict[tuple[Urgency, DeadlineKind], tuple[int, int]] = {}
    for urgency, *sums in rows.all():
        for index, deadline in enumerate(DeadlineKind):
            result[(Urgency(urgency), deadline)] = (
                int(sums[2 * index] or 0),
                int(sums[2 * index + 1] or 0),
            )
    return result


# --------------------------------------------------------------------------- referrals


@dataclass(frozen=True, slots=True)
class AgencyAnswers:
    name: str
    referrals: int
    answered: int
    accepted: int
    median_answer_seconds: float | None = None


def _referred_in(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(col(Referral.created_at) >= period.start, col(Referral.created_at) < period.end)


async def referral_answers(session: AsyncSession, period: Period) -> dict[uuid.UUID, AgencyAnswers]:
    """Per organization: referrals sent in the period, answered, accepted, and on PostgreSQL
    the median answer time."""
    answered = sa.func.sum(sa.case((col(Referral.status).in_(ANSWERED), 1), else_=0))
    accepted = sa.func.sum(sa.case((col(Referral.status).in_(ACCEPTED), 1), else_=0))
    columns: list[Any] = [
        col(Referral.organization_id),
        col(Organization.name),
        sa.func.count(),
        answered,
        accepted,
    ]
    if dialect_name(session) == "postgresql":
        seconds = _seconds(col(Referral.answered_at), col(Referral.created_at))
        columns.append(sa.func.percentile_cont(0.5).within_group(seconds))
    rows = await session.execute(
        sa.select(*columns)
        .join(Organization, col(Organization.id) == col(Referral.organization_id))
        .where(_referred_in(period))
        .group_by(col(Referral.organization_id), col(Organization.name))
    )
    return {
        org: AgencyAnswers(
            name,
            int(n),
            int(n_answered or 0),
            int(n_accepted or 0),
            _float(rest[0] if rest else None),
        )
        for org, name, n, n_answered, n_accepted, *rest in rows.all()
    }


async def answer_times(session: AsyncSession, period: Period) -> list[tuple[uuid.UUID, float]]:
    """(organization, seconds to answer) of at most `DURATION_ROWS` answered referrals of the
    period (SQLite, which has no `percentile_cont`)."""
    rows = await session.execute(
        sa.select(
            col(Referral.organization_id), col(Referral.created_at), col(Referral.answered_at)
        )
        .where(_referred_in(period), col(Referral.answered_at).is_not(None))
        .order_by(col(Referral.created_at).desc())
        .limit(DURATION_ROWS)
    )
    return [
        (org, (answered - sent).total_seconds()) for org, sent, answered in rows.all() if answered
    ]
