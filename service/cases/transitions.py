"""Moving a case to another status: screening, working steps, resolving, closing, reopening.

`service.cases.lifecycle` decides whether a step is allowed (a pure table); this module applies
it. The caller's right to change the case and its `If-Match` are checked before the step, so
the loser of two simultaneous moves learns that the case changed (412). Each move appends one
event (`screened`, `status_changed`, or the event of the decision it is part of); resolving or
closing a case with a pending offer also withdraws the offer (`offer_withdrawn`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import may_read_case
from models.case import Case, CaseOut, DuplicateLink, TransitionIn
from models.enums import (
    CaseEventType,
    CaseStatus,
    ClosureReason,
    ConsentStatus,
    DuplicateStatus,
    LegalBasis,
)
from models.user import User
from service.cases.categories import rewrite_category_rows
from service.cases.changes import apply_changes, bump_version
from service.cases.events import append_event
from service.cases.lifecycle import Refusal, check_transition, next_statuses
from service.cases.loading import case_facts, load_case_to_change
from service.cases.rendering import case_for_viewer
from service.deadlines.case_clock import stamp_step
from service.platform.errors import (
    Forbidden,
    InvalidTransition,
    Unprocessable,
    coded_field_error,
)
from service.platform.settings import Settings
from service.routing.follow_up import follow_case_status, withdraw_pending_offer


async def transition_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: TransitionIn,
    if_match: str | None,
    now: datetime,
    event_type: CaseEventType | None = None,
) -> tuple[CaseOut, str]:
    """Move a case to another status (screening and closing included).

    `event_type` names the event when the move is part of another decision (a confirmed
    duplicate); otherwise it is `screened` or `status_changed`.
    """
    case = await load_case_to_change(session, user=user, case_id=case_id, if_match=if_match)
    _check_step(case, user=user, body=body)
    _check_screening_fields(body)
    changes = await _changes_of_step(session, case=case, user=user, body=body, now=now)
    before = case.status
    recorded = apply_changes(case, changes)
    await stamp_step(session, case=case, before=before, now=now)
    await follow_case_status(session, case=case, before=before, now=now)
    if "categories" in changes:
        await rewrite_category_rows(session, case=case)
    bump_version(case, now)
    if body.to is CaseStatus.screened:
        event_type = CaseEventType.screened
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=event_type or CaseEventType.status_changed,
        actor_id=user.id,
        now=now,
        changes=recorded,
        data={"reason": body.reason} if body.reason else {},
    )
    await withdraw_pending_offer(session, settings=settings, case=case, actor_id=user.id, now=now)
    await session.flush()
    return await case_for_viewer(session, case=case, viewer=user, settings=settings, now=now)


def _check_step(case: Case, *, user: User, body: TransitionIn) -> None:
    """The lifecycle's verdict on this step by this caller, as a domain error."""
    try:
        check_transition(
            current=case.status,
            target=body.to,
            role=user.role,
            is_lead=case.lead_id == user.id,
            urgency=body.urgency or case.urgency,
            reason=body.reason,
            closure_reason=body.closure_reason,
            has_duplicate_of=body.duplicate_of is not None,
        )
    except Refusal as refusal:
        if refusal.kind == "invalid":
            raise InvalidTransition(
                extra={"allowed": [s.value for s in next_statuses(case.status)]}
            ) from None
        if refusal.kind == "forbidden":
            raise Forbidden(code=refusal.code) from None
        assert refusal.code is not None
        raise Unprocessable(
            errors=[coded_field_error(refusal.pointer or "", refusal.code)]
        ) from None


def _check_screening_fields(body: TransitionIn) -> None:
    screening_fields = (
        body.urgency is not None or body.categories is not None or body.basis is not None
    )
    if screening_fields and body.to is not CaseStatus.screened:
        raise Unprocessable(errors=[coded_field_error("/to", "screening")])


async def _changes_of_step(
    session: AsyncSession, *, case: Case, user: User, body: TransitionIn, now: datetime
) -> dict[str, Any]:
    """The columns the step sets: the status and what goes with the status it reaches."""
    changes: dict[str, Any] = {"status": body.to}
    if body.to is CaseStatus.screened:
        changes.update(_screening_changes(case, user=user, body=body, now=now))
    elif body.to is CaseStatus.closed:
        changes.update(await _closing_changes(session, case=case, user=user, body=body, now=now))
    elif body.to is CaseStatus.resolved:
        changes["resolved_at"] = now
    elif body.to is CaseStatus.in_progress:
        if case.status is CaseStatus.closed:
            changes.update(
                closed_at=None, closure_reason=None, duplicate_of_id=None, resolved_at=None
            )
        if case.status is CaseStatus.screened and case.lead_id is None:
            changes["lead_id"] = user.id
    return changes


def _screening_changes(
    case: Case, *, user: User, body: TransitionIn, now: datetime
) -> dict[str, Any]:
    """Screening decides the urgency, the legal basis and the categories."""
    changes: dict[str, Any] = {"screened_at": now, "screened_by_id": user.id}
    if body.urgency is not None:
        changes["urgency"] = body.urgency
    if body.basis is not None:
        if (
            body.basis is LegalBasis.consent
            and case.consent_data_collection is not ConsentStatus.given
        ):
            raise Unprocessable(errors=[coded_field_error("/basis", "basis")])
        changes["legal_basis"] = body.basis
    if body.categories is not None:
        changes["categories"] = list(dict.fromkeys(c.value for c in body.categories))
    return changes


async def _closing_changes(
    session: AsyncSession, *, case: Case, user: User, body: TransitionIn, now: datetime
) -> dict[str, Any]:
    """Closing records when and why; closing as a duplicate confirms the link to the original."""
    changes: dict[str, Any] = {"closed_at": now, "closure_reason": body.closure_reason}
    if body.closure_reason is not ClosureReason.duplicate:
        return changes
    assert body.duplicate_of is not None
    original = await session.get(Case, body.duplicate_of)
    if (
        original is None
        or original.id == case.id
        or not may_read_case(user.id, user.role, case_facts(original))
    ):
        raise Unprocessable(errors=[coded_field_error("/duplicate_of", "not_found")])
    changes["duplicate_of_id"] = original.id
    await session.execute(
        sa.update(DuplicateLink)
        .where(
            col(DuplicateLink.case_id) == case.id,
            col(DuplicateLink.candidate_id) == original.id,
            col(DuplicateLink.status) == DuplicateStatus.open,
        )
        .values(status=DuplicateStatus.confirmed, decided_by_id=user.id, decided_at=now)
    )
    return changes
