"""Suggestions for a case: the helpers who could take it, ranked, and the agencies.

The database narrows first, through indexes: one statement reads the helpers with a service
area in the case's province (`helper_areas` by province), one row each with the codes of those
areas, their profile, account and load (from the partial index of open cases by lead), and the
number of helpers in all; another reads this case's earlier offers. Only those helpers are
scored, in Python (`service.routing.ranking`). Helpers outside the province are counted, not
loaded, as `out_of_area`. The worker ranks a batch of cases at once (`rank_people_of_cases`):
the helpers of all their provinces in one statement, their earlier offers in another.

The answer has a `people` part and an `agencies` part; agencies are ranked by
`service.routing.agency_suggestions` over the agency directory.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import CaseStatus, IneligibleReason, OfferStatus, Urgency
from models.routing import (
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
from service.routing.agency_suggestions import suggest_agencies
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


def helper_province(case: Case) -> str | None:
    """Where helpers for `case` are sought: its province, or for a person abroad their home
    province (helpers there work with the family); None when neither is known."""
    return case.province_code or case.home_province_code


def case_needs(case: Case) -> CaseNeeds:
    return CaseNeeds(
        categories=frozenset(case.categories),
        languages=frozenset(normalise_language(lang) for lang in case.client_languages),
        province_code=helper_province(case) or "",
        district_code=case.district_code,
        subdistrict_code=case.subdistrict_code,
        critical=case.urgency is Urgency.critical,
    )


def _helpers_statement(*, provinces: bool = False) -> sa.Select[*tuple[Any, ...]]:
    """One row per helper with a service area in the province `:province_code`: those areas'
    codes (space-separated), the helper's profile and account, their open cases led (counted
    on the partial index of open cases by lead) and the number of helper profiles in all
    (helpers elsewhere are counted, never loaded). Plain columns, no ORM objects to build.
    With `provinces`, one row per helper and province of the list `:province_codes`, with the
    province's code."""
    province = col(HelperArea.province_code)
    in_province = (
        province.in_(sa.bindparam("province_codes", expanding=True))
        if provinces
        else province == sa.bindparam("province_code", type_=sa.String)
    )
    keys = (col(HelperArea.user_id), province) if provinces else (col(HelperArea.user_id),)
    areas = (
        sa.select(
            col(HelperArea.user_id).label("user_id"),
            *([province.label("province_code")] if provinces else []),
            sa.func.aggregate_strings(col(HelperArea.code), " ").label("codes"),
        )
        .where(in_province)
        .group_by(*keys)
        .subquery("areas")
    )
    load = (
        sa.select(sa.func.count())
        .select_from(Case)
        .where(col(Case.lead_id) == areas.c.user_id, col(Case.status) != CaseStatus.closed)
        .scalar_subquery()
    )
    return (
        sa.select(
            areas.c.user_id,
            *([areas.c.province_code] if provinces else []),
            areas.c.codes,
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
            _HELPER_COUNT.scalar_subquery().label("helpers_in_all"),
        )
        .join(HelperProfile, col(HelperProfile.user_id) == areas.c.user_id)
        .join(User, col(User.id) == areas.c.user_id)
    )


_HELPER_COUNT = sa.select(sa.func.count()).select_from(HelperProfile)
# Built once; run with the case's province (or the cases' provinces) as its parameter.
_HELPERS = _helpers_statement()
_HELPERS_OF_PROVINCES = _helpers_statement(provinces=True)


def helpers_statement(province_code: str) -> sa.Select[*tuple[Any, ...]]:
    """The helpers of a province, as `rank_people` reads them (for the plan tests)."""
    return _HELPERS.params(province_code=province_code)


def offers_statement(case_id: uuid.UUID) -> sa.Select[uuid.UUID, OfferStatus, datetime]:
    """The offers made of a case so far, and how they ended."""
    return sa.select(col(Offer.user_id), col(Offer.status), col(Offer.expires_at)).where(
        col(Offer.case_id) == case_id
    )


async def rank_people(session: AsyncSession, *, case: Case, now: datetime) -> Ranking:
    """Every helper who could take `case`, ranked, and the others counted by reason."""
    province_code = helper_province(case)
    rows = (
        []
        if province_code is None
        else (await session.execute(_HELPERS, {"province_code": province_code})).all()
    )
    answers = await past_answers(session, case_id=case.id, now=now) if rows else {}
    helpers = [_helper(row, answers.get(row.user_id)) for row in rows]
    # Without helpers in the province, their count in all is asked for apart.
    in_all = rows[0].helpers_in_all if rows else await _helper_count(session)
    return _ranking(helpers, case, in_all=in_all, now=now)


