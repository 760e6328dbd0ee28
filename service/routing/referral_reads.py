"""Reading referrals: one referral, the lists (an agency's own, the center's, a case's), and
what a referral shares of its case.

Access (`auth.policy`): staff read every referral; agency staff only those sent to their own
organization, any other answers 404 as if it did not exist. A list reads through an index:
an agency's through `ix_referrals_organization_id_created_at`, a case's through
`ix_referrals_case_id_created_at`, the center's through `ix_referrals_created_at`; a status
filter narrows the same walk.

What an agency reads of the case (`GET /referrals/{id}/case`) is exactly the field groups the
referral shares (`service.routing.referral_sharing`), and each read appends one record to the
access log (`case_reads`, kind `referral`) without locking the case. Decided: the groups are
readable while the referral is open and once the agency completed or failed it (it worked with
the person); not once it was declined or cancelled (403). The gate is checked again at each
read: a group that consent, since withdrawn, no longer allows is left out (an override stays
as the supervisor decided it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from auth.policy import may_read_referral, sees_all_referrals, sees_restricted
from models.agency import Organization, Service
from models.base import UTCDateTime
from models.case import Case, CaseNote
from models.enums import CaseReadKind, FieldGroup, ReferralStatus, SharingBasis
from models.referral import Referral, ReferralList, ReferralOut, SharedCase
from models.user import User
from service.cases.access_log import record_read
from service.cases.loading import load_case
from service.platform.errors import Forbidden, NotFound
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.platform.settings import Settings
from service.privacy.consent import consent_grants
from service.privacy.restriction import restriction_extra
from service.routing.referral_rules import is_overdue
from service.routing.referral_sharing import (
    allowed_groups,
    consent_facts,
    in_group_order,
    shared_case,
)
from service.thai.dates import BANGKOK

SHARING = frozenset(
    {
        ReferralStatus.requested,
        ReferralStatus.accepted,
        ReferralStatus.completed,
        ReferralStatus.failed,
    }
)
MAX_SHARED_NOTES = 200
_Query = TypeVar("_Query", bound=sa.Select[*tuple[Any, ...]])
Named = sa.Select[Referral, str, str, str, str | None]
"""A referral with its case reference, service and organization names, and who requested it."""
_requester = aliased(User)
_NAME_COLUMNS = (
    col(Case.reference),
    col(Service.name),
    col(Organization.name),
    col(_requester.display_name),
)


def referral_out(
    referral: Referral, *, names: tuple[str, str, str, str | None], now: datetime
) -> ReferralOut:
    case_reference, service_name, organization_name, requested_by_name = names
    return ReferralOut(
        id=referral.id,
        case_id=referral.case_id,
        case_reference=case_reference,
        service_id=referral.service_id,
        service_name=service_name,
        organization_id=referral.organization_id,
        organization_name=organization_name,
        status=referral.status,
        groups=in_group_order(referral.groups),
        basis=referral.basis,
        reason=referral.reason,
        override_reason=referral.override_reason,
        requested_by=referral.requested_by_id,
        requested_by_name=requested_by_name,
        decision_id=referral.decision_id,
        created_at=referral.created_at,
        response_due_at=referral.response_due_at,
        overdue=is_overdue(
            referral.status,
            response_due_at=referral.response_due_at,
            overdue_at=referral.overdue_at,
            now=now,
        ),
        next_service_id=referral.next_service_id,
        answered_at=referral.answered_at,
        answer_reason=referral.answer_reason,
        closed_at=referral.closed_at,
    )


def _joined(query: _Query) -> _Query:
    return (
        query.join(Case, col(Case.id) == col(Referral.case_id))
        .join(Service, col(Service.id) == col(Referral.service_id))
        .join(Organization, col(Organization.id) == col(Referral.organization_id))
        .outerjoin(_requester, col(_requester.id) == col(Referral.requested_by_id))
    )


def _with_names() -> Named:
    return _joined(sa.select(Referral, *_NAME_COLUMNS))


def _rows_out(rows: Any, *, now: datetime) -> list[ReferralOut]:
    return [referral_out(row[0], names=tuple(row[1:]), now=now) for row in rows]


async def referral_answer(
    session: AsyncSession, *, referral: Referral, now: datetime
) -> ReferralOut:
    """The answer about one referral already loaded: its names in one query."""
    row = (
        await session.execute(
            _joined(sa.select(*_NAME_COLUMNS).select_from(Referral)).where(
                col(Referral.id) == referral.id
            )
        )
    ).one()
    return referral_out(referral, names=tuple(row), now=now)  # type: ignore[arg-type]


def readable(user: User, referral: Referral | None) -> Referral:
    """The referral if the caller may read it, else 404."""
    if referral is None or not may_read_referral(
        user.role, user.organization_id, referral.organization_id
    ):
        raise NotFound(code="referral.not_found")
    return referral


async def get_referral(
    session: AsyncSession, *, user: User, referral_id: uuid.UUID, now: datetime
) -> ReferralOut:
    """One referral, if the caller may read it."""
    referral = readable(user, await session.get(Referral, referral_id))
    return await referral_answer(session, referral=referral, now=now)


def _page(query: Named, *, newest_first: bool, limit: int, cursor: str | None) -> Named:
    order = (
        (col(Referral.created_at).desc(), col(Referral.id).desc())
        if newest_first
        else (col(Referral.created_at), col(Referral.id))
    )
    query = query.order_by(*order).limit(limit + 1)
    if cursor is not None:
        at, after = decode_time_id_cursor(cursor)
        key = sa.tuple_(col(Referral.created_at), col(Referral.id))
        mark = sa.tuple_(sa.literal(at, UTCDateTime()), sa.literal(after))
        query = query.where(key < mark if newest_first else key > mark)
    return query


async def _listed(
    session: AsyncSession, query: Named, *, limit: int, now: datetime
) -> ReferralList:
    rows = (await session.execute(query)).all()
    items = _rows_out(rows[:limit], now=now)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_time_id_cursor(last.created_at, last.id)
    return ReferralList(items=items, next_cursor=next_cursor)


def referral_list_query(
    user: User, *, status: ReferralStatus | None, limit: int, cursor: str | None
) -> Named:
    """The list of referrals the caller may see, newest first, one page (built, not run)."""
    query = _with_names()
    if not sees_all_referrals(user.role):
        # Agency staff: only their organization's (none without one).
        query = query.where(col(Referral.organization_id) == user.organization_id)
    if not sees_restricted(user.role):
        # A restricted case's referrals are hidden like the case (PDPA s.32, s.34).
        query = query.where(col(Case.restricted_at).is_(None))
    if status is not None:
        query = query.where(col(Referral.status) == status)
    return _page(query, newest_first=True, limit=limit, cursor=cursor)


async def list_referrals(
    session: AsyncSession,
    *,
    user: User,
    status: ReferralStatus | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> ReferralList:
    """Referrals newest first: an agency's own organization's, or all of them for staff."""
    query = referral_list_query(user, status=status, limit=limit, cursor=cursor)
    return await _listed(session, query, limit=limit, now=now)


def case_referrals_query(case_id: uuid.UUID, *, limit: int, cursor: str | None) -> Named:
    """A case's referrals, oldest first, one page (built, not run)."""
    query = _with_names().where(col(Referral.case_id) == case_id)
    return _page(query, newest_first=False, limit=limit, cursor=cursor)


