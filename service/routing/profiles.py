"""Helper profiles of volunteers and caseworkers: what they read and change about themselves,
and what supervisors read and change about them.

Decisions written down:
- A helper changes their own availability (on/off), leave, weekly hours and languages; their
  skills, service areas, capacity and social-development volunteer (อพม.) card are set by
  supervisors, who may change everything of volunteers' and caseworkers' profiles.
- A helper without a stored profile reads as the defaults (available, capacity 5, no skills,
  no areas: so never suggested); the first change stores it.
- The supervisors' list shows, with `card_expiring=true`, the volunteers whose card expired or
  expires within 30 days (Bangkok dates), soonest first, through the index on expiry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import CaseStatus, Category, Role
from models.routing import (
    HelperArea,
    HelperCardOut,
    HelperList,
    HelperProfile,
    HelperProfileOut,
    HelperProfilePatch,
    OwnProfilePatch,
)
from models.user import User
from service.platform.errors import NotFound, Unprocessable, coded_field_error
from service.platform.pagination import decode_cursor, encode_cursor
from service.routing.ranking import HELPER_ROLES, bangkok_date, card_valid
from service.thai.areas import check_location

CARD_WARNING_DAYS = 30
OWN_FIELDS = ("available", "leave_until", "weekly_hours", "languages")
NOT_CLEARED = ("available", "languages", "skills", "areas", "capacity")


def _open_cases() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .select_from(Case)
        .where(col(Case.lead_id) == col(User.id), col(Case.status) != CaseStatus.closed)
        .scalar_subquery()
    )


def _card_out(profile: HelperProfile, *, now: datetime) -> HelperCardOut | None:
    if profile.card_number is None or profile.card_expires_on is None:
        return None
    warn_until = bangkok_date(now) + timedelta(days=CARD_WARNING_DAYS)
    return HelperCardOut(
        number=profile.card_number,
        province_code=profile.card_province_code or "",
        expires_on=profile.card_expires_on,
        expired=not card_valid(profile.card_expires_on, now=now),
        expiring_soon=profile.card_expires_on <= warn_until,
    )


def _profile_out(
    user: User, profile: HelperProfile | None, *, areas: list[str], open_cases: int, now: datetime
) -> HelperProfileOut:
    stored = profile is not None
    profile = profile or HelperProfile(user_id=user.id)
    return HelperProfileOut(
        user_id=user.id,
        display_name=user.display_name,
        role=user.role,
        is_active=user.is_active,
        skills=[Category(skill) for skill in profile.skills],
        languages=profile.languages,
        areas=sorted(areas),
        capacity=profile.capacity,
        open_cases=open_cases,
        available=profile.available,
        leave_until=profile.leave_until,
        on_leave=profile.leave_until is not None and profile.leave_until > now,
        weekly_hours=profile.weekly_hours,
        card=_card_out(profile, now=now),
        last_assigned_at=profile.last_assigned_at,
        updated_at=profile.updated_at if stored else None,
    )


async def _areas_of(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not user_ids:
        return {}
    rows = await session.execute(
        sa.select(col(HelperArea.user_id), col(HelperArea.code)).where(
            col(HelperArea.user_id).in_(list(user_ids))
        )
    )
    areas: dict[uuid.UUID, list[str]] = {}
    for user_id, code in rows:
        areas.setdefault(user_id, []).append(code)
    return areas


async def _read(session: AsyncSession, *, user_id: uuid.UUID, now: datetime) -> HelperProfileOut:
    row = (
        await session.execute(
            sa.select(User, HelperProfile, _open_cases())
            .outerjoin(HelperProfile, col(HelperProfile.user_id) == col(User.id))
            .where(col(User.id) == user_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None or row[0].role not in HELPER_ROLES:
        raise NotFound(code="helper.not_found")
    user, profile, open_cases = row
    areas = await _areas_of(session, [user.id])
    return _profile_out(user, profile, areas=areas.get(user.id, []), open_cases=open_cases, now=now)


async def read_own_profile(session: AsyncSession, *, user: User, now: datetime) -> HelperProfileOut:
    """The caller's own helper profile."""
    return await _read(session, user_id=user.id, now=now)


async def update_own_profile(
    session: AsyncSession, *, user: User, patch: OwnProfilePatch, now: datetime
) -> HelperProfileOut:
    """Change the caller's availability, leave, weekly hours or languages."""
    await _apply(session, user_id=user.id, patch=patch, now=now)
    return await _read(session, user_id=user.id, now=now)


async def read_helper(
    session: AsyncSession, *, user_id: uuid.UUID, now: datetime
) -> HelperProfileOut:
    """A volunteer's or caseworker's profile (supervisors)."""
    return await _read(session, user_id=user_id, now=now)


async def update_helper(
    session: AsyncSession, *, user_id: uuid.UUID, patch: HelperProfilePatch, now: datetime
) -> HelperProfileOut:
    """Change a volunteer's or caseworker's profile (supervisors)."""
    user = await session.get(User, user_id)
    if user is None or user.role not in HELPER_ROLES:
        raise NotFound(code="helper.not_found")
    await _apply(session, user_id=user_id, patch=patch, now=now)
    return await _read(session, user_id=user_id, now=now)


