"""Agency services suggested for a case: two statements, whatever the size of the directory.

1. How many services are left out for being inactive, not taking referrals or outside the
   case's area (counted in SQL, never by loading them).
2. The services that remain: active, taking referrals, and covering one of the case's area
   codes (subdistrict, district, province, `TH`, and the country for a case abroad), found
   through `ix_service_areas_area_code_service_id`, or serving people abroad.
   With each, its area codes, language codes and most room (per-service subqueries through
   the `service_id` indexes of `service_areas`, `languages` and `service_capacities`).

The ranking itself (`service.routing.agency_ranking`) is a pure function of what these load.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.agency import Language, Organization, Service, ServiceArea, ServiceCapacity
from models.case import Case
from models.enums import AgencyFilterReason, ServiceStatus
from models.hsds import AgencyCandidate, AgencyReasonOut, AgencySuggestions
from service.cases.client_fields import client_age
from service.routing.agency_ranking import (
    THAILAND,
    AgencyService,
    CaseNeeds,
    rank_agencies,
)
from service.thai.dates import BANGKOK

services = Service.__table__  # type: ignore[attr-defined]
areas = ServiceArea.__table__  # type: ignore[attr-defined]
languages = Language.__table__  # type: ignore[attr-defined]
capacities = ServiceCapacity.__table__  # type: ignore[attr-defined]
organizations = Organization.__table__  # type: ignore[attr-defined]


def language_code(text: str) -> str:
    """The primary language subtag of a code such as `th` or `my-MM`, lower case."""
    return text.strip().lower().split("-")[0]


def case_needs(case: Case, *, now: datetime) -> CaseNeeds:
    """What a case asks of an agency, from its row."""
    today = now.astimezone(BANGKOK).date()
    # `cases.country_code` (ISO 3166 alpha-2, "TH" at home) comes with cases abroad.
    country = getattr(case, "country_code", None) or THAILAND
    return CaseNeeds(
        categories=frozenset(case.categories),
        target_groups=frozenset(case.target_groups),
        province_code=case.province_code or None,
        district_code=case.district_code,
        subdistrict_code=case.subdistrict_code,
        country_code=country,
        client_age=client_age(
            case.client_birth_date, case.client_birth_year, case.client_age_estimate, today
        ),
        languages=frozenset(language_code(text) for text in case.client_languages),
        urgency=case.urgency,
    )


def _area_codes(needs: CaseNeeds) -> list[str]:
    codes = [needs.subdistrict_code, needs.district_code, needs.province_code, THAILAND]
    if needs.abroad:
        codes.append(needs.country_code)
    return [code for code in codes if code]


def _in_area(needs: CaseNeeds) -> sa.ColumnElement[bool]:
    covered = sa.exists().where(
        areas.c.area_code.in_(_area_codes(needs)), areas.c.service_id == services.c.id
    )
    if needs.abroad:
        return sa.or_(covered, services.c.serves_abroad.is_(True))
    return covered


def _referable() -> sa.ColumnElement[bool]:
    return sa.and_(
        services.c.status == ServiceStatus.active.value,
        services.c.accepts_referrals.is_(True),
    )


async def _filtered_in_sql(session: AsyncSession, needs: CaseNeeds) -> dict[str, int]:
    def count(condition: sa.ColumnElement[bool]) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    active = services.c.status == ServiceStatus.active.value
    row = (
        await session.execute(
            sa.select(
                count(sa.not_(active)),
                count(sa.and_(active, services.c.accepts_referrals.is_(False))),
                count(sa.and_(_referable(), sa.not_(_in_area(needs)))),
            )
        )
    ).one()
    return {
        AgencyFilterReason.inactive: int(row[0]),
        AgencyFilterReason.not_accepting_referrals: int(row[1]),
        AgencyFilterReason.outside_area: int(row[2]),
    }


def _codes(table: sa.Table, column: sa.Column[str]) -> Any:
    """A service's codes in `table` (area or language codes, which hold no space), joined by
    spaces, read through the table's index on `service_id`."""
    return (
        sa.select(sa.func.aggregate_strings(column, " "))
        .where(table.c.service_id == services.c.id)
        .scalar_subquery()
    )


async def _candidates(session: AsyncSession, needs: CaseNeeds) -> Sequence[Any]:
    """The services that remain, each with its area codes, language codes and most room."""
    room = (
        sa.select(sa.func.max(capacities.c.available))
        .where(capacities.c.service_id == services.c.id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            services.c.id,
            services.c.organization_id,
            services.c.name,
            services.c.status,
            services.c.accepts_referrals,
            services.c.categories,
            services.c.target_groups,
            services.c.serves_abroad,
            services.c.minimum_age,
            services.c.maximum_age,
            services.c.response_deadline_hours,
            organizations.c.name.label("organization_name"),
            _codes(areas, areas.c.area_code).label("area_codes"),
            _codes(languages, languages.c.code).label("language_codes"),
            room.label("room"),
        )
        .join(organizations, organizations.c.id == services.c.organization_id)
        .where(_referable(), _in_area(needs))
    )
    return (await session.execute(query)).all()


async def suggest_agencies(
    session: AsyncSession, *, case: Case, now: datetime, limit: int
) -> AgencySuggestions:
    """Agency services for a case, best first (at most `limit`), and what was left out why."""
    needs = case_needs(case, now=now)
    filtered = await _filtered_in_sql(session, needs)
    rows = await _candidates(session, needs)
    candidates = []
    for row in rows:
        candidates.append(
            AgencyService(
                service_id=row.id,
                organization_id=row.organization_id,
                organization_name=row.organization_name,
                name=row.name,
                status=ServiceStatus(row.status),
                accepts_referrals=row.accepts_referrals,
                categories=frozenset(row.categories),
                target_groups=frozenset(row.target_groups),
                area_codes=frozenset((row.area_codes or "").split()),
                serves_abroad=row.serves_abroad,
                minimum_age=row.minimum_age,
                maximum_age=row.maximum_age,
                languages=frozenset(map(language_code, (row.language_codes or "").split())),
                capacity_available=row.room,
            )
        )
    ranking = rank_agencies(needs, candidates, limit=limit)
    deadlines = {row.id: row.response_deadline_hours for row in rows}
    return AgencySuggestions(
        candidates=[
            AgencyCandidate(
                service_id=ranked.service.service_id,
                service_name=ranked.service.name,
                organization_id=ranked.service.organization_id,
                organization_name=ranked.service.organization_name,
                score=ranked.score,
                reasons=[AgencyReasonOut(code=r.code, points=r.points) for r in ranked.reasons],
                capacity_available=ranked.service.capacity_available,
                response_deadline_hours=deadlines[ranked.service.service_id].get(
                    needs.urgency.value
                ),
            )
            for ranked in ranking.ranked
        ],
        filtered={
            reason: filtered.get(reason, 0) + ranking.filtered.get(reason, 0)
            for reason in AgencyFilterReason
        },
    )
