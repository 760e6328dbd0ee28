"""Suggestions for a case: the helpers who could take it, ranked, and the agencies.

The database narrows first, through indexes: one statement reads the service areas in the
case's province (`helper_areas` by province) with their helpers' profiles, accounts and load
(from the partial index of open cases by lead); another this case's earlier offers. Only those
helpers are scored, in Python (`service.routing.ranking`). Helpers outside the province are
counted, not loaded, as `out_of_area`.

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


def helpers_statement(province_code: str) -> sa.Select[*tuple[Any, ...]]:
    """One row per service area in a province, with its helper's profile, account and open
    cases led (counted on the partial index of open cases by lead): plain columns, no ORM
    objects to build."""
    load = (
        sa.select(sa.func.count())
        .select_from(Case)
        .where(col(Case.lead_id) == col(HelperArea.user_id), col(Case.status) != CaseStatus.closed)
        .scalar_subquery()
    )
    return (
        sa.select(
            col(HelperArea.user_id),
            col(HelperArea.code),
            col(User.display_name),
            col(User.role),
            col(User.is_active),
            col(HelperProfile.available),
            col(HelperProfile.leave_until),
            col(HelperProfile.skills),
            col(HelperProfile.languages),
            col(HelperProfile.capacity),
            col(HelperProfile.card_expires_on),
            col(HelperProfile.last_assigned_at),
            load.label("load"),
        )
        .join(HelperProfile, col(HelperProfile.user_id) == col(HelperArea.user_id))
        .join(User, col(User.id) == col(HelperArea.user_id))
        .where(col(HelperArea.province_code) == province_code)
    )


def offers_statement(case_id: uuid.UUID) -> sa.Select[uuid.UUID, OfferStatus, datetime]:
    """The offers made of a case so far, and how they ended."""
    return sa.select(col(Offer.user_id), col(Offer.status), col(Offer.expires_at)).where(
        col(Offer.case_id) == case_id
    )


async def rank_people(session: AsyncSession, *, case: Case, now: datetime) -> Ranking:
    """Every helper who could take `case`, ranked, and the others counted by reason."""
    helpers = await _helpers_in_province(
        session, province_code=case.province_code, case_id=case.id, now=now
    )
    ranking = rank(helpers, case_needs(case), now=now)
    elsewhere = await _helper_count(session) - len(helpers)
    if elsewhere > 0:
        ranking.filtered[IneligibleReason.out_of_area] += elsewhere
    return ranking


async def _helpers_in_province(
    session: AsyncSession, *, province_code: str, case_id: uuid.UUID, now: datetime
) -> list[Helper]:
    rows = (await session.execute(helpers_statement(province_code))).all()
    answers = await past_answers(session, case_id=case_id, now=now)
    areas: dict[uuid.UUID, set[str]] = {}
    first: dict[uuid.UUID, Any] = {}
    for row in rows:
        areas.setdefault(row.user_id, set()).add(row.code)
        first.setdefault(row.user_id, row)
    return [
        Helper(
            user_id=user_id,
            display_name=row.display_name,
            role=row.role,
            is_active=row.is_active,
            available=row.available,
            leave_until=row.leave_until,
            skills=frozenset(row.skills),
            languages=frozenset(normalise_language(lang) for lang in row.languages),
            areas=frozenset(areas[user_id]),
            capacity=row.capacity,
            load=row.load,
            card_expires_on=row.card_expires_on,
            last_assigned_at=row.last_assigned_at,
            past_answer=answers.get(user_id),
        )
        for user_id, row in first.items()
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


def candidate_out(ranking: Ranking, ranked: Ranked) -> PersonCandidate:
    return PersonCandidate(
        user_id=ranked.helper.user_id,
        display_name=ranked.helper.display_name,
        role=ranked.helper.role,
        score=ranked.score,
        reasons=[
            ScoreReason(reason=r.reason, points=r.points, detail=r.detail)
            for r in ranking.reasons(ranked)
        ],
    )


def candidates_record(ranking: Ranking, *, limit: int) -> list[dict[str, Any]]:
    """The candidates of a decision as stored in the decision log (JSON)."""
    return [candidate_out(ranking, r).model_dump(mode="json") for r in ranking.ranked[:limit]]


def people_out(ranking: Ranking, *, limit: int) -> PeopleSuggestions:
    return PeopleSuggestions(
        items=[candidate_out(ranking, r) for r in ranking.ranked[:limit]],
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
