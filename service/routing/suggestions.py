"""Suggestions for a case: the helpers who could take it, ranked, and the agencies.

The database narrows first, through indexes: the helpers with a service area in the case's
province (`helper_areas` by province), their profiles and accounts by primary key, their load
from the partial index of open cases by lead, and this case's earlier offers. Only those helpers
are scored, in Python (`service.routing.ranking`). Helpers outside the province are counted,
not loaded, as `out_of_area`.

The answer has a `people` part and an `agencies` part; agencies come from `agency_suggestions`,
which the agency directory provides (none here).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import CaseStatus, IneligibleReason, OfferStatus, Urgency
from models.routing import (
    AgencySuggestions,
    HelperArea,
    HelperProfile,
    Offer,
    PeopleSuggestions,
    PersonCandidate,
    ScoreReason,
    Suggestions,
)
from models.user import User
from service.cases.loading import load_case
from service.routing.ranking import (
    CaseNeeds,
    Helper,
    Ranked,
    Ranking,
    normalise_language,
    rank,
)

DEFAULT_SUGGESTIONS = 10
MAX_SUGGESTIONS = 50


def case_needs(case: Case) -> CaseNeeds:
    return CaseNeeds(
        categories=frozenset(case.categories),
        languages=frozenset(normalise_language(lang) for lang in case.client_languages),
        province_code=case.province_code,
        district_code=case.district_code,
        subdistrict_code=case.subdistrict_code,
        critical=case.urgency is Urgency.critical,
    )


def areas_statement(province_code: str) -> sa.Select[uuid.UUID, str]:
    """The service areas of the helpers who serve somewhere in a province."""
    return sa.select(col(HelperArea.user_id), col(HelperArea.code)).where(
        col(HelperArea.province_code) == province_code
    )


def helpers_statement(user_ids: list[uuid.UUID]) -> sa.Select[Any]:
    """These helpers' profiles, accounts and open cases led (from the partial index)."""
    load = (
        sa.select(sa.func.count())
        .select_from(Case)
        .where(
            col(Case.lead_id) == col(HelperProfile.user_id), col(Case.status) != CaseStatus.closed
        )
        .scalar_subquery()
    )
    return (
        sa.select(
            HelperProfile,
            col(User.display_name),
            col(User.role),
            col(User.is_active),
            load,
        )
        .join(User, col(User.id) == col(HelperProfile.user_id))
        .where(col(HelperProfile.user_id).in_(user_ids))
    )


def offers_statement(case_id: uuid.UUID) -> sa.Select[uuid.UUID, OfferStatus, datetime]:
    """The offers made of a case so far, and how they ended."""
    return sa.select(col(Offer.user_id), col(Offer.status), col(Offer.expires_at)).where(
        col(Offer.case_id) == case_id
    )


async def rank_people(session: AsyncSession, *, case: Case, now: datetime) -> Ranking:
    """Every helper who could take `case`, ranked, and the others counted by reason."""
    areas = await _areas_in_province(session, province_code=case.province_code)
    helpers = await _helpers(session, areas=areas, case_id=case.id, now=now)
    ranking = rank(helpers, case_needs(case), now=now)
    elsewhere = await _helper_count(session) - len(helpers)
    if elsewhere > 0:
        ranking.filtered[IneligibleReason.out_of_area] += elsewhere
    return ranking


async def _areas_in_province(
    session: AsyncSession, *, province_code: str
) -> dict[uuid.UUID, set[str]]:
    rows = await session.execute(areas_statement(province_code))
    areas: dict[uuid.UUID, set[str]] = {}
    for user_id, code in rows:
        areas.setdefault(user_id, set()).add(code)
    return areas


async def _helpers(
    session: AsyncSession, *, areas: dict[uuid.UUID, set[str]], case_id: uuid.UUID, now: datetime
) -> list[Helper]:
    if not areas:
        return []
    rows = await session.execute(helpers_statement(list(areas)))
    answers = await past_answers(session, case_id=case_id, now=now)
    return [
        Helper(
            user_id=profile.user_id,
            display_name=name,
            role=role,
            is_active=active,
            available=profile.available,
            leave_until=profile.leave_until,
            skills=frozenset(profile.skills),
            languages=frozenset(normalise_language(lang) for lang in profile.languages),
            areas=frozenset(areas[profile.user_id]),
            capacity=profile.capacity,
            load=open_cases,
            card_expires_on=profile.card_expires_on,
            last_assigned_at=profile.last_assigned_at,
            past_answer=answers.get(profile.user_id),
        )
        for profile, name, role, active, open_cases in rows
    ]


async def past_answers(
    session: AsyncSession, *, case_id: uuid.UUID, now: datetime
) -> dict[uuid.UUID, IneligibleReason]:
    """Who declined this case or let an offer of it expire (a pending offer past its expiry
    counts as expired)."""
    rows = await session.execute(offers_statement(case_id))
    answers: dict[uuid.UUID, IneligibleReason] = {}
    for user_id, status, expires_at in rows:
        if status is OfferStatus.declined:
            answers[user_id] = IneligibleReason.declined
        elif status is OfferStatus.expired or (status is OfferStatus.pending and expires_at <= now):
            answers.setdefault(user_id, IneligibleReason.expired_offer)
    return answers


async def _helper_count(session: AsyncSession) -> int:
    return int(
        (await session.execute(sa.select(sa.func.count()).select_from(HelperProfile))).scalar_one()
    )


def candidate_out(ranked: Ranked) -> PersonCandidate:
    return PersonCandidate(
        user_id=ranked.helper.user_id,
        display_name=ranked.helper.display_name,
        role=ranked.helper.role,
        score=ranked.score,
        reasons=[
            ScoreReason(reason=r.reason, points=r.points, detail=r.detail) for r in ranked.reasons
        ],
    )


def candidates_record(ranking: Ranking, *, limit: int) -> list[dict[str, Any]]:
    """The candidates of a decision as stored in the decision log (JSON)."""
    return [candidate_out(r).model_dump(mode="json") for r in ranking.ranked[:limit]]


def people_out(ranking: Ranking, *, limit: int) -> PeopleSuggestions:
    return PeopleSuggestions(
        items=[candidate_out(r) for r in ranking.ranked[:limit]],
        total=len(ranking.ranked),
        filtered=dict(sorted(ranking.filtered.items())),
    )


async def agency_suggestions(
    session: AsyncSession, *, case: Case, now: datetime, limit: int
) -> AgencySuggestions:
    """Ranked agencies for the case: supplied by the agency directory; none until then."""
    return AgencySuggestions(items=[], total=0)


async def suggest(
    session: AsyncSession,
    *,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    now: datetime,
) -> Suggestions:
    """Ranked people and agencies for a case, with reasons, and who was left out and why."""
    case = await load_case(session, user=user, case_id=case_id, lock=False)
    ranking = await rank_people(session, case=case, now=now)
    return Suggestions(
        people=people_out(ranking, limit=limit),
        agencies=await agency_suggestions(session, case=case, now=now, limit=limit),
    )
