"""Suggestions for a case: the helpers who could take it, ranked, and the agencies.

The database narrows first, in one statement through indexes: it reads the helpers with a
service area in the case's province (`helper_areas` by province), checks each as
`service.routing.ranking` does (inactive, a volunteer on a critical case or without a valid
card, unavailable, on leave, declined this case or let an offer of it expire, no area covering
the case, at capacity: the first failing check is the reason) and returns only the eligible
ones, one row each with the codes of their areas there, their profile, account and load (the
open cases they lead, as stored on the profile by `service.routing.load`, which recounts it
whenever a transaction changes a lead, before it commits). The others come back as their
number per reason, and helpers outside the province are counted, not read, as `out_of_area`.
Only the eligible are scored, in Python (`service.routing.ranking`, which checks them again),
and only the first `limit` are given their reasons.

The worker ranks a batch of cases at once (`service.routing.batch_ranking`, re-offering expired
offers): one statement reads every helper of all their provinces with their load, another the
cases' earlier offers, and the pure ranking filters and scores each case's helpers (each helper
built once per province).

The answer has a `people` part and an `agencies` part; agencies are ranked by
`service.routing.agency_suggestions` over the agency directory.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import UTCDateTime
from models.case import Case
from models.enums import IneligibleReason, OfferStatus, Role, Urgency
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
    HELPER_ROLES,
    CaseNeeds,
    Helper,
    Ranked,
    Ranking,
    bangkok_date,
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


# The case's side of the helper statement, bound at each run (typed, so that a null binds on
# PostgreSQL too).
_PROVINCE = sa.bindparam("province_code", type_=sa.String)
_DISTRICT = sa.bindparam("district_code", type_=sa.String)
_SUBDISTRICT = sa.bindparam("subdistrict_code", type_=sa.String)
_CRITICAL = sa.bindparam("critical", type_=sa.Boolean)
_CASE_ID = sa.bindparam("case_id", type_=Offer.__table__.c.case_id.type)  # type: ignore[attr-defined]
_NOW = sa.bindparam("now", type_=UTCDateTime())
_TODAY = sa.bindparam("today", type_=sa.Date)
# How a helper answered an earlier offer of the case (`answers.answer`).
_DECLINED: sa.ColumnElement[int] = sa.literal_column("2", sa.Integer)
_LET_EXPIRE: sa.ColumnElement[int] = sa.literal_column("1", sa.Integer)
_NO_ANSWER: sa.ColumnElement[int] = sa.literal_column("0", sa.Integer)
# Whether any of a helper's areas covers the case (`areas.covers`).
_YES: sa.ColumnElement[int] = sa.literal_column("1", sa.Integer)
_NO: sa.ColumnElement[int] = sa.literal_column("0", sa.Integer)


def _text(value: str) -> sa.ColumnElement[str]:
    return sa.literal_column(f"'{value}'", sa.String)


def _covers_case() -> sa.ColumnElement[bool]:
    """Whether an area code of the case's province covers the case, as
    `service.routing.ranking.area_match` decides it: the province; a district, the case's (any
    when the case's district is unknown); another code, the case's subdistrict, or when that is
    unknown any in the case's district (any in the province when that is unknown too)."""
    code = col(HelperArea.code)
    length = sa.func.length(code)
    return sa.or_(
        length == 2,
        sa.and_(length == 4, sa.or_(_DISTRICT.is_(None), code == _DISTRICT)),
        sa.and_(
            length.not_in([2, 4]),
            sa.or_(
                code == _SUBDISTRICT,
                sa.and_(
                    _SUBDISTRICT.is_(None),
                    sa.or_(_DISTRICT.is_(None), sa.func.substr(code, 1, 4) == _DISTRICT),
                ),
            ),
        ),
    )


