"""`rank_people` for a batch of cases at once: the worker re-offering the cases whose offers
expired (`service.routing.follow_up`). One statement reads every helper of all their
provinces with their stored load, another the cases' earlier offers, and the pure ranking
(`service.routing.ranking`) filters and scores each case's helpers, each helper built once per
province; the rankings are the ones `service.routing.suggestions.rank_people` gives.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import IneligibleReason, OfferStatus
from models.routing import HelperArea, HelperProfile, Offer
from models.user import User
from service.routing.ranking import Helper, Ranking, rank
from service.routing.suggestions import case_needs, helper_of, helper_province, profile_columns


def _province_helpers_statement() -> sa.Select[*tuple[Any, ...]]:
    """One row per helper and province of the list `:province_codes` where they have a service
    area: the province, those areas' codes (space-separated), the helper's profile, account
    and stored load, and the number of helper profiles in
    all (helpers elsewhere are counted, never read). Plain columns, no ORM objects to build."""
    province = col(HelperArea.province_code)
    areas = (
        sa.select(
            col(HelperArea.user_id).label("user_id"),
            province.label("province_code"),
            sa.func.aggregate_strings(col(HelperArea.code), " ").label("codes"),
        )
        .where(province.in_(sa.bindparam("province_codes", expanding=True)))
        .group_by(col(HelperArea.user_id), province)
        .subquery("areas")
    )
    return (
        sa.select(
            areas.c.user_id,
            areas.c.province_code,
            areas.c.codes,
            *profile_columns(),
            _HELPER_COUNT.scalar_subquery().label("helpers_in_all"),
        )
        .join(HelperProfile, col(HelperProfile.user_id) == areas.c.user_id)
        .join(User, col(User.id) == areas.c.user_id)
    )


_HELPER_COUNT = sa.select(sa.func.count()).select_from(HelperProfile)
_HELPERS_OF_PROVINCES = _province_helpers_statement()


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
    for user_id, province_code, codes, *profile, _in_all in rows:
        by_province[province_code].append(helper_of(user_id, codes, *profile))
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
        ranking = rank(helpers, case_needs(case), now=now)
        elsewhere = in_all - len(helpers)
        if elsewhere > 0:
            ranking.filtered[IneligibleReason.out_of_area] += elsewhere
        rankings[case.id] = ranking
    return rankings


async def _past_answers_of(
    session: AsyncSession, case_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, dict[uuid.UUID, IneligibleReason]]:
    """Who declined each of these cases or let an offer of it expire (a pending offer past its
    expiry counts as expired; a decline outweighs an expiry), in one statement."""
    rows = await session.execute(
        sa.select(
            col(Offer.case_id), col(Offer.user_id), col(Offer.status), col(Offer.expires_at)
        ).where(col(Offer.case_id).in_(case_ids))
    )
    answers: dict[uuid.UUID, dict[uuid.UUID, IneligibleReason]] = defaultdict(dict)
    for case_id, user_id, status, expires_at in rows:
        answered = answers[case_id]
        if status is OfferStatus.declined:
            answered[user_id] = IneligibleReason.declined
        elif status is OfferStatus.expired or (status is OfferStatus.pending and expires_at <= now):
            answered.setdefault(user_id, IneligibleReason.expired_offer)
    return answers


async def _helper_count(session: AsyncSession) -> int:
    return int((await session.execute(_HELPER_COUNT)).scalar_one())
