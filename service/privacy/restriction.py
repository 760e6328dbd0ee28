"""The restriction of, or an objection to, the use of a case's data (PDPA s.32, s.34).

Decisions written down:
- Only supervisors restrict a case and lift its restriction (403 for anyone else, whatever
  the case). Restricting a restricted case, or lifting a restriction that is not there, is 409.
- A restricted case is kept as it is, but only supervisors see it: it is absent from the case
  list and the work queues of everyone else, and its detail (and every route under it) answers
  them 404 as if it did not exist (`auth.policy.may_read_case`). Supervisors see
  `restriction` (basis, reason, since, by) in its detail.
- Restricting a case withdraws the offer of it waiting for a helper's answer (`offer_withdrawn`,
  `restricted` in its data), and while restricted it is offered to nobody: a supervisor's
  offer is refused (409 `case.restricted`) and routing does not re-offer it.
- While restricted it cannot be referred (409 `case.restricted`, naming the restriction), its
  referrals no longer share it with agencies (403 `case.restricted`, without the reason), and
  it is left out of the case export.
- Each step is a case event (`restricted` with the basis, `restriction_lifted`); the reason,
  which may describe the person, stays on the case row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.consent import CaseRestriction, RestrictionIn
from models.enums import CaseEventType, Role
from models.user import User
from service.cases.changes import bump_version
from service.cases.events import append_event
from service.cases.loading import load_case
from service.cases.rendering import render_restriction
from service.platform.errors import Conflict, Forbidden
from service.platform.settings import Settings
from service.routing.follow_up import withdraw_pending_offer


def restriction_extra(case: Case, *, with_reason: bool) -> dict[str, Any]:
    """The `restriction` member of a problem about a restricted case."""
    shown = render_restriction(case)
    assert shown is not None
    data = shown.model_dump(mode="json", exclude={"by"})
    if not with_reason:
        data.pop("reason")
    return {"restriction": data}


def refuse_restricted(case: Case, *, with_reason: bool = True) -> None:
    """409 naming the restriction when the case is restricted."""
    if case.restricted_at is not None:
        raise Conflict(
            code="case.restricted", extra=restriction_extra(case, with_reason=with_reason)
        )


def _supervisor(user: User) -> None:
    if user.role is not Role.supervisor:
        raise Forbidden(code="restriction.supervisor_only")


async def restrict_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: RestrictionIn,
    now: datetime,
) -> CaseRestriction:
    """Restrict a case, or record the client's objection; logged on the case."""
    _supervisor(user)
    case = await load_case(session, user=user, case_id=case_id, lock=True, now=now)
    if case.restricted_at is not None:
        raise Conflict(code="restriction.already", extra=restriction_extra(case, with_reason=True))
    case.restricted_at = now
    case.restriction_basis = body.basis.value
    case.restriction_reason = body.reason
    case.restricted_by_id = user.id
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.restricted,
        actor_id=user.id,
        now=now,
        data={"basis": body.basis.value},
    )
    await withdraw_pending_offer(session, settings=settings, case=case, actor_id=user.id, now=now)
    await session.flush()
    return CaseRestriction(case_id=case.id, restriction=render_restriction(case))


async def lift_restriction(
    session: AsyncSession, *, settings: Settings, user: User, case_id: uuid.UUID, now: datetime
) -> CaseRestriction:
    """Lift a case's restriction; logged on the case."""
    _supervisor(user)
    case = await load_case(session, user=user, case_id=case_id, lock=True, now=now)
    if case.restricted_at is None:
        raise Conflict(code="restriction.none")
    basis = case.restriction_basis
    case.restricted_at = None
    case.restriction_basis = None
    case.restriction_reason = None
    case.restricted_by_id = None
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.restriction_lifted,
        actor_id=user.id,
        now=now,
        data={"basis": basis},
    )
    await session.flush()
    return CaseRestriction(case_id=case.id, restriction=None)
