"""Ranking the helpers who could take a case, one case (a suggestion, an offer to the best) or
a batch of them (the worker re-offering cases whose offers expired).

The helpers of each case's province come from what the process keeps
(`service.routing.helper_pool`). Its stamp is read with the cases' earlier offers (who declined
a case or let an offer of it expire) and the agency directory's stamp (for the suggestions,
which rank agencies too) in one statement (`routing_state`; for a suggestion `case_and_state`
reads the case's routing columns in the same statement); the helpers are read again, in one
more statement, only after a change. The pure ranking (`service.routing.helper_group`) filters
and scores each case's helpers. Helpers with no service area in the case's province are counted
as `out_of_area`, never read.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import IneligibleReason, OfferStatus, Urgency
from models.routing import Offer
from service.routing import routed_case
from service.routing.agency_directory import STAMP as DIRECTORY_STAMP
from service.routing.helper_pool import STAMP, helpers_of
from service.routing.ranking import CaseNeeds, Ranking, normalise_language
from service.routing.routed_case import CaseToRoute, RoutedCase


def helper_province(case: RoutedCase) -> str | None:
    """Where helpers for `case` are sought: its province, or for a person abroad their home
    province (helpers there work with the family); None when neither is known."""
    return case.province_code or case.home_province_code


def case_needs(case: RoutedCase) -> CaseNeeds:
    return CaseNeeds(
        categories=frozenset(case.categories),
        languages=frozenset(normalise_language(lang) for lang in case.client_languages),
        province_code=helper_province(case) or "",
        district_code=case.district_code,
        subdistrict_code=case.subdistrict_code,
        critical=case.urgency is Urgency.critical,
    )


@dataclass(frozen=True, slots=True)
class RoutingState:
    """What ranking reads first for some cases, in one statement: the helpers' stamp, the
    directory's stamp, and how helpers answered the cases' earlier offers (case -> helper ->
    declined or let expire)."""

    helpers_stamp: str | None
    directory_stamp: str | None
    answers: Mapping[uuid.UUID, Mapping[uuid.UUID, IneligibleReason]]


async def rank_people(
    session: AsyncSession, *, case: RoutedCase, now: datetime, state: RoutingState | None = None
) -> Ranking:
    """Every helper who could take `case`, ranked, and the others counted by reason; `state`
    when the caller has read it already (`routing_state`, `case_and_state`)."""
    ranked = await rank_people_of_cases(session, cases=[case], now=now, state=state)
    return ranked[case.id]


async def rank_people_of_cases(
    session: AsyncSession,
    *,
    cases: Sequence[RoutedCase],
    now: datetime,
    state: RoutingState | None = None,
) -> dict[uuid.UUID, Ranking]:
    """`rank_people` for each of `cases`: the helpers of all their provinces, then their
    earlier offers, however many cases."""
    provinces = {code for case in cases if (code := helper_province(case)) is not None}
    if state is None:
        state = await routing_state(session, [case.id for case in cases], now=now)
    groups, in_all = await helpers_of(session, provinces, stamp=state.helpers_stamp)
    rankings: dict[uuid.UUID, Ranking] = {}
    for case in cases:
        province = helper_province(case)
        group = groups.get(province) if province is not None else None
        if group is None:
            ranking = Ranking(ranked=[], filtered=Counter(), needs=case_needs(case), now=now)
            elsewhere = in_all
        else:
            ranking = group.rank(case_needs(case), now=now, past_answers=state.answers.get(case.id))
            elsewhere = in_all - len(group)
        if elsewhere > 0:
            ranking.filtered[IneligibleReason.out_of_area] += elsewhere
        rankings[case.id] = ranking
    return rankings


# What `_state` reads from a row: both stamps, then an offer's case, person, status and expiry.
_STATE_COLUMNS = (
    STAMP.column().label("helpers_stamp"),
    DIRECTORY_STAMP.column().label("directory_stamp"),
    col(Offer.case_id),
    col(Offer.user_id),
    col(Offer.status),
    col(Offer.expires_at),
)


def _state_statement() -> sa.Select[str, str, uuid.UUID, uuid.UUID, OfferStatus, datetime]:
    """The helpers' and the directory's stamps and every offer of the cases `:case_ids` (its
    case, person, status and expiry), in one statement: one row per offer, each carrying the
    stamps, or one row with the stamps alone when the cases have none."""
    one = sa.select(sa.literal_column("1").label("one")).subquery("one")
    return sa.select(*_STATE_COLUMNS).select_from(
        one.outerjoin(Offer, col(Offer.case_id).in_(sa.bindparam("case_ids", expanding=True)))
    )


# Built once; run with the cases' ids.
STATE = _state_statement()

# Built once; run with a case's id: its `CaseToRoute` columns, the stamps and its offers, one
# row per offer (or one row without any); no row when the case does not exist.
CASE_AND_STATE = (
    sa.select(*routed_case.COLUMNS, *_STATE_COLUMNS)
    .select_from(Case)
    .outerjoin(Offer, col(Offer.case_id) == col(Case.id))
    .where(col(Case.id) == sa.bindparam("case_id"))
)


async def routing_state(
    session: AsyncSession, case_ids: Sequence[uuid.UUID], *, now: datetime
) -> RoutingState:
    """The stamps, and who declined each of these cases or let an offer of it expire (a pending
    offer past its expiry counts as expired; a decline outweighs an expiry), in one
    statement."""
    rows = (await session.execute(STATE, {"case_ids": list(case_ids)})).all()
    return _state(rows, now=now)


@dataclass(frozen=True, slots=True)
class CaseAndState:
    """A case as routing reads it, the `RoutingState` for it, and whom it is offered to now (a
    pending offer before its expiry), as `case_and_state` reads them in one statement."""

    case: CaseToRoute
    state: RoutingState
    offered_to: frozenset[uuid.UUID]


async def case_and_state(
    session: AsyncSession, *, case_id: uuid.UUID, now: datetime
) -> CaseAndState | None:
    """The case's routing columns and its `RoutingState` in one statement; None when there is
    no such case. The caller decides whether the case may be read."""
    rows = (await session.execute(CASE_AND_STATE, {"case_id": case_id})).all()
    if not rows:
        return None
    width = len(routed_case.COLUMNS)
    state = _state([row[width:] for row in rows], now=now)
    offered_to = frozenset(
        user_id
        for *_, user_id, status, expires_at in rows
        if status is OfferStatus.pending and expires_at > now
    )
    return CaseAndState(routed_case.case_to_route(rows[0]), state, offered_to)


def _state(rows: Sequence[Sequence[Any]], *, now: datetime) -> RoutingState:
    """The `RoutingState` of rows of both stamps, then an offer's case, person, status and
    expiry (null when there is none)."""
    answers: dict[uuid.UUID, dict[uuid.UUID, IneligibleReason]] = defaultdict(dict)
    for _, _, case_id, user_id, status, expires_at in rows:
        if case_id is None:
            continue
        answered = answers[case_id]
        if status is OfferStatus.declined:
            answered[user_id] = IneligibleReason.declined
        elif status is OfferStatus.expired or (status is OfferStatus.pending and expires_at <= now):
            answered.setdefault(user_id, IneligibleReason.expired_offer)
    helpers_stamp, directory_stamp = (rows[0][0], rows[0][1]) if rows else (None, None)
    return RoutingState(helpers_stamp, directory_stamp, answers)