def _ineligibility(areas: Any, answers: Any) -> sa.Case[Any]:
    """Why a helper of the province may not be offered the case, or null: the first failing
    check in the order of `service.routing.ranking._check`, so each is counted once, by the
    same reason."""
    role, card = col(User.role), col(HelperProfile.card_expires_on)
    volunteer = role == Role.volunteer
    leave_until = col(HelperProfile.leave_until)
    checks: list[tuple[sa.ColumnElement[bool], IneligibleReason]] = [
        (
            sa.or_(sa.not_(col(User.is_active)), role.not_in(sorted(HELPER_ROLES))),
            IneligibleReason.inactive,
        ),
        (sa.and_(volunteer, _CRITICAL), IneligibleReason.volunteer_on_critical),
        (sa.and_(volunteer, card.is_(None)), IneligibleReason.card_missing),
        (sa.and_(volunteer, card < _TODAY), IneligibleReason.card_expired),
        (sa.not_(col(HelperProfile.available)), IneligibleReason.unavailable),
        (sa.and_(leave_until.is_not(None), leave_until > _NOW), IneligibleReason.on_leave),
        (answers.c.answer == _DECLINED, IneligibleReason.declined),
        (answers.c.answer == _LET_EXPIRE, IneligibleReason.expired_offer),
        (areas.c.covers == _NO, IneligibleReason.out_of_area),
        (
            col(HelperProfile.open_cases_led) >= col(HelperProfile.capacity),
            IneligibleReason.at_capacity,
        ),
    ]
    return sa.case(*((check, _text(reason.value)) for check, reason in checks), else_=None)


def profile_columns() -> tuple[Any, ...]:
    """What ranking needs of a helper's account and profile, in the order of `helper_of`'s
    parameters: the skills and languages as their JSON text (`_skills`, `_languages`), the load
    as stored (`service.routing.load`)."""
    return (
        col(User.display_name),
        col(User.role),
        col(User.is_active),
        col(HelperProfile.available),
        col(HelperProfile.leave_until),
        sa.cast(col(HelperProfile.skills), sa.Text).label("skills"),
        sa.cast(col(HelperProfile.languages), sa.Text).label("languages"),
        col(HelperProfile.capacity),
        col(HelperProfile.card_expires_on),
        col(HelperProfile.last_assigned_at),
        col(HelperProfile.open_cases_led).label("load"),
    )


def _helpers_statement() -> sa.CompoundSelect[*tuple[Any, ...]]:
    """The helpers of the case's province checked in the database, and only the eligible ones
    returned, one row each: the codes of their areas there (space-separated), their profile,
    account and load. The others come back as one row per reason with their number, and the
    helpers elsewhere (counted, never read) as one more `out_of_area` row."""
    areas = (
        sa.select(
            col(HelperArea.user_id).label("user_id"),
            sa.func.aggregate_strings(col(HelperArea.code), " ").label("codes"),
            sa.func.max(sa.case((_covers_case(), _YES), else_=_NO)).label("covers"),
        )
        .where(col(HelperArea.province_code) == _PROVINCE)
        .group_by(col(HelperArea.user_id))
        .subquery("areas")
    )
    status = col(Offer.status)
    answers = (
        sa.select(
            col(Offer.user_id).label("user_id"),
            sa.func.max(
                sa.case(
                    (status == _text(OfferStatus.declined.value), _DECLINED),
                    (
                        sa.or_(
                            status == _text(OfferStatus.expired.value),
                            sa.and_(
                                status == _text(OfferStatus.pending.value),
                                col(Offer.expires_at) <= _NOW,
                            ),
                        ),
                        _LET_EXPIRE,
                    ),
                    else_=_NO_ANSWER,
                )
            ).label("answer"),
        )
        .where(col(Offer.case_id) == _CASE_ID)
        .group_by(col(Offer.user_id))
        .subquery("answers")
    )
    checked = (
        sa.select(
            areas.c.user_id,
            areas.c.codes,
            *profile_columns(),
            _ineligibility(areas, answers).label("reason"),
        )
        .select_from(areas)
        .join(HelperProfile, col(HelperProfile.user_id) == areas.c.user_id)
        .join(User, col(User.id) == areas.c.user_id)
        .outerjoin(answers, answers.c.user_id == areas.c.user_id)
        .cte("checked")
    )
    shown = [column for column in checked.c if column.name != "reason"]
    nothing = [sa.null()] * len(shown)
    eligible = sa.select(
        sa.null().label("reason"),
        sa.literal_column("1").label("helpers"),
        *shown,
    ).where(checked.c.reason.is_(None))
    left_out = (
        sa.select(checked.c.reason, sa.func.count(), *nothing)
        .where(checked.c.reason.is_not(None))
        .group_by(checked.c.reason)
    )
    in_all = sa.select(sa.func.count()).select_from(HelperProfile).scalar_subquery()
    in_province = sa.select(sa.func.count()).select_from(checked).scalar_subquery()
    elsewhere = sa.select(_text(IneligibleReason.out_of_area.value), in_all - in_province, *nothing)
    return sa.union_all(eligible, left_out, elsewhere)


