"""The queues of answers awaited: offers waiting for a helper's answer and referrals waiting
for an agency's, longest waiting first, one keyset page at a time (who sees what:
`service.queues.work`).

Each walks its own partial index (`ix_offers_pending_created_at`, the referrals' by status and
organization) from the cursor, through a statement built once per shape of request
(`service.queues.pages`), and reads only the columns its items show.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_all_referrals, sees_restricted
from models.agency import Organization, Service
from models.case import Case
from models.enums import ReferralStatus, Role
from models.queues import WaitingOffer, WaitingOfferList, WaitingReferral, WaitingReferralList
from models.referral import Referral
from models.routing import Offer
from models.user import User
from service.queues.pages import (
    PENDING,
    after_cursor,
    cursor_values,
    page_cursor,
    seconds_since,
    viewer_page,
)
from service.routing.referral_rules import is_overdue

WAITING = col(Referral.status) == sa.literal_column("'requested'")


# --------------------------------------------------------------------------- offers


def offers_query(*, user: User, limit: int, cursor: str | None) -> sa.Select[*tuple[Any, ...]]:
    """One page of pending offers, waiting longest first, with its values bound (what
    `waiting_offers` runs). An offer past its expiry stays until the worker expires it (within
    a round): one that stays longer shows the worker is stuck."""
    statement, values = viewer_page(_offers_statement, user=user, limit=limit, cursor=cursor)
    return statement.params(values)


@functools.lru_cache(maxsize=256)
def _offers_statement(
    limit: int, *, own: bool, hide_restricted: bool, after: bool
) -> sa.Select[*tuple[Any, ...]]:
    """The page's statement for one shape of request, built once per process."""
    query = (
        sa.select(
            col(Offer.id),
            col(Offer.case_id),
            col(Offer.user_id),
            col(Offer.offered_by_id),
            col(Offer.created_at),
            col(Offer.expires_at),
            col(Case.reference),
            col(Case.urgency),
            col(User.display_name),
        )
        .join(Case, col(Case.id) == col(Offer.case_id))
        .join(User, col(User.id) == col(Offer.user_id))
        .where(PENDING)
        .order_by(col(Offer.created_at), col(Offer.id))
        .limit(limit + 1)
    )
    if after:
        query = query.where(after_cursor((col(Offer.created_at), col(Offer.id))))
    if own:
        query = query.where(col(Offer.user_id) == sa.bindparam("viewer_id"))
    if hide_restricted:
        query = query.where(col(Case.restricted_at).is_(None))
    return query


async def waiting_offers(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None, now: datetime
) -> WaitingOfferList:
    """Pending offers, waiting longest first: to whom, since when, until when."""
    statement, values = viewer_page(_offers_statement, user=user, limit=limit, cursor=cursor)
    rows = (await session.execute(statement, values)).all()
    items = [
        WaitingOffer(
            id=offer_id,
            case_id=case_id,
            case_reference=reference,
            urgency=urgency,
            user_id=user_id,
            user_name=name,
            offered_by=offered_by_id,
            created_at=created_at,
            waiting_seconds=seconds_since(created_at, now),
            expires_at=expires_at,
            expired=expires_at <= now,
        )
        for (
            offer_id,
            case_id,
            user_id,
            offered_by_id,
            created_at,
            expires_at,
            reference,
            urgency,
            name,
        ) in rows[:limit]
    ]
    last = items[-1] if items else None
    next_cursor = page_cursor(rows, limit, last.created_at, last.id) if last else None
    return WaitingOfferList(items=items, next_cursor=next_cursor)


# --------------------------------------------------------------------------- referrals


def referrals_query(
    *, user: User, organization_id: uuid.UUID | None, limit: int, cursor: str | None
) -> sa.Select[*tuple[Any, ...]] | None:
    """One page of referrals waiting for the agency's answer, oldest first, with its values
    bound (what `waiting_referrals` runs); None when the caller's queue is empty whatever the
    data (an agency asking for another organization)."""
    page = _referrals_page(user=user, organization_id=organization_id, limit=limit, cursor=cursor)
    return None if page is None else page[0].params(page[1])


def _referrals_page(
    *, user: User, organization_id: uuid.UUID | None, limit: int, cursor: str | None
) -> tuple[sa.Select[*tuple[Any, ...]], dict[str, Any]] | None:
    if not sees_all_referrals(user.role):
        if user.role is not Role.agency or user.organization_id is None:
            return None
        if organization_id not in (None, user.organization_id):
            return None
        organization_id = user.organization_id
    statement = _referrals_statement(
        limit,
        one_organization=organization_id is not None,
        hide_restricted=not sees_restricted(user.role),
        after=cursor is not None,
    )
    values = cursor_values(cursor)
    if organization_id is not None:
        values["organization_id"] = organization_id
    return statement, values


@functools.lru_cache(maxsize=256)
def _referrals_statement(
    limit: int, *, one_organization: bool, hide_restricted: bool, after: bool
) -> sa.Select[*tuple[Any, ...]]:
    """The page's statement for one shape of request, built once per process."""
    query = (
        sa.select(
            col(Referral.id),
            col(Referral.case_id),
            col(Referral.service_id),
            col(Referral.organization_id),
            col(Referral.created_at),
            col(Referral.response_due_at),
            col(Referral.overdue_at),
            col(Referral.next_service_id),
            col(Case.reference),
            col(Case.urgency),
            col(Service.name),
            col(Organization.name),
        )
        .join(Case, col(Case.id) == col(Referral.case_id))
        .join(Service, col(Service.id) == col(Referral.service_id))
        .join(Organization, col(Organization.id) == col(Referral.organization_id))
        .where(WAITING)
        .order_by(col(Referral.created_at), col(Referral.id))
        .limit(limit + 1)
    )
    if one_organization:
        query = query.where(col(Referral.organization_id) == sa.bindparam("organization_id"))
    if hide_restricted:
        query = query.where(col(Case.restricted_at).is_(None))
    if after:
        query = query.where(after_cursor((col(Referral.created_at), col(Referral.id))))
    return query


async def waiting_referrals(
    session: AsyncSession,
    *,
    user: User,
    organization_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> WaitingReferralList:
    """Referrals the agency has not answered, oldest first, with their deadlines."""
    page = _referrals_page(user=user, organization_id=organization_id, limit=limit, cursor=cursor)
    rows = [] if page is None else (await session.execute(*page)).all()
    items = [
        WaitingReferral(
            id=referral_id,
            case_id=case_id,
            case_reference=reference,
            urgency=urgency,
            service_id=service_id,
            service_name=service_name,
            organization_id=organization,
            organization_name=organization_name,
            created_at=created_at,
            waiting_seconds=seconds_since(created_at, now),
            response_due_at=response_due_at,
            past_deadline=is_overdue(
                ReferralStatus.requested,
                response_due_at=response_due_at,
                overdue_at=overdue_at,
                now=now,
            ),
            next_service_id=next_service_id,
        )
        for (
            referral_id,
            case_id,
            service_id,
            organization,
            created_at,
            response_due_at,
            overdue_at,
            next_service_id,
            reference,
            urgency,
            service_name,
            organization_name,
        ) in rows[:limit]
    ]
    last = items[-1] if items else None
    next_cursor = page_cursor(rows, limit, last.created_at, last.id) if last else None
    return WaitingReferralList(items=items, next_cursor=next_cursor)
