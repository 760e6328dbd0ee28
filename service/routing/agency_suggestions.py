"""Agency services suggested for a case: the directory's services that take referrals and
cover the case's area (subdistrict, district, province, `TH`, and for a case abroad its country
or any service for people abroad), found with the area each covers through the directory's
index by area code, and ranked by `service.routing.agency_ranking`, a pure function.

The directory comes from `service.routing.agency_directory`: what this process keeps while the
directory's stamp is unchanged (one primary-key read per suggestion), else read again in one
statement. The services that do not take referrals or cover another area are counted from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AgencyFilterReason
from service.cases.client_fields import client_age
from service.routing.agency_directory import Directory, current_directory, language_code
from service.routing.agency_ranking import THAILAND, CaseNeeds, rank_covering
from service.routing.routed_case import RoutedCase
from service.thai.dates import BANGKOK


def case_needs(case: RoutedCase, *, now: datetime) -> CaseNeeds:
    """What a case asks of an agency, from its routed columns."""
    today = now.astimezone(BANGKOK).date()
    # `cases.country_code`: ISO 3166 alpha-2, "TH" at home.
    country = case.country_code or THAILAND
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


async def suggest_agencies(
    session: AsyncSession,
    *,
    case: RoutedCase,
    now: datetime,
    limit: int,
    directory: Directory | None = None,
) -> dict[str, Any]:
    """Agency services for a case, best first (at most `limit`), and what was left out why,
    as the JSON document `AgencySuggestions` describes; `directory` when the caller has it
    already (else the current one)."""
    needs = case_needs(case, now=now)
    if directory is None:
        directory = await current_directory(session)
    candidates = directory.candidates(needs)
    ranking = rank_covering(needs, candidates, limit=limit)
    left_out = directory.left_out(len(candidates))
    # Built from the ranking's own typed values, so not validated again.
    return {
        "candidates": [
            {
                "service_id": str(ranked.service.service_id),
                "service_name": ranked.service.name,
                "organization_id": str(ranked.service.organization_id),
                "organization_name": ranked.service.organization_name,
                "score": ranked.score,
                "reasons": [{"code": r.code.value, "points": r.points} for r in ranked.reasons],
                "capacity_available": ranked.service.capacity_available,
                "response_deadline_hours": directory.deadlines[ranked.service.service_id].get(
                    needs.urgency.value
                ),
            }
            for ranked in ranking.ranked
        ],
        "filtered": {
            reason.value: left_out.get(reason, 0) + ranking.filtered.get(reason, 0)
            for reason in AgencyFilterReason
        },
    }