# Built once; run with the case's side as its parameters (`_parameters`).
_HELPERS = _helpers_statement()


def _parameters(case: Case, *, now: datetime) -> dict[str, Any]:
    return {
        "province_code": helper_province(case),
        "district_code": case.district_code,
        "subdistrict_code": case.subdistrict_code,
        "critical": case.urgency is Urgency.critical,
        "case_id": case.id,
        "now": now,
        "today": bangkok_date(now),
    }


def helpers_statement(case: Case, *, now: datetime) -> sa.CompoundSelect[*tuple[Any, ...]]:
    """The helpers of a case, as `rank_people` reads them (for the plan tests)."""
    return _HELPERS.params(_parameters(case, now=now))


async def rank_people(session: AsyncSession, *, case: Case, now: datetime) -> Ranking:
    """Every helper who could take `case`, ranked, and the others counted by reason: one
    statement, which leaves out and counts the ineligible helpers, so that only the eligible
    ones are read and scored."""
    rows = (await session.execute(_HELPERS, _parameters(case, now=now))).all()
    helpers: list[Helper] = []
    left_out: list[tuple[str, int]] = []
    # Rows are read by position: a Bangkok case has a few hundred eligible helpers, and a named
    # column costs a lookup each (`_HELPERS`: reason, count, user id, codes, then the profile).
    for reason, count, *columns in rows:
        if reason is None:
            helpers.append(helper_of(*columns))
        elif count > 0:
            left_out.append((reason, count))
    ranking = rank(helpers, case_needs(case), now=now)
    for reason, count in left_out:
        ranking.filtered[IneligibleReason(reason)] += count
    return ranking


def helper_of(
    user_id: uuid.UUID,
    codes: str,
    display_name: str,
    role: Role,
    is_active: bool,
    available: bool,
    leave_until: datetime | None,
    skills: str | None,
    languages: str | None,
    capacity: int,
    card_expires_on: date | None,
    last_assigned_at: datetime | None,
    load: int,
) -> Helper:
    """A helper from the user id, the area codes and `profile_columns`, in their order."""
    return Helper(
        user_id=user_id,
        display_name=display_name,
        role=role,
        is_active=is_active,
        available=available,
        leave_until=leave_until,
        skills=_skills(skills),
        languages=_languages(languages),
        areas=frozenset(codes.split()),
        capacity=capacity,
        load=load,
        card_expires_on=card_expires_on,
        last_assigned_at=last_assigned_at,
    )


# Helpers' skills and languages come from short lists of codes, and many helpers share the same
# list: each distinct JSON text is read once per process.
@lru_cache(maxsize=4096)
def _skills(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text)) if text else frozenset()


@lru_cache(maxsize=4096)
def _languages(text: str | None) -> frozenset[str]:
    return frozenset(map(normalise_language, json.loads(text))) if text else frozenset()


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