async def rank_people_of_cases(
    session: AsyncSession, *, cases: Sequence[Case], now: datetime
) -> dict[uuid.UUID, Ranking]:
    """`rank_people` for each of `cases`, the same rankings read in two statements however
    many cases (the helpers of all their provinces, then their earlier offers): the worker
    re-offering a batch of expired offers. Each helper is built once per province."""
    provinces = sorted({code for case in cases if (code := helper_province(case)) is not None})
    rows = (
        (await session.execute(_HELPERS_OF_PROVINCES, {"province_codes": provinces})).all()
        if provinces
        else []
    )
    by_province: dict[str, list[Helper]] = defaultdict(list)
    for row in rows:
        by_province[row.province_code].append(_helper(row, None))
    answers = await _past_answers_of(session, [case.id for case in cases], now=now) if rows else {}
    in_all = rows[0].helpers_in_all if rows else await _helper_count(session)
    rankings: dict[uuid.UUID, Ranking] = {}
    for case in cases:
        answered = answers.get(case.id, {})
        helpers = [
            replace(helper, past_answer=answered[helper.user_id])
            if helper.user_id in answered
            else helper
            for helper in by_province.get(helper_province(case) or "", [])
        ]
        rankings[case.id] = _ranking(helpers, case, in_all=in_all, now=now)
    return rankings


def _ranking(helpers: list[Helper], case: Case, *, in_all: int, now: datetime) -> Ranking:
    """The helpers of the case's province ranked; the `in_all - len(helpers)` others counted
    as out of area."""
    ranking = rank(helpers, case_needs(case), now=now)
    elsewhere = in_all - len(helpers)
    if elsewhere > 0:
        ranking.filtered[IneligibleReason.out_of_area] += elsewhere
    return ranking


def _helper(row: Any, past_answer: IneligibleReason | None) -> Helper:
    return Helper(
        user_id=row.user_id,
        display_name=row.display_name,
        role=row.role,
        is_active=row.is_active,
        available=row.available,
        leave_until=row.leave_until,
        skills=frozenset(row.skills),
        languages=frozenset(map(_language, row.languages)),
        areas=frozenset(row.codes.split()),
        capacity=row.capacity,
        load=row.load,
        card_expires_on=row.card_expires_on,
        last_assigned_at=row.last_assigned_at,
        past_answer=past_answer,
    )


# A helper's languages come from a short list of codes: each is normalised once per process.
_language = lru_cache(maxsize=1024)(normalise_language)


async def past_answers(
    session: AsyncSession, *, case_id: uuid.UUID, now: datetime
) -> dict[uuid.UUID, IneligibleReason]:
    """Who declined this case or let an offer of it expire (a pending offer past its expiry
    counts as expired)."""
    rows = await session.execute(offers_statement(case_id))
    answers: dict[uuid.UUID, IneligibleReason] = {}
    for user_id, status, expires_at in rows:
        _note_answer(answers, user_id, status, expires_at, now=now)
    return answers


async def _past_answers_of(
    session: AsyncSession, case_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, dict[uuid.UUID, IneligibleReason]]:
    """`past_answers` of each of these cases, in one statement."""
    rows = await session.execute(
        sa.select(
            col(Offer.case_id), col(Offer.user_id), col(Offer.status), col(Offer.expires_at)
        ).where(col(Offer.case_id).in_(case_ids))
    )
    answers: dict[uuid.UUID, dict[uuid.UUID, IneligibleReason]] = defaultdict(dict)
    for case_id, user_id, status, expires_at in rows:
        _note_answer(answers[case_id], user_id, status, expires_at, now=now)
    return answers


def _note_answer(
    answers: dict[uuid.UUID, IneligibleReason],
    user_id: uuid.UUID,
    status: OfferStatus,
    expires_at: datetime,
    *,
    now: datetime,
) -> None:
    """Count one earlier offer: a decline outweighs an expiry."""
    if status is OfferStatus.declined:
        answers[user_id] = IneligibleReason.declined
    elif status is OfferStatus.expired or (status is OfferStatus.pending and expires_at <= now):
        answers.setdefault(user_id, IneligibleReason.expired_offer)


async def _helper_count(session: AsyncSession) -> int:
    return int((await session.execute(_HELPER_COUNT)).scalar_one())


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
        agencies=await suggest_agencies(session, case=case, now=now, limit=limit),
    )