async def case_referrals(
    session: AsyncSession,
    *,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> ReferralList:
    """A case's referrals, oldest first (staff)."""
    await load_case(session, user=user, case_id=case_id, lock=False, now=now)
    query = case_referrals_query(case_id, limit=limit, cursor=cursor)
    return await _listed(session, query, limit=limit, now=now)


def groups_shared_now(
    referral: Referral,
    case: Case,
    *,
    recorded: frozenset[FieldGroup] | None = None,
    withdrawn: frozenset[FieldGroup] = frozenset(),
) -> list[FieldGroup]:
    """The groups a referral shares today: as decided, less what consent no longer allows
    (the consent records for the referral's organization, when the case has any)."""
    groups = in_group_order(referral.groups)
    if referral.basis is SharingBasis.override:
        return groups
    allowed = allowed_groups(consent_facts(case, recorded=recorded, withdrawn=withdrawn))
    return [group for group in groups if group in allowed]


async def read_shared_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    referral_id: uuid.UUID,
    now: datetime,
) -> SharedCase:
    """Exactly the field groups a referral shares of its case; the read is recorded."""
    referral = readable(user, await session.get(Referral, referral_id))
    if referral.status not in SHARING:
        raise Forbidden(
            code="referral.not_shared", extra={"referral_status": referral.status.value}
        )
    case = await session.get(Case, referral.case_id)
    assert case is not None
    if case.restricted_at is not None:
        raise Forbidden(code="case.restricted", extra=restriction_extra(case, with_reason=False))
    recorded, withdrawn = await consent_grants(
        session, case_id=case.id, organization_id=referral.organization_id, now=now
    )
    groups = groups_shared_now(referral, case, recorded=recorded, withdrawn=withdrawn)
    notes: list[CaseNote] = []
    if FieldGroup.notes in groups:
        notes = list(
            (
                await session.execute(
                    sa.select(CaseNote)
                    .where(col(CaseNote.case_id) == case.id)
                    .order_by(col(CaseNote.created_at), col(CaseNote.id))
                    .limit(MAX_SHARED_NOTES)
                )
            ).scalars()
        )
    await record_read(
        session,
        secret=settings.data_key,
        case_id=case.id,
        reader_id=user.id,
        what=CaseReadKind.referral,
        now=now,
    )
    return shared_case(
        case,
        referral_id=referral.id,
        groups=groups,
        notes=notes,
        today=now.astimezone(BANGKOK).date(),
    )
