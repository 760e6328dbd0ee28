"""Referring a case to an agency service, and the steps of a referral after that.

Decisions written down (the state machine is `service.routing.referral_rules`, the consent
gate `service.routing.referral_sharing`):
- Caseworkers and supervisors refer a case that is `in_progress` or already `referred` (409
  otherwise), to a named service or, without one, to the best suggested service
  (`service.routing.agency_suggestions`). The service must exist (404), be active and take
  referrals (409); the referral goes to the service's own organization. A service need not be
  among the suggestions (a caseworker may know better), but the suggestions considered are
  stored with the choice in the routing decision log (kind `referral`), the chosen service
  added when it was not among them.
- One open referral of a case to a service at a time (409 `referral.open`): checked under the
  case row's lock, and backed by a partial unique index.
- Every step is a case event: `referred`, `referral_answered` (accept, decline, complete, fail,
  with the agency's reason), `referral_cancelled`; the case's own move to `referred` and back to
  `in_progress` is recorded in the `changes` of the same event.
- Every change takes the case row's lock first, then touches the referral, so an answer, a
  cancel and the deadline worker are serialised per case.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import may_answer_referral, may_refer
from models.agency import Service
from models.case import Case
from models.consent import CaseConsent
from models.enums import (
    CaseEventType,
    DecisionKind,
    FieldGroup,
    ReferralAnswer,
    ReferralStatus,
    ServiceStatus,
    SharingBasis,
)
from models.referral import Referral, ReferralIn, ReferralOut
from models.user import User
from service.cases.changes import apply_changes, bump_version
from service.cases.events import append_event
from service.cases.loading import load_case
from service.platform.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
    coded_field_error,
)
from service.platform.settings import Settings
from service.privacy.consent import case_consents, grants
from service.privacy.restriction import refuse_restricted
from service.routing.agency_suggestions import suggest_agencies
from service.routing.decisions import record_decision
from service.routing.referral_reads import readable, referral_answer
from service.routing.referral_rules import (
    AGENCY_ANSWERS,
    NEEDS_REASON,
    OPEN,
    REFERRABLE_CASE_STATUSES,
    allowed_answers,
    case_status_after,
    next_status,
    response_due_at,
)
from service.routing.referral_sharing import (
    GateRefusal,
    check_gate,
    consent_facts,
    in_group_order,
)
from service.webhooks.outbox import announce_referral

RECORDED_CANDIDATES = 10
SUGGESTIONS_CONSIDERED = 50


async def open_referral_count(session: AsyncSession, *, case_id: uuid.UUID) -> int:
    """How many referrals of the case are open (the case row must be locked by the caller)."""
    return int(
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(Referral)
            .where(col(Referral.case_id) == case_id, col(Referral.status).in_(OPEN))
        )
        or 0
    )


async def referred_services(session: AsyncSession, *, case_id: uuid.UUID) -> set[uuid.UUID]:
    """Every service this case was ever referred to."""
    rows = await session.execute(
        sa.select(col(Referral.service_id)).where(col(Referral.case_id) == case_id)
    )
    return {service_id for (service_id,) in rows}


async def create_referral(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: ReferralIn,
    now: datetime,
) -> ReferralOut:
    """Refer a case to an agency service, sharing the groups the gate allows; logged."""
    case = await load_case(session, user=user, case_id=case_id, lock=True, now=now)
    if not may_refer(user.role):
        raise Forbidden(code="referral.center_only")
    if case.status not in REFERRABLE_CASE_STATUSES:
        raise Conflict(code="referral.case_status", extra={"case_status": case.status.value})
    refuse_restricted(case)
    groups = in_group_order(body.groups)
    consents = await case_consents(session, case_id=case.id)
    basis = _gate(case, consents, groups, user=user, body=body, organization_id=None, now=now)
    suggestions = await suggest_agencies(session, case=case, now=now, limit=SUGGESTIONS_CONSIDERED)
    candidates = suggestions["candidates"]
    service = await _chosen_service(session, case=case, body=body, candidates=candidates)
    if consents:
        # Consents may name agencies: checked again for the service's own organization.
        basis = _gate(
            case,
            consents,
            groups,
            user=user,
            body=body,
            organization_id=service.organization_id,
            now=now,
        )
    referral = await refer(
        session,
        settings=settings,
        case=case,
        service=service,
        groups=groups,
        basis=basis,
        reason=body.reason,
        override_reason=body.override_reason,
        candidates=candidates,
        by=user,
        now=now,
    )
    return await referral_answer(session, referral=referral, now=now)


def _gate(
    case: Case,
    consents: list[CaseConsent],
    groups: list[FieldGroup],
    *,
    user: User,
    body: ReferralIn,
    organization_id: uuid.UUID | None,
    now: datetime,
) -> SharingBasis:
    """The basis the consent gate allows `groups` on, else 403 naming why."""
    recorded, withdrawn = grants(consents, organization_id=organization_id, now=now)
    facts = consent_facts(case, recorded=recorded, withdrawn=withdrawn)
    try:
        return check_gate(facts, groups, role=user.role, override_reason=body.override_reason)
    except GateRefusal as refusal:
        extra: dict[str, Any] = {"allowed": in_group_order(refusal.allowed)}
        if refusal.withdrawn:
            extra["withdrawn"] = in_group_order(refusal.withdrawn)
        raise Forbidden(code=refusal.code, extra=extra) from None


async def _chosen_service(
    session: AsyncSession, *, case: Case, body: ReferralIn, candidates: list[dict[str, Any]]
) -> Service:
    if body.service_id is None:
        taken = await referred_open_services(session, case_id=case.id)
        best = next((c for c in candidates if uuid.UUID(c["service_id"]) not in taken), None)
        if best is None:
            raise Conflict(code="referral.no_candidate")
        service_id = uuid.UUID(best["service_id"])
    else:
        service_id = body.service_id
    service = await session.get(Service, service_id)
    if service is None:
        raise NotFound(code="referral.service_not_found")
    if service.status is not ServiceStatus.active or not service.accepts_referrals:
        raise Conflict(code="referral.service_closed", extra={"service_status": service.status})
    return service


async def referred_open_services(session: AsyncSession, *, case_id: uuid.UUID) -> set[uuid.UUID]:
    """The services this case has an open referral to."""
    rows = await session.execute(
        sa.select(col(Referral.service_id)).where(
            col(Referral.case_id) == case_id, col(Referral.status).in_(OPEN)
        )
    )
    return {service_id for (service_id,) in rows}


async def refer(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    service: Service,
    groups: list[FieldGroup],
    basis: SharingBasis,
    reason: str,
    override_reason: str | None,
    candidates: list[dict[str, Any]],
    by: User | None,
    now: datetime,
) -> Referral:
    """Refer the locked `case` to `service` (`by` None: routing referred on its own)."""
    if service.id in await referred_open_services(session, case_id=case.id):
        raise Conflict(code="referral.open")
    recorded = candidates[:RECORDED_CANDIDATES]
    if all(c["service_id"] != str(service.id) for c in recorded):
        chosen = next((c for c in candidates if c["service_id"] == str(service.id)), None)
        recorded.append(chosen or {"service_id": str(service.id), "service_name": service.name})
    decision = await record_decision(
        session,
        case_id=case.id,
        kind=DecisionKind.referral,
        candidates=recorded,
        chosen=service.id,
        chosen_by_id=by.id if by else None,
        now=now,
    )
    open_before = await open_referral_count(session, case_id=case.id)
    referral = Referral(
        case_id=case.id,
        service_id=service.id,
        organization_id=service.organization_id,
        status=ReferralStatus.requested,
        groups=[group.value for group in groups],
        basis=basis,
        reason=reason,
        override_reason=override_reason,
        requested_by_id=by.id if by else None,
        decision_id=decision.id,
        created_at=now,
        response_due_at=response_due_at(
            settings,
            urgency=case.urgency,
            service_hours=service.response_deadline_hours,
            now=now,
        ),
        updated_at=now,
    )
    session.add(referral)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(code="referral.open") from None
    await _record_step(
        session,
        settings=settings,
        case=case,
        referral=referral,
        event=CaseEventType.referred,
        actor_id=by.id if by else None,
        open_before=open_before,
        now=now,
        data={
            "groups": referral.groups,
            "basis": basis.value,
            "reason": reason,
            "override_reason": override_reason,
            "response_due_at": referral.response_due_at.isoformat(),
            "decision_id": str(decision.id),
            "by": "staff" if by else "auto",
        },
    )
    return referral


async def _record_step(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    referral: Referral,
    event: CaseEventType,
    actor_id: uuid.UUID | None,
    open_before: int,
    now: datetime,
    data: dict[str, Any],
) -> None:
    """The case's status step, if any, and the step's event, naming the referral."""
    open_after = await open_referral_count(session, case_id=case.id)
    status = case_status_after(case.status, open_before=open_before, open_after=open_after)
    changes = apply_changes(case, {"status": status}) if status is not None else {}
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=event,
        actor_id=actor_id,
        now=now,
        changes=changes,
        data={
            "referral_id": str(referral.id),
            "service_id": str(referral.service_id),
            "organization_id": str(referral.organization_id),
            **data,
        },
    )
    await announce_referral(session, case=case, referral=referral, step=event, now=now)
    await session.flush()


async def answer_referral(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    referral_id: uuid.UUID,
    answer: ReferralAnswer,
    reason: str | None,
    now: datetime,
) -> ReferralOut:
    """The agency's answer to a referral, or the center's cancel; the case follows."""
    found = readable(user, await session.get(Referral, referral_id))
    if answer in AGENCY_ANSWERS and not may_answer_referral(
        user.role, user.organization_id, found.organization_id
    ):
        raise Forbidden(code="referral.agency_only")
    if answer is ReferralAnswer.cancel and not may_refer(user.role):
        raise Forbidden(code="referral.center_only")
    if answer in NEEDS_REASON and not reason:
        raise Unprocessable(errors=[coded_field_error("/reason", "missing")])
    case = await session.get(Case, found.case_id, with_for_update=True, populate_existing=True)
    assert case is not None
    referral = await session.get(Referral, referral_id, populate_existing=True)
    assert referral is not None
    await settle(
        session,
        settings=settings,
        case=case,
        referral=referral,
        answer=answer,
        reason=reason,
        actor_id=user.id,
        now=now,
    )
    return await referral_answer(session, referral=referral, now=now)


async def settle(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    referral: Referral,
    answer: ReferralAnswer,
    reason: str | None,
    actor_id: uuid.UUID | None,
    now: datetime,
) -> None:
    """Move a referral of the locked `case` one step (`actor_id` None: routing did)."""
    status = next_status(referral.status, answer)
    if status is None:
        raise Conflict(
            code="referral.answer",
            extra={
                "referral_status": referral.status.value,
                "allowed": [a.value for a in allowed_answers(referral.status)],
            },
        )
    open_before = await open_referral_count(session, case_id=case.id)
    referral.status = status
    referral.updated_at = now
    if answer is not ReferralAnswer.cancel and referral.answered_at is None:
        referral.answered_at = now
        referral.answered_by_id = actor_id
    if reason is not None:
        referral.answer_reason = reason
    if status not in OPEN:
        referral.closed_at = now
    await session.flush()
    await _record_step(
        session,
        settings=settings,
        case=case,
        referral=referral,
        event=(
            CaseEventType.referral_cancelled
            if answer is ReferralAnswer.cancel
            else CaseEventType.referral_answered
        ),
        actor_id=actor_id,
        open_before=open_before,
        now=now,
        data={
            "answer": answer.value,
            "status": status.value,
            "reason": reason,
            "by": "auto" if actor_id is None else "user",
        },
    )