async def _apply(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    patch: OwnProfilePatch | HelperProfilePatch,
    now: datetime,
) -> None:
    sent = patch.model_fields_set
    refused = [name for name in NOT_CLEARED if name in sent and getattr(patch, name) is None]
    if refused:
        raise Unprocessable(errors=[coded_field_error(f"/{name}", "null") for name in refused])
    profile = await session.get(HelperProfile, user_id, with_for_update=True)
    if profile is None:
        profile = HelperProfile(user_id=user_id, created_at=now, updated_at=now)
        session.add(profile)
    for name in OWN_FIELDS:
        if name in sent:
            setattr(profile, name, getattr(patch, name))
    if isinstance(patch, HelperProfilePatch):
        if patch.skills is not None:
            profile.skills = sorted({skill.value for skill in patch.skills})
        if patch.capacity is not None:
            profile.capacity = patch.capacity
        if "card" in sent:
            _set_card(profile, patch)
        if patch.areas is not None:
            await session.flush()
            await _replace_areas(session, user_id=user_id, codes=patch.areas)
    profile.updated_at = now
    await session.flush()


def _set_card(profile: HelperProfile, patch: HelperProfilePatch) -> None:
    card = patch.card
    if card is not None and check_location(card.province_code):
        raise Unprocessable(errors=[coded_field_error("/card/province_code", "area")])
    profile.card_number = card.number if card else None
    profile.card_province_code = card.province_code if card else None
    profile.card_expires_on = card.expires_on if card else None


async def _replace_areas(session: AsyncSession, *, user_id: uuid.UUID, codes: list[str]) -> None:
    for position, code in enumerate(codes):
        if check_location(
            code[:2], code[:4] if len(code) >= 4 else None, code if len(code) == 6 else None
        ):
            raise Unprocessable(errors=[coded_field_error(f"/areas/{position}", "area")])
    await session.execute(sa.delete(HelperArea).where(col(HelperArea.user_id) == user_id))
    session.add_all(
        HelperArea(user_id=user_id, code=code, province_code=code[:2])
        for code in sorted(set(codes))
    )


async def list_helpers(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    role: Role | None,
    card_expiring: bool,
    now: datetime,
) -> HelperList:
    """Volunteers and caseworkers with their profiles, by name; or, with `card_expiring`,
    the volunteers whose card expired or expires within 30 days, soonest first."""
    if role is not None and role not in HELPER_ROLES:
        raise Unprocessable(
            "Only volunteers and caseworkers have helper profiles.",
            errors=[{"parameter": "role", "detail": "not a helper role", "type": "enum"}],
        )
    roles = [role] if role is not None else sorted(HELPER_ROLES)
    query = (
        sa.select(User, HelperProfile, _open_cases())
        .outerjoin(HelperProfile, col(HelperProfile.user_id) == col(User.id))
        .where(col(User.role).in_(roles))
        .limit(limit + 1)
    )
    if card_expiring:
        query = _expiring_cards(query, cursor=cursor, now=now)
    else:
        query = query.order_by(col(User.display_name), col(User.id))
        if cursor:
            name, after = _cursor(cursor)
            query = query.where(
                sa.tuple_(col(User.display_name), col(User.id)) > sa.tuple_(name, after)
            )
    rows = (await session.execute(query)).all()
    page = rows[:limit]
    areas = await _areas_of(session, [user.id for user, _, _ in page])
    items = [
        _profile_out(user, profile, areas=areas.get(user.id, []), open_cases=count, now=now)
        for user, profile, count in page
    ]
    next_cursor = None
    if len(rows) > limit:
        user, profile, _ = page[-1]
        key = str(profile.card_expires_on) if card_expiring else user.display_name
        next_cursor = encode_cursor([key, str(user.id)])
    return HelperList(items=items, next_cursor=next_cursor)


def _expiring_cards(query: sa.Select[Any], *, cursor: str | None, now: datetime) -> sa.Select[Any]:
    warn_until = bangkok_date(now) + timedelta(days=CARD_WARNING_DAYS)
    query = query.where(
        col(HelperProfile.card_expires_on).is_not(None),
        col(HelperProfile.card_expires_on) <= warn_until,
    ).order_by(col(HelperProfile.card_expires_on), col(HelperProfile.user_id))
    if cursor:
        day, after = _cursor(cursor)
        try:
            expires = date.fromisoformat(day)
        except ValueError:
            raise _bad_cursor() from None
        query = query.where(
            sa.tuple_(col(HelperProfile.card_expires_on), col(HelperProfile.user_id))
            > sa.tuple_(sa.literal(expires, sa.Date()), sa.literal(after))
        )
    return query


def _cursor(cursor: str) -> tuple[str, uuid.UUID]:
    key, row_id = decode_cursor(cursor, size=2)
    # Only what a name or a date could be reaches the database as a comparison value.
    if not isinstance(key, str) or "\x00" in key or len(key) > 200:
        raise _bad_cursor()
    try:
        return key, uuid.UUID(str(row_id))
    except ValueError:
        raise _bad_cursor() from None


def _bad_cursor() -> Unprocessable:
    return Unprocessable(
        "The cursor is not valid; start again without one.",
        errors=[{"parameter": "cursor", "detail": "not a valid cursor", "type": "cursor"}],
    )
